import { type Kysely, Migrator } from 'kysely';
import { BridgeError } from '../errors.js';
import { migrationProvider } from './migrations/index.js';
import type { Database, DialectName } from './schema.js';

/**
 * Applies every pending migration. Safe when several processes start at once: on Postgres
 * Kysely's migrator holds an advisory lock for the run; on SQLite the run is one
 * BEGIN IMMEDIATE transaction (see sqlite.ts), so a second process waits and then finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new BridgeError('INTERNAL', `database migration${failed ? ` '${failed}'` : ''} failed: ${message}`);
  }
}
