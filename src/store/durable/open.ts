/** Opens the Kysely store on a Durable Object's SQLite database and applies pending migrations. */
import { Kysely } from 'kysely';
import type { Store } from '../interface.js';
import { createKyselyStore } from '../kysely-store.js';
import { migrateToLatest } from '../migrate.js';
import type { Database } from '../schema.js';
import type { TransactionScope } from '../transaction-scope.js';
import { DurableObjectDialect, type DurableStorageLike } from './dialect.js';

export async function openDurableStore(
  storage: DurableStorageLike,
  options: { now?: () => number; scope?: TransactionScope } = {},
): Promise<Store> {
  const db = new Kysely<Database>({ dialect: new DurableObjectDialect(storage) });
  await migrateToLatest(db, 'sqlite');
  return createKyselyStore({ db, dialect: 'sqlite', now: options.now, scope: options.scope });
}
