import { join } from 'node:path';
import type { Store } from './interface.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';

export interface OpenStoreOptions {
  /** Postgres when set (DATABASE_URL), else SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  now?: () => number;
  /** Postgres pool size (default 10). */
  poolSize?: number;
}

/** The file name of the embedded database inside the data directory. */
export const SQLITE_FILE = 'margo-bridge.db';

/** Opens the configured store and applies pending migrations. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    return openPostgresStore({ url: options.databaseUrl, poolSize: options.poolSize, now: options.now });
  }
  return openSqliteStore({ path: join(options.dataDir, SQLITE_FILE), now: options.now });
}
