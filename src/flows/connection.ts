/**
 * A stored registry's credentials are one sealed JSON document (store/interface.ts
 * `secretsCiphertext`). These helpers seal and open it, summarise it for the API (no secret
 * values), and build the `RegistryConnection` the registry reader needs.
 */

import type { SecretBox } from '../crypto/interface.js';
import type { RegistryAuth, RegistryConnection } from '../registry/interface.js';
import type { RegistryRecord } from '../store/interface.js';

export interface RegistrySecrets {
  auth?: Exclude<RegistryAuth, { type: 'none' }>;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  /** Shared secret of this registry's forge webhook (webhooks/). */
  webhookSecret?: string;
}

export async function sealSecrets(box: SecretBox, secrets: RegistrySecrets): Promise<string | null> {
  const present = Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== undefined));
  return Object.keys(present).length === 0 ? null : box.seal(JSON.stringify(present));
}

export async function openSecrets(box: SecretBox, registry: RegistryRecord): Promise<RegistrySecrets> {
  if (registry.secretsCiphertext === null) return {};
  return JSON.parse(await box.open(registry.secretsCiphertext)) as RegistrySecrets;
}

/** What the API shows about credentials: kinds and the basic-auth user name, never a secret. */
export function summariseSecrets(secrets: RegistrySecrets): Record<string, unknown> {
  return {
    auth: secrets.auth?.type ?? 'none',
    ...(secrets.auth?.type === 'basic' ? { username: secrets.auth.username } : {}),
    caCert: secrets.caCert !== undefined,
    clientCert: secrets.clientCert !== undefined,
    clientKey: secrets.clientKey !== undefined,
    webhookSecret: secrets.webhookSecret !== undefined,
  };
}

export function connectionOf(
  registry: Pick<RegistryRecord, 'url' | 'allowHttp' | 'subPath' | 'tagPattern' | 'semverRange' | 'strictVersion'> &
    Partial<Pick<RegistryRecord, 'kind'>>,
  secrets: RegistrySecrets,
): RegistryConnection {
  const tls =
    secrets.caCert !== undefined || secrets.clientCert !== undefined || secrets.clientKey !== undefined
      ? { caCert: secrets.caCert, clientCert: secrets.clientCert, clientKey: secrets.clientKey }
      : undefined;
  return {
    kind: registry.kind ?? 'git',
    url: registry.url,
    allowHttp: registry.allowHttp,
    subPath: registry.subPath,
    ...(registry.tagPattern !== null ? { tagPattern: registry.tagPattern } : {}),
    ...(registry.semverRange !== null ? { semverRange: registry.semverRange } : {}),
    strictVersion: registry.strictVersion,
    auth: secrets.auth ?? { type: 'none' },
    ...(tls !== undefined ? { tls } : {}),
  };
}

export async function connectionFor(box: SecretBox, registry: RegistryRecord): Promise<RegistryConnection> {
  return connectionOf(registry, await openSecrets(box, registry));
}
