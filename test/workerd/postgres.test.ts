/**
 * The store contracts (tables, deployments, sessions) and the job queue contract inside workerd on
 * PostgreSQL, through `pg` and a Hyperdrive binding (runtime/worker/postgres.ts): miniflare's local
 * Hyperdrive forwards to the private test PostgreSQL. Each suite gets its own database there.
 */
import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../../src/errors.js';
import { queueContract } from '../../src/jobs/queue.contract.js';
import { openHyperdriveStore } from '../../src/runtime/worker/postgres.js';
import { deploymentsContract } from '../../src/store/deployments.contract.js';
import { sessionsContract } from '../../src/store/sessions.contract.js';
import { type StoreHarness, storeContract, TABLES } from '../../src/store/store.contract.js';
import { createTestDatabase, hyperdriveSkipReason, testHyperdrive, testPool, uniqueDatabaseName } from './postgres.js';

async function hyperdriveHarness(): Promise<StoreHarness> {
  const database = await createTestDatabase(uniqueDatabaseName());
  const raw = testPool(database.url);
  return {
    open: (now) => openHyperdriveStore(database.url, { now }),
    raw: async (statement) => (await raw.query(statement)).rows,
    async cleanup() {
      await raw.end();
      await database.drop();
    },
  };
}

describe.skipIf(!testHyperdrive)(`PostgreSQL through Hyperdrive${hyperdriveSkipReason}`, () => {
  storeContract('PostgreSQL through Hyperdrive (workerd)', hyperdriveHarness);
  deploymentsContract('PostgreSQL through Hyperdrive (workerd)', hyperdriveHarness);
  sessionsContract('PostgreSQL through Hyperdrive (workerd)', hyperdriveHarness);

  it('a database that does not exist fails with a clear error that shows neither user nor password', async () => {
    const url = new URL(testHyperdrive!.connectionString);
    url.pathname = '/does_not_exist_db';
    const error = await openHyperdriveStore(url.toString()).catch((caught: unknown) => caught);
    expect(isBridgeError(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^cannot open PostgreSQL at postgres(ql)?:\/\/[^@/]+\/does_not_exist_db(\?\S*)? \(Hyperdrive\): .*does_not_exist_db/,
    );
    expect(message).not.toContain(`:${url.password}@`);
    expect(message).not.toContain(`//${url.username}`);
  });

  queueContract('PostgreSQL through Hyperdrive (workerd)', async () => {
    const harness = await hyperdriveHarness();
    return {
      open: harness.open,
      async empty() {
        for (const table of TABLES) await harness.raw(`delete from ${table}`);
      },
      cleanup: harness.cleanup,
    };
  });
});
