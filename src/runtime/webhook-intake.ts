/**
 * The webhook intake of one process (`Services.webhooks`), built by the runtime from the other
 * services: the group-commit receiver, the body budget and the cached list of valid secrets.
 * Runtime-independent, so a Workers entry can build it too.
 */
import { openSecrets } from '../flows/connection.js';
import { deliveryJobPayload, needDeliveryJobs } from '../flows/deliveries.js';
import { createDeliveryReceiver } from '../flows/receive.js';
import type { Services, WebhookIntake } from '../services.js';
import { createByteBudget } from '../webhooks/body-budget.js';
import type { WebhookSecret } from '../webhooks/verify.js';

/**
 * Registry secrets are reloaded once per period, not per request; a changed secret applies within
 * it. A reload decrypts only ciphertexts it has not seen before (the key is fixed per process).
 */
export const SECRETS_TTL_MS = 5_000;
const MIN_REFRESH_MS = 1_000;

type OpenedSecret = { ok: true; webhookSecret: string | undefined } | { ok: false };

export function createWebhookIntake(services: Omit<Services, 'webhooks'>): WebhookIntake {
  const metrics = services.metrics.webhooks;
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

  let cached: { at: number; mark: string; secrets: WebhookSecret[] } | null = null;
  let loading: Promise<WebhookSecret[]> | null = null;
  // Per ciphertext of the last reload: its webhook secret, or the failure to open it (logged once).
  let opened = new Map<string, OpenedSecret>();

  async function load(): Promise<WebhookSecret[]> {
    // One aggregate query while no registry changed, instead of reading every registry each period.
    const mark = await services.store.registries.changeMark();
    if (cached !== null && cached.mark === mark) {
      cached = { ...cached, at: services.clock.now() };
      return cached.secrets;
    }
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
    cached = { at: services.clock.now(), mark, secrets };
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
    bodyBudget: createByteBudget(services.config.webhooks.unverifiedBodyBudget),
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
