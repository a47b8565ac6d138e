/**
 * The shared store: PostgreSQL through `pg`. Several margo-bridge processes may use one
 * database; the job queue claims with FOR UPDATE SKIP LOCKED and migrations take an advisory lock.
 */
import pg from 'pg';
import { redactUrl } from '../../urls.js';
import type { Store } from '../interface.js';
import { openPostgresPool } from '../postgres.js';
import { nodeTransactionScope } from './transaction-scope.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  now?: () => number;
  /** An idle connection failed (e.g. the server restarted); the pool replaces it. Default: ignored. */
  onIdleError?: (error: Error) => void;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // Without a listener an idle client's error would crash the process. A client the pool is still
  // ending after `close()` has no pool listener any more, so each client keeps one of its own:
  // the server ending such a connection (a restart, a dropped database) must not crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  return openPostgresPool(pool, { label: redactUrl(options.url), now: options.now, scope: nodeTransactionScope() });
}
