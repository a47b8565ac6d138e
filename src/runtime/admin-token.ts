/**
 * The first admin token. MARGO_BRIDGE_ADMIN_TOKEN is registered as an admin token at every
 * start. Without it, `serve` mints one only after the server listens (startService), on a
 * database that has no token at all, and prints it at once: a start that cannot listen never
 * mints a token nobody sees.
 */
import { isBridgeError } from '../errors.js';
import type { Services } from '../services.js';

/** Where the admin token of this start comes from, for the start banner. */
export type AdminToken =
  | { source: 'environment' }
  | { source: 'generated'; token: string }
  /** Tokens exist already: the first one was printed when it was minted. */
  | { source: 'earlier' };

export async function registerConfiguredAdminToken(services: Services): Promise<void> {
  const { store, config } = services;
  if (config.adminToken === undefined) return;
  const tokenHash = await services.hashToken(config.adminToken);
  if (await store.tokens.findByHash(tokenHash)) return;
  // A process starting at the same time may register it first (unique hash): that is fine.
  await store.tokens
    .create({ name: 'admin (MARGO_BRIDGE_ADMIN_TOKEN)', role: 'admin', tokenHash })
    .catch((error: unknown) => {
      if (!isBridgeError(error, 'CONFLICT')) throw error;
    });
}

/** Call once the server listens; the caller prints a generated token at once. */
export async function mintFirstAdminToken(services: Services): Promise<AdminToken> {
  if (services.config.adminToken !== undefined) return { source: 'environment' };
  if ((await services.store.tokens.list()).length > 0) return { source: 'earlier' };
  const token = services.generateToken();
  await services.store.tokens.create({
    name: 'admin (generated at first start)',
    role: 'admin',
    tokenHash: await services.hashToken(token),
  });
  return { source: 'generated', token };
}
