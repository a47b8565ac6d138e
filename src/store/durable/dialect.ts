/**
 * Kysely on the SQLite database of a Durable Object (`ctx.storage.sql`), with Kysely's
 * transactions and savepoints mapped onto `ctx.storage.transaction()`: the Durable Object API
 * refuses BEGIN and SAVEPOINT statements, but its async transaction may await anything and nests
 * (an inner failure rolls back only the inner work). One connection serves the object, so a
 * transaction holds it and every other query waits for the commit, as on Node's SQLite.
 * The storage is described structurally (no Workers types), so the shared typecheck covers it.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** The part of a Durable Object's `SqlStorage` the dialect uses. */
export interface SqlStorageLike {
  exec(query: string, ...bindings: unknown[]): { toArray(): Record<string, unknown>[] };
}

/** The part of a Durable Object's storage the dialect uses. */
export interface DurableStorageLike {
  sql: SqlStorageLike;
  transaction<T>(work: () => Promise<T>): Promise<T>;
}

/** A transaction of the storage kept open until Kysely commits or rolls it back. */
interface OpenTransaction {
  end(outcome: 'commit' | 'rollback'): Promise<void>;
}

/** Thrown inside the storage transaction to roll it back; never leaves this module. */
const ROLLBACK = new Error('rolled back');

function openTransaction(storage: DurableStorageLike): Promise<OpenTransaction> {
  return new Promise((opened) => {
    let finish: (outcome: 'commit' | 'rollback') => void = () => undefined;
    const ended = new Promise<'commit' | 'rollback'>((resolve) => {
      finish = resolve;
    });
    const settled = storage
      .transaction(async () => {
        opened({
          end: async (outcome) => {
            finish(outcome);
            await settled;
          },
        });
        if ((await ended) === 'rollback') throw ROLLBACK;
      })
      .catch((error: unknown) => {
        if (error !== ROLLBACK) throw error;
      });
  });
}

class DurableConnection implements DatabaseConnection {
  readonly #sql: SqlStorageLike;

  constructor(sql: SqlStorageLike) {
    this.#sql = sql;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const rows = this.#sql.exec(compiled.sql, ...compiled.parameters).toArray() as R[];
    if (compiled.query.kind === 'SelectQueryNode') return { rows };
    const [changed] = this.#sql.exec('select changes() as count').toArray();
    return { rows, numAffectedRows: BigInt(Number(changed?.count ?? 0)) };
  }

  // biome-ignore lint/correctness/useYield: the store never streams; the interface requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the Durable Object store');
  }
}

class DurableDriver implements Driver {
  readonly #storage: DurableStorageLike;
  readonly #connection: DurableConnection;
  /** Transactions and savepoints open now, innermost last. */
  readonly #open: OpenTransaction[] = [];
  /** Settles when the current holder releases the one connection. */
  #free: Promise<void> = Promise.resolve();
  #release: () => void = () => undefined;

  constructor(storage: DurableStorageLike) {
    this.#storage = storage;
    this.#connection = new DurableConnection(storage.sql);
  }

  async init(): Promise<void> {}

  /** The one connection, handed out in turn (a transaction keeps it until it ends). */
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#free;
    let release: () => void = () => undefined;
    this.#free = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#release();
  }

  async beginTransaction(): Promise<void> {
    this.#open.push(await openTransaction(this.#storage));
  }

  async commitTransaction(): Promise<void> {
    await this.#end('commit');
  }

  async rollbackTransaction(): Promise<void> {
    await this.#end('rollback');
  }

  async savepoint(): Promise<void> {
    await this.beginTransaction();
  }

  async rollbackToSavepoint(): Promise<void> {
    await this.#end('rollback');
  }

  async releaseSavepoint(): Promise<void> {
    await this.#end('commit');
  }

  async destroy(): Promise<void> {}

  async #end(outcome: 'commit' | 'rollback'): Promise<void> {
    const innermost = this.#open.pop();
    if (!innermost) throw new Error(`${outcome} without an open transaction`);
    await innermost.end(outcome);
  }
}

export class DurableObjectDialect implements Dialect {
  readonly #storage: DurableStorageLike;

  constructor(storage: DurableStorageLike) {
    this.#storage = storage;
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createDriver(): Driver {
    return new DurableDriver(this.#storage);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
}
