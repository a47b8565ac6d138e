/**
 * The PostgreSQL store on Workers: the same store as the container's (store/postgres.ts), through
 * a Hyperdrive binding and `pg` (which opens its connections with `cloudflare:sockets` inside
 * workerd). Hyperdrive keeps the pool of real database connections near the database; the pool
 * here only holds the object's few connections to Hyperdrive.
 */
import pg from 'pg';
import type { Store } from '../../store/interface.js';
import { openPostgresPool } from '../../store/postgres.js';
import { redactUrl } from '../../urls.js';
import { workerTransactionScope } from './async-context.js';

/**
 * Connections to Hyperdrive held at once. A Worker may keep six outgoing connections open at a
 * time; two stay free for Git fetches and forge API calls. One job runs at a time on Workers.
 */
export const HYPERDRIVE_POOL_SIZE = 4;

export interface HyperdriveStoreOptions {
  /** A connection failed while idle (Hyperdrive or the database restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void;
  now?: () => number;
}

/** Opens the PostgreSQL store through `connectionString` (a Hyperdrive binding's) and migrates it. */
export function openHyperdriveStore(connectionString: string, options: HyperdriveStoreOptions = {}): Promise<Store> {
  // Idle connections stay open while the object lives (idleTimeoutMillis 0): Hyperdrive pools the
  // database's connections, and a socket pg-cloudflare closes reports "Stream was cancelled" as
  // an error of the idle client (it would be logged at every idle timeout).
  const pool = new pg.Pool({ connectionString, max: HYPERDRIVE_POOL_SIZE, idleTimeoutMillis: 0 });
  pool.on('error', (error) => options.onIdleError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  return openPostgresPool(pool, {
    label: `${redactUrl(connectionString)} (Hyperdrive)`,
    now: options.now,
    scope: workerTransactionScope(),
  });
}
