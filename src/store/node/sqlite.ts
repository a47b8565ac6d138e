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
  type LogEvent,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type { Store } from '../interface.js';
import { createKyselyStore } from '../kysely-store.js';
import { migrateToLatest } from '../migrate.js';
import type { Database as Tables } from '../schema.js';
import { nodeTransactionScope } from './transaction-scope.js';

/** Milliseconds a writer waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** Prepared statements kept per SQL text; the store issues a few dozen distinct queries. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * One better-sqlite3 connection with a statement cache: Kysely's own connection prepares every
 * query again, which was the largest cost of a store call (17% of CPU in bench/store.bench.ts).
 */
class CachingSqliteConnection implements DatabaseConnection {
  readonly #database: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(database: Database.Database) {
    this.#database = database;
  }

  #prepare(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement) {
      // Re-inserting keeps the map in least-recently-used order.
      this.#statements.delete(text);
    } else {
      statement = this.#database.prepare(text);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
    }
    this.#statements.set(text, statement);
    return statement;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // biome-ignore lint/correctness/useYield: the store never streams; the interface requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the SQLite store');
  }
}

/**
 * Kysely's SqliteDriver with two changes: it hands out the caching connection (the parent's
 * mutex still serialises its use), and BEGIN IMMEDIATE takes the write lock at the start of a
 * transaction. With Kysely's default deferred BEGIN, a transaction that reads and then writes
 * fails at once with SQLITE_BUSY_SNAPSHOT when another process (e.g. `margo-bridge poll` beside
 * `serve`) wrote in between: the busy timeout cannot help a read lock that must be upgraded.
 */
class MargoSqliteDriver extends SqliteDriver {
  readonly #connection: CachingSqliteConnection;

  constructor(config: SqliteDialectConfig, database: Database.Database) {
    super(config);
    this.#connection = new CachingSqliteConnection(database);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await super.acquireConnection();
    return this.#connection;
  }

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
  readonly #database: Database.Database;
  constructor(database: Database.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new MargoSqliteDriver({ database: this.#database }, this.#database);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export interface SqliteStoreOptions {
  /** Database file; ':memory:' for a private in-memory database. */
  path: string;
  now?: () => number;
  /** Called with the SQL of every statement run, transaction control included (tests count them). */
  onStatement?: (sql: string) => void;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const database = new Database(options.path, { timeout: BUSY_TIMEOUT_MS });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const { onStatement } = options;
  const db = new Kysely<Tables>({
    dialect: new MargoSqliteDialect(database),
    ...(onStatement ? { log: (event: LogEvent) => onStatement(event.query.sql) } : {}),
  });
  try {
    await migrateToLatest(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createKyselyStore({ db, dialect: 'sqlite', now: options.now, scope: nodeTransactionScope() });
}
