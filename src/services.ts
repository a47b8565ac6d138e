/**
 * Everything the HTTP app and the flows need, built once per process by the runtime
 * (runtime/node/index.ts) and passed in. Extend it with new fields; do not read globals instead.
 */
import type { Config } from './config/schema.js';
import type { SecretBox } from './crypto/interface.js';
import type { DeploymentProvider } from './deploy/interface.js';
import type { DeploymentProviderSettings } from './deploy/settings.js';
import type { Logger } from './logger.js';
import type { Templates } from './margo/render/index.js';
import type { ServiceMetrics } from './metrics/service.js';
import type { RegistryReader } from './registry/interface.js';
import type { DeliveryRecord, Store } from './store/interface.js';
import type { ByteBudget } from './webhooks/body-budget.js';
import type { WebhookSecret } from './webhooks/verify.js';

/**
 * A delivery as the receiver stores it; `result: 'pending'` means "enqueue a delivery job for it"
 * (unless the receiver's `needsJob` says it would do nothing).
 */
export type IncomingDelivery = Omit<DeliveryRecord, 'id' | 'jobId' | 'receivedAt' | 'handledAt'>;

export interface Receipt {
  /** `duplicate`: the forge's delivery id was stored before (a redelivery); nothing new happens. */
  status: 'stored' | 'duplicate';
  delivery: DeliveryRecord;
}

/** Durable receipt of verified deliveries (group commit, flows/receive.ts). */
export interface DeliveryReceiver {
  /** Resolves once the delivery (or the earlier one with its id) is committed. */
  receive(delivery: IncomingDelivery): Promise<Receipt>;
}

/** The webhook intake of one process: the group-commit receiver and the cached webhook secrets. */
export interface WebhookIntake {
  receiver: DeliveryReceiver;
  /** Bytes of unverified bodies being read, over all requests (`webhooks.unverifiedBodyBudget`). */
  bodyBudget: ByteBudget;
  /** Global secrets and every registry's own; cached (runtime/webhook-intake.ts `SECRETS_TTL_MS`). */
  secrets(): Promise<WebhookSecret[]>;
  /** Reloads registry secrets (at most once a second), for a delivery no cached secret verified. */
  refreshSecrets(): Promise<WebhookSecret[] | null>;
}

export interface Clock {
  now(): number;
}

export interface Services {
  config: Config;
  store: Store;
  registryReader: RegistryReader;
  /** Encrypts credentials at rest (crypto/); ciphertext is an opaque string. */
  secretBox: SecretBox;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Built by the runtime from the other services (runtime/webhook-intake.ts); a Workers entry brings its own. */
  webhooks: WebhookIntake;
  clock: Clock;
  /** In [0, 1); injectable so that jitter is testable. */
  random: () => number;
  /** SHA-256 hex of an API token (crypto/). */
  hashToken(token: string): Promise<string>;
  /** A new random API token (crypto/). */
  generateToken(): string;
  /** Builds the provider of a deployment repository (deploy/). */
  deploymentProviders: (settings: DeploymentProviderSettings) => DeploymentProvider;
  /** The compiled templates desired state is rendered with (margo/render). */
  templates: Templates;
}

export const systemClock: Clock = { now: () => Date.now() };
