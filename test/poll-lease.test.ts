/**
 * Issue 5: a poll never runs twice at once for one registry, whatever starts it. Two workers (on
 * SQLite, one process's two worker loops; on PostgreSQL two stores with their own connection
 * pools, as two processes have) poll a registry on a slow Git server while polls arrive by every
 * path: the scheduler's key `poll:<id>`, the webhook's `poll:<id>:again`, and a direct call as
 * `margo-bridge poll` makes. The reader counts listings in flight; a tag pushed while the first
 * poll is past its listing must still be found (the deferred polls make the holder look again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../src/flows/handlers.js';
import { pollKey, pollRegistry, requestPoll } from '../src/flows/poll.js';
import { createRegistry } from '../src/flows/registries.js';
import { startWorker, type Worker } from '../src/jobs/worker.js';
import type { RegistryReader } from '../src/registry/interface.js';
import type { Services } from '../src/services.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { createRegistryRoot, publishRelease, removeRegistryRoot } from './support/registries.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const DELAY_MS = 150;

interface Listing {
  active: number;
  maxActive: number;
  calls: number;
  /** Holds the first listing after it has read the tags, until released. */
  gate: Promise<void>;
  release: () => void;
  firstListed: Promise<void>;
}

/** The real reader, counting listings in flight; the first one waits at the gate once it has the tags. */
function countingReader(inner: RegistryReader, listing: Listing, listed: () => void): RegistryReader {
  return {
    ...inner,
    listReleases: async (connection) => {
      listing.calls += 1;
      const first = listing.calls === 1;
      listing.active += 1;
      listing.maxActive = Math.max(listing.maxActive, listing.active);
      try {
        const releases = await inner.listReleases(connection);
        if (first) {
          listed();
          await listing.gate;
        }
        return releases;
      } finally {
        listing.active -= 1;
      }
    },
  };
}

function pollLeaseSuite(
  name: string,
  open: () => Promise<{ a: TestServices; b: TestServices; close(): Promise<void> }>,
) {
  describe(`poll lease: ${name}`, () => {
    let root: string;
    let server: GitServer;

    beforeAll(async () => {
      root = await createRegistryRoot();
      await publishRelease(root, 'app', 'v1.0.0', { 'margo.yaml': 'id: app\n' });
      server = await startGitServer({ root, delayMs: DELAY_MS });
    });
    afterAll(async () => {
      await server?.stop();
      if (root) await removeRegistryRoot(root);
    });

    it('never lists one registry twice at once, and a deferred "look now" is not lost', async () => {
      const opened = await open();
      const workers: Worker[] = [];
      let listed: () => void = () => undefined;
      let release: () => void = () => undefined;
      const listing: Listing = {
        active: 0,
        maxActive: 0,
        calls: 0,
        gate: new Promise<void>((resolve) => {
          release = resolve;
        }),
        release: () => release(),
        firstListed: new Promise<void>((resolve) => {
          listed = resolve;
        }),
      };
      try {
        const instrument = (services: Services): Services => ({
          ...services,
          registryReader: countingReader(services.registryReader, listing, listed),
        });
        const a = instrument(opened.a.services);
        const b = instrument(opened.b.services);
        const registry = await createRegistry(
          a,
          { name: 'app', url: server.url('app'), allowHttp: true },
          { skipConnectionTest: true },
        );
        for (const services of [a, b]) {
          const { poll } = createHandlers(services);
          workers.push(
            startWorker({
              queue: services.store.jobs,
              handlers: { poll: poll! },
              concurrency: 2,
              leaseMs: 30_000,
              pollIntervalMs: 20,
              backoff: { baseMs: 100, maxMs: 1000 },
            }),
          );
        }

        // The scheduler's poll starts and reads the tags (only v1.0.0); then v2.0.0 is pushed.
        await requestPoll(a, registry.id);
        await listing.firstListed;
        await publishRelease(root, 'app', 'v2.0.0', { 'margo.yaml': 'id: app\nversion: 2\n' });
        // Every other path asks for a poll while it runs: the webhook's follow-up key (via the
        // other store), the API (deduplicated onto the running job), and direct calls (CLI).
        const webhookFollowUp = await b.store.jobs.enqueue({
          kind: 'poll',
          payload: { registryId: registry.id },
          dedupeKey: `${pollKey(registry.id)}:again`,
        });
        await requestPoll(b, registry.id);
        const direct = await Promise.all([pollRegistry(b, registry.id), pollRegistry(a, registry.id)]);
        expect(direct).toEqual([{ outcome: 'deferred' }, { outcome: 'deferred' }]);
        await waitFor(async () => (await a.store.jobs.get(webhookFollowUp.id))?.state === 'done');
        expect(listing.calls).toBe(1);

        listing.release();
        // The holder polls once more before it lets go and finds v2.0.0.
        await waitFor(async () => (await a.store.jobs.list({ kind: 'ingest' })).length === 2);
        await waitFor(async () => (await a.store.jobs.list({ kind: 'poll', state: 'running' })).length === 0);
        const ingests = await a.store.jobs.list({ kind: 'ingest' });
        expect(ingests.map((job) => job.payload.tag).sort()).toEqual(['v1.0.0', 'v2.0.0']);
        expect(listing.maxActive).toBe(1);
        expect(listing.calls).toBe(2);
        // The lease is free again: the next poll runs at once (the ingests did not run, so both are new).
        const next = await pollRegistry(b, registry.id);
        expect(next.outcome === 'new' && [...next.newReleases].sort()).toEqual(['v1.0.0', 'v2.0.0']);
        expect(listing.calls).toBe(3);
        expect(listing.maxActive).toBe(1);
      } finally {
        listing.release();
        await Promise.all(workers.map((worker) => worker.stop()));
        await opened.close();
      }
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

pollLeaseSuite('SQLite, two workers in one process', async () => {
  const one = await webhookTestServices();
  return { a: one, b: one, close: () => one.close() };
});

describe.skipIf(!postgresTestUrl)(`PostgreSQL${postgresSkipReason}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  pollLeaseSuite('PostgreSQL, two stores (as two processes)', async () => {
    const a = await webhookTestServices({ databaseUrl: database.url });
    const b = await webhookTestServices({ databaseUrl: database.url });
    return {
      a,
      b,
      async close() {
        await b.close();
        await a.close();
      },
    };
  });
});
