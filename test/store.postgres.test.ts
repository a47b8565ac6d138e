import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentsContract } from '../src/store/deployments.contract.js';
import { openStore } from '../src/store/node/open.js';
import { openPostgresStore } from '../src/store/node/postgres.js';
import { sessionsContract } from '../src/store/sessions.contract.js';
import { registryInput, storeContract } from '../src/store/store.contract.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { postgresHarness } from './support/store-harness.js';

describe.skipIf(!postgresTestUrl)(`PostgreSQL store${postgresSkipReason}`, () => {
  storeContract('PostgreSQL', postgresHarness);
  deploymentsContract('PostgreSQL', postgresHarness);
  sessionsContract('PostgreSQL', postgresHarness);

  describe('start-up', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database.drop());

    it('several processes starting at once on a fresh database migrate it once', async () => {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openStore({ databaseUrl: database.url, dataDir: '/nonexistent', poolSize: 2 })),
      );
      try {
        expect(await Promise.all(stores.map((store) => store.ready()))).toEqual([true, true, true, true]);
        const created = await stores[0]!.registries.create(registryInput('shared'));
        expect(await stores[3]!.registries.get(created.id)).toEqual(created);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });

    it('a wrong database URL fails with a clear error that does not show the password', async () => {
      const url = new URL(database.url);
      url.password = 'hunter2-secret';
      url.pathname = '/does_not_exist_db';
      const error = await openPostgresStore({ url: url.toString() }).catch((e) => e);
      expect(error.message).toMatch(/cannot open PostgreSQL at postgres:\/\/127\.0\.0\.1:\d+\/does_not_exist_db/);
      expect(error.message).not.toContain('hunter2-secret');
    });
  });
});
