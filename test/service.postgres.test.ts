import { afterAll, describe } from 'vitest';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { serviceSuite } from './support/service-suite.js';

describe.skipIf(!postgresTestUrl)(`service on PostgreSQL${postgresSkipReason}`, () => {
  let database: TestDatabase | undefined;
  serviceSuite(async () => {
    database = await createTestDatabase();
    return database.url;
  });
  afterAll(async () => {
    await database?.drop();
  });
});
