/**
 * Everything the HTTP app and the flows need, built once per process by the runtime
 * (runtime/node.ts) and passed in. Extend it with new fields; do not read globals instead.
 */
import type { Config } from './config/schema.js';
import type { SecretBox } from './crypto/secrets.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics/service.js';
import type { RegistryReader } from './registry/interface.js';
import type { Store } from './store/interface.js';

/** Encrypts credentials at rest (crypto/); ciphertext is an opaque string. */
export type SecretSealer = SecretBox;

export interface Clock {
  now(): number;
}

export interface Services {
  config: Config;
  store: Store;
  registryReader: RegistryReader;
  secretBox: SecretSealer;
  logger: Logger;
  metrics: ServiceMetrics;
  clock: Clock;
  /** In [0, 1); injectable so that jitter is testable. */
  random: () => number;
  /** SHA-256 hex of an API token (crypto/). */
  hashToken(token: string): Promise<string>;
  /** A new random API token (crypto/). */
  generateToken(): string;
}

export const systemClock: Clock = { now: () => Date.now() };
