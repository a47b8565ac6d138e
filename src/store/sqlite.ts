/**
 * The embedded store: SQLite through better-sqlite3 (synchronous, one connection per process).
 * WAL with synchronous=NORMAL: a commit survives a process crash; only an OS crash or power
 * loss can lose the last transactions (FULL costs an fsync per commit, about 13x fewer
 * inserts per second on this machine; see docs/storage.md).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type { Store } from './interface.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { asyncTransactionScope } from './node-scope.js';
import type { Database as Tables } from './schema.js';

/** Milliseconds a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * BEGIN IMMEDIATE takes the write lock at the start of a transaction. With Kysely's default
 * deferred BEGIN, a transaction that reads and then writes fails at once with SQLITE_BUSY when
 * another process (e.g. `margo-bridge poll` beside `serve`) wrote in between: the busy timeout
 * cannot help a read lock that must be upgraded.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite's DDL is transactional: telling Kysely so makes the migrator run in one (immediate) transaction. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class MargoSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface SqliteStoreOptions {
  /** Database file; ':memory:' for a private in-memory database. */
  path: string;
  now?: () => number;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const database = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Tables>({ dialect: new MargoSqliteDialect({ database }) });
  try {
    await migrateToLatest(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createKyselyStore({ db, dialect: 'sqlite', now: options.now, scope: asyncTransactionScope() });
}
