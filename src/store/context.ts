import type { Kysely } from 'kysely';
import type { Database, DialectName } from './schema.js';

/**
 * What one table's implementation receives from the store core (`kysely-store.ts`): each table
 * file is a `(ctx: TableContext) => Store['<table>']`, built once for the outer store and once
 * for every transaction or savepoint, so the same code runs in and outside transactions.
 */
export interface TableContext {
  /** The executor for one call: the database, or the open transaction; checked on every call. */
  db(): Kysely<Database>;
  dialect: DialectName;
  now(): number;
  /** Runs `work` atomically: a transaction from the outer store, a savepoint inside one. */
  atomically<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
}
