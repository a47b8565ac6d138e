/**
 * The PostgreSQL store on a `pg` pool, whatever runtime made the pool: Node (store/node/postgres.ts,
 * a pool of TCP connections) and Workers (runtime/worker/postgres.ts, `pg` through a Hyperdrive
 * binding). Same tables, migrations and queries on both.
 */
import { Kysely, PostgresDialect, type PostgresPool, sql } from 'kysely';
import { BridgeError } from '../errors.js';
import type { Store } from './interface.js';
import { createKyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import type { TransactionScope } from './transaction-scope.js';

export interface PostgresPoolOptions {
  /** Where the pool connects, without credentials: named in the error when it cannot. */
  label: string;
  scope: TransactionScope;
  now?: () => number;
}

/** Checks the connection, applies pending migrations (under an advisory lock) and returns the store. */
export async function openPostgresPool(pool: PostgresPool, options: PostgresPoolOptions): Promise<Store> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    const message = error instanceof Error ? error.message : String(error);
    throw new BridgeError('INTERNAL', `cannot open PostgreSQL at ${options.label}: ${message}`);
  }
  try {
    await migrateToLatest(db, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createKyselyStore({ db, dialect: 'postgres', now: options.now, scope: options.scope });
}
