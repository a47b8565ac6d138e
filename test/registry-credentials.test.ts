/**
 * Credentials at rest: a registry created through the flow (as the API and the configuration file
 * create it) leaves only ciphertext in the database, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSecrets } from '../src/flows/connection.js';
import { createRegistry } from '../src/flows/registries.js';
import type { Services } from '../src/services.js';
import type { Store } from '../src/store/interface.js';
import type { StoreHarness } from '../src/store/store.contract.js';
import { postgresSkipReason, postgresTestUrl } from './support/postgres.js';
import { postgresHarness, sqliteHarness } from './support/store-harness.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const databases = [
  { name: 'SQLite', skip: false, harness: sqliteHarness },
  { name: `PostgreSQL${postgresSkipReason}`, skip: !postgresTestUrl, harness: postgresHarness },
];

for (const database of databases) {
  describe.skipIf(database.skip)(`registry credentials at rest on ${database.name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    let base: TestServices;
    let services: Services;

    beforeAll(async () => {
      harness = await database.harness();
      store = await harness.open(Date.now);
      base = await webhookTestServices();
      services = { ...base.services, store };
    });
    afterAll(async () => {
      await store?.close();
      await base?.close();
      await harness?.cleanup();
    });

    it('stores the password, TLS key and webhook secret only as ciphertext, and opens them again', async () => {
      const secrets = {
        password: 'correct-horse-battery-staple',
        clientKey: '-----BEGIN PRIVATE KEY-----\nkey-material-7f3a\n-----END PRIVATE KEY-----',
        webhookSecret: 'whsec-5b1e9c0d',
      };
      const created = await createRegistry(
        services,
        {
          name: 'secret',
          url: 'https://git.example.com/acme/registry.git',
          auth: { type: 'basic', username: 'ci', password: secrets.password },
          clientCert: '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----',
          clientKey: secrets.clientKey,
          webhookSecret: secrets.webhookSecret,
        },
        { skipConnectionTest: true },
      );

      const rows = await harness.raw('select * from registries');
      expect(rows).toHaveLength(1);
      const raw = JSON.stringify(rows);
      for (const secret of Object.values(secrets)) expect(raw).not.toContain(secret);
      expect(rows[0]?.secrets_ciphertext).toEqual(expect.any(String));
      expect(rows[0]?.secrets_ciphertext).toBe(created.secretsCiphertext);

      const opened = await openSecrets(services.secretBox, created);
      expect(opened.auth).toEqual({ type: 'basic', username: 'ci', password: secrets.password });
      expect(opened.clientKey).toBe(secrets.clientKey);
      expect(opened.webhookSecret).toBe(secrets.webhookSecret);
    });
  });
}
