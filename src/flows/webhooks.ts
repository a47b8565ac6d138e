/**
 * The per-process webhook machinery, built on first use from the `Services` (so the runtime and
 * tests need no extra wiring): the group-commit receiver, the list of valid secrets, and metrics.
 */
import type { Services } from '../services.js';
import type { WebhookSecret } from '../webhooks/verify.js';
import { openSecrets } from './connection.js';
import { deliveryJobPayload, needDeliveryJobs } from './deliveries.js';
import { createDeliveryReceiver, type DeliveryReceiver } from './receive.js';
import { webhookMetrics } from './webhook-metrics.js';

export interface WebhookRuntime {
  receiver: DeliveryReceiver;
  /** Global secrets and every registry's own; cached, see `SECRETS_TTL_MS`. */
  secrets(): Promise<WebhookSecret[]>;
  /** Reloads registry secrets (at most once a second), for a delivery no cached secret verified. */
  refreshSecrets(): Promise<WebhookSecret[] | null>;
}

/**
 * Registry secrets are reloaded once per period, not per request; a changed secret applies within
 * it. A reload decrypts only ciphertexts it has not seen before (the key is fixed per process).
 */
export const SECRETS_TTL_MS = 5_000;
const MIN_REFRESH_MS = 1_000;

type OpenedSecret = { ok: true; webhookSecret: string | undefined } | { ok: false };

const runtimes = new WeakMap<Services, WebhookRuntime>();

export function webhookRuntime(services: Services): WebhookRuntime {
  let runtime = runtimes.get(services);
  if (!runtime) {
    runtime = buildRuntime(services);
    runtimes.set(services, runtime);
  }
  return runtime;
}

function buildRuntime(services: Services): WebhookRuntime {
  const metrics = webhookMetrics(services.metrics);
  const receiver = createDeliveryReceiver({
    store: services.store,
    now: () => services.clock.now(),
    jobFor: (delivery) => ({
      kind: 'delivery',
      payload: deliveryJobPayload(delivery),
      maxAttempts: services.config.jobs.maxAttempts,
    }),
    needsJob: (tx, deliveries) =>
      needDeliveryJobs(
        tx,
        deliveries.map((delivery) => delivery.payload),
      ),
    onBatch: (size) => metrics.batchSize.observe({}, size),
  });

  let cached: { at: number; secrets: WebhookSecret[] } | null = null;
  let loading: Promise<WebhookSecret[]> | null = null;
  // Per ciphertext of the last reload: its webhook secret, or the failure to open it (logged once).
  let opened = new Map<string, OpenedSecret>();

  async function load(): Promise<WebhookSecret[]> {
    const secrets: WebhookSecret[] = services.config.webhooks.secrets.map((value) => ({ value }));
    const current = new Map<string, OpenedSecret>();
    for (const registry of await services.store.registries.list()) {
      const ciphertext = registry.secretsCiphertext;
      if (ciphertext === null || registry.credentialSummary.webhookSecret === false) continue;
      let secret = current.get(ciphertext) ?? opened.get(ciphertext);
      if (secret === undefined) {
        try {
          secret = { ok: true, webhookSecret: (await openSecrets(services.secretBox, registry)).webhookSecret };
        } catch {
          secret = { ok: false };
          services.logger.warn(
            { registry: registry.name },
            'could not open the registry credentials for its webhook secret',
          );
        }
      }
      current.set(ciphertext, secret);
      if (secret.ok && secret.webhookSecret !== undefined) {
        secrets.push({ value: secret.webhookSecret, repositoryKey: registry.urlKey });
      }
    }
    // Only ciphertexts still stored are remembered, so replaced secrets are dropped.
    opened = current;
    cached = { at: services.clock.now(), secrets };
    return secrets;
  }

  function reload(): Promise<WebhookSecret[]> {
    loading ??= load().finally(() => {
      loading = null;
    });
    return loading;
  }

  return {
    receiver,
    async secrets() {
      if (cached !== null && services.clock.now() - cached.at < SECRETS_TTL_MS) return cached.secrets;
      return reload();
    },
    async refreshSecrets() {
      if (cached !== null && services.clock.now() - cached.at < MIN_REFRESH_MS) return null;
      return reload();
    },
  };
}
