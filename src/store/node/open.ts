import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../interface.js';
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
  const path = join(options.dataDir, SQLITE_FILE);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  await createPrivateFile(path);
  return openSqliteStore({ path, now: options.now });
}

/**
 * The database file, created 0600 (and tightened if an older start left it wider) before SQLite
 * opens it: SQLite gives its -wal and -shm files the mode of the database file.
 */
async function createPrivateFile(path: string): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
}
