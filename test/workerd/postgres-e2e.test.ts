/**
 * The production Durable Object with a HYPERDRIVE binding (PostgresBridgeObject, test/workerd/worker.ts)
 * inside workerd, against the real test Git server: the service keeps its data in PostgreSQL through
 * Hyperdrive. A registry's first poll ingests v1.0.0; a signed GitHub delivery of a new tag brings
 * v1.1.0 in through the delivery, poll and ingest jobs. The jobs run through the object's `runJobs`,
 * as the Queue consumer calls it (the test's Queue wakes the SQLite object of wrangler.toml).
 */
import { env } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { createTestDatabase, hyperdriveSkipReason, testHyperdrive, testPool } from './postgres.js';
import { addRegistry, api, catalogueVersions, publish, sendTagPush, waitFor } from './support.js';
import { postgresBridgeDatabase } from './worker.js';

const APPLICATION = 'com-northstartida-hello-world';

describe.skipIf(!testHyperdrive)(`inside workerd on PostgreSQL through Hyperdrive${hyperdriveSkipReason}`, () => {
  it('a signed tag push brings the new version in; the rows are in PostgreSQL', async () => {
    const git = inject('gitServer');
    const id = env.PG_BRIDGE.newUniqueId();
    const database = await createTestDatabase(postgresBridgeDatabase(id));
    const bridge = env.PG_BRIDGE.get(id);
    const hasVersion = async (version: string) => {
      await bridge.runJobs();
      return (await catalogueVersions(APPLICATION, bridge)).includes(version);
    };
    try {
      await addRegistry('hello-pg', git.helloPostgresUrl, bridge);
      await waitFor(() => hasVersion('1.0.0'), 20_000);

      await publish(git.controlUrl, 'hello-pg', '1.1.0');
      const delivered = await sendTagPush(
        git.helloPostgresUrl,
        `${git.baseUrl}/hello-pg`,
        'v1.1.0',
        'workerd-postgres-1',
        bridge,
      );
      expect(delivered).toBe(202);
      await waitFor(() => hasVersion('1.1.0'), 20_000);

      const deliveries = await api<{ deliveries: { deliveryId: string; result: string }[] }>(
        'GET',
        '/api/v1/webhook-deliveries',
        undefined,
        bridge,
      );
      expect(deliveries.body.deliveries.find((delivery) => delivery.deliveryId === 'workerd-postgres-1')).toMatchObject(
        { result: 'handled' },
      );
      // The service's rows are in PostgreSQL, not in the object's SQLite.
      const raw = testPool(database.url);
      try {
        const versions = await raw.query('select version from versions order by version');
        expect(versions.rows.map((row) => row.version)).toEqual(['1.0.0', '1.1.0']);
      } finally {
        await raw.end();
      }
    } finally {
      await database.drop();
    }
  });
});
