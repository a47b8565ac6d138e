/**
 * One suite run twice: on SQLite (no database URL) and on a fresh PostgreSQL database, dropped
 * afterwards (skipped, saying why, without DATABASE_URL_TEST).
 */
import { afterAll, describe } from 'vitest';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './postgres.js';

/** Declares `suite` under `<title> (SQLite)` and `<title> (PostgreSQL)`. */
export function describeOnEachDatabase(
  title: string,
  suite: (databaseUrl: () => Promise<string | undefined>) => void,
): void {
  describe(`${title} (SQLite)`, () => {
    suite(async () => undefined);
  });
  describe.skipIf(!postgresTestUrl)(`${title} (PostgreSQL)${postgresSkipReason}`, () => {
    let database: TestDatabase | undefined;
    suite(async () => {
      database = await createTestDatabase();
      return database.url;
    });
    afterAll(async () => {
      await database?.drop();
    });
  });
}
