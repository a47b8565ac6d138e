/**
 * The contract every Store implementation passes (run by test/store.sqlite.test.ts and
 * test/store.postgres.test.ts). Each suite has its own database; tables are emptied before each test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import { batchHandlingContract } from './batch-handling.contract.js';
import type { DeliveryRecord, RegistryInput, Store, VersionInput } from './interface.js';
import { migrations } from './migrations/index.js';
import { registriesContract } from './registries.contract.js';
import { versionsContract } from './versions.contract.js';

export interface StoreHarness {
  /** Opens a store on the suite's database; every call opens the same database again. */
  open(now: () => number): Promise<Store>;
  /** Runs raw SQL on a separate connection (to look at what the database really holds). */
  raw(statement: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export const TABLES = [
  'proposals',
  'deployments',
  'deployment_repositories',
  'resources',
  'versions',
  'applications',
  'events',
  'deliveries',
  'sessions',
  'tokens',
  'jobs',
  'registries',
] as const;

export function registryInput(name: string, overrides: Partial<RegistryInput> = {}): RegistryInput {
  return {
    name,
    url: `https://git.example.com/acme/${name}.git`,
    urlKey: `git.example.com/acme/${name}`,
    subPath: '',
    tagPattern: null,
    semverRange: null,
    strictVersion: false,
    allowHttp: false,
    pollInterval: 300,
    secretsCiphertext: null,
    credentialSummary: {},
    configured: false,
    ...overrides,
  };
}

export function versionInput(registryId: string, tag: string, overrides: Partial<VersionInput> = {}): VersionInput {
  return {
    registryId,
    applicationId: 'app-a',
    tag,
    commit: 'a'.repeat(40),
    version: tag.replace(/^v/, ''),
    state: 'valid',
    shape: 'V5',
    description: { id: 'app-a', metadata: { name: 'App A', version: tag.replace(/^v/, '') } },
    errors: [],
    warnings: [],
    ...overrides,
  };
}

/** A pending GitHub push delivery received at `receivedAt`. */
export function deliveryInput(deliveryId: string, receivedAt: number): Omit<DeliveryRecord, 'id'> {
  return {
    forge: 'github',
    deliveryId,
    event: 'push',
    action: null,
    repositoryUrl: null,
    result: 'pending',
    jobId: null,
    payload: { kind: 'tag', n: deliveryId },
    receivedAt,
    handledAt: null,
  };
}

export const issue = {
  severity: 'error' as const,
  code: 'REQUIRED',
  message: 'id is required',
  path: 'id',
  line: 1,
  column: 1,
};

/**
 * Declares the hooks of a contract suite (call it inside `describe`): one store on the suite's own
 * database, opened once with `now` and closed at the end, every table emptied before each test.
 * `onEach` receives the opened harness and store before each test.
 */
export function useSuiteStore(
  setup: () => Promise<StoreHarness>,
  now: () => number,
  onEach: (opened: { harness: StoreHarness; store: Store }) => void,
): void {
  let opened: { harness: StoreHarness; store: Store } | undefined;
  beforeAll(async () => {
    const harness = await setup();
    opened = { harness, store: await harness.open(now) };
  });
  afterAll(async () => {
    await opened?.store.close();
    await opened?.harness.cleanup();
  });
  beforeEach(async () => {
    if (!opened) throw new Error('the suite store did not open');
    for (const table of TABLES) await opened.harness.raw(`delete from ${table}`);
    onEach(opened);
  });
}

export function storeContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    const time = 1_700_000_000_000;
    const now = () => time;

    useSuiteStore(setup, now, (opened) => {
      ({ harness, store } = opened);
    });

    it('is ready after opening: reachable, migrations applied; opening again is a no-op', async () => {
      expect(await store.ready()).toBe(true);
      const again = await harness.open(now);
      expect(await again.ready()).toBe(true);
      await again.close();
      const applied = await harness.raw('select name from kysely_migration');
      expect(applied.map((row) => row.name)).toEqual(Object.keys(migrations('sqlite')).sort());
    });

    it('events: adds and lists per registry, newest first', async () => {
      const registry = await store.registries.create(registryInput('r'));
      const first = await store.events.add({
        registryId: registry.id,
        kind: 'TAG_MOVED',
        tag: 'v1',
        detail: { from: 'a', to: 'b' },
      });
      const second = await store.events.add({ registryId: registry.id, kind: 'TAG_DELETED', tag: 'v2', detail: {} });
      expect(first).toMatchObject({ kind: 'TAG_MOVED', tag: 'v1', detail: { from: 'a', to: 'b' }, createdAt: time });
      expect(await store.events.list(registry.id)).toEqual([second, first]);
      expect(await store.events.list(registry.id, { kind: 'TAG_MOVED' })).toEqual([first]);
      expect(await store.events.list(registry.id, { kind: 'WEBHOOK_RECEIVED' })).toEqual([]);
    });

    it('deliveries: unique per forge and delivery id, updatable, listed newest first', async () => {
      const record = {
        forge: 'github' as const,
        deliveryId: 'd-1',
        event: 'push',
        action: null,
        repositoryUrl: 'https://github.com/acme/app',
        result: 'pending' as const,
        jobId: null,
        payload: { kind: 'tag', tags: ['v1'] },
        receivedAt: time,
        handledAt: null,
      };
      const first = await store.deliveries.insert(record);
      expect(first.created).toBe(true);
      expect(first.delivery).toMatchObject(record);
      const again = await store.deliveries.insert({ ...record, event: 'other' });
      expect(again).toEqual({ delivery: first.delivery, created: false });
      const gitea = await store.deliveries.insert({ ...record, forge: 'gitea', receivedAt: time + 5 });
      expect(gitea.created).toBe(true);
      await store.deliveries.update(first.delivery.id, { result: 'handled', jobId: 'job-1', handledAt: time + 9 });
      expect(await store.deliveries.get(first.delivery.id)).toMatchObject({
        result: 'handled',
        jobId: 'job-1',
        handledAt: time + 9,
      });
      expect((await store.deliveries.list(10)).map((d) => d.forge)).toEqual(['gitea', 'github']);
      expect(await store.deliveries.list(1)).toHaveLength(1);
      expect(await store.deliveries.get('missing')).toBeUndefined();
    });

    it('deliveries: inserts many in one statement, telling new from stored before; links jobs; finishes once', async () => {
      const record = (deliveryId: string, forge: 'github' | 'gitea' = 'github') => ({
        forge,
        deliveryId,
        event: 'push',
        action: null,
        repositoryUrl: null,
        result: 'pending' as const,
        jobId: null,
        payload: { kind: 'tag', n: deliveryId },
        receivedAt: time,
        handledAt: null,
      });
      const before = await store.deliveries.insert(record('old'));
      expect(await store.deliveries.insertMany([])).toEqual([]);
      const results = await store.deliveries.insertMany([
        record('new-1'),
        { ...record('old'), event: 'other' },
        record('new-2'),
        { ...record('new-1'), event: 'repeated' },
        record('new-1', 'gitea'),
      ]);
      expect(results.map((r) => [r.delivery.forge, r.delivery.deliveryId, r.created])).toEqual([
        ['github', 'new-1', true],
        ['github', 'old', false],
        ['github', 'new-2', true],
        ['github', 'new-1', false],
        ['gitea', 'new-1', true],
      ]);
      expect(results[1]!.delivery).toEqual(before.delivery);
      expect(results[3]!.delivery).toEqual(results[0]!.delivery);
      expect(results[0]!.delivery).toMatchObject(record('new-1'));
      expect(await store.deliveries.list(10)).toHaveLength(4);

      await store.deliveries.setJobIds([]);
      await store.deliveries.setJobIds([
        { id: results[0]!.delivery.id, jobId: 'job-a' },
        { id: results[2]!.delivery.id, jobId: 'job-b' },
      ]);
      expect((await store.deliveries.get(results[0]!.delivery.id))?.jobId).toBe('job-a');
      expect((await store.deliveries.get(results[2]!.delivery.id))?.jobId).toBe('job-b');
      expect((await store.deliveries.get(before.delivery.id))?.jobId).toBeNull();

      const id = results[0]!.delivery.id;
      expect(await store.deliveries.finish(id, { result: 'handled', handledAt: time + 5, jobId: 'poll-1' })).toBe(true);
      expect(await store.deliveries.finish(id, { result: 'ignored', handledAt: time + 9 })).toBe(false);
      expect(await store.deliveries.get(id)).toMatchObject({ result: 'handled', handledAt: time + 5, jobId: 'poll-1' });
      expect(await store.deliveries.finish('missing', { result: 'handled', handledAt: time })).toBe(false);
      // Concurrent finishers of one delivery, each in its own transaction (on Postgres each on its
      // own pooled connection, really at once): exactly one moves it on.
      const target = results[2]!.delivery.id;
      const finished = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          store.transaction((tx) => tx.deliveries.finish(target, { result: 'handled', handledAt: time + i })),
        ),
      );
      expect(finished.filter(Boolean)).toHaveLength(1);
    });

    it('tokens: by hash only; a duplicate hash is a CONFLICT', async () => {
      const token = await store.tokens.create({ name: 'admin', role: 'admin', tokenHash: 'f'.repeat(64) });
      expect(await store.tokens.findByHash('f'.repeat(64))).toEqual(token);
      expect(await store.tokens.findByHash('0'.repeat(64))).toBeUndefined();
      const duplicate = await store.tokens
        .create({ name: 'x', role: 'viewer', tokenHash: 'f'.repeat(64) })
        .catch((e) => e);
      expect(isBridgeError(duplicate, 'CONFLICT')).toBe(true);
      await store.tokens.create({ name: 'ci', role: 'viewer', tokenHash: 'e'.repeat(64) });
      expect((await store.tokens.list()).map((t) => t.name)).toEqual(['admin', 'ci']);
      await store.tokens.delete(token.id);
      expect(await store.tokens.findByHash('f'.repeat(64))).toBeUndefined();
    });

    describe('transactions', () => {
      it('commits the state change and its job together', async () => {
        const registry = await store.transaction(async (tx) => {
          const created = await tx.registries.create(registryInput('r'));
          await tx.jobs.enqueue({ kind: 'poll', payload: { registryId: created.id }, dedupeKey: `poll:${created.id}` });
          return created;
        });
        expect(await store.registries.get(registry.id)).toEqual(registry);
        expect((await store.jobs.list({})).map((job) => job.payload)).toEqual([{ registryId: registry.id }]);
      });

      it('rolls back the state change and its job when the work throws', async () => {
        const error = await store
          .transaction(async (tx) => {
            await tx.registries.create(registryInput('r'));
            await tx.jobs.enqueue({ kind: 'poll', payload: {} });
            throw new Error('boom');
          })
          .catch((e) => e);
        expect(error.message).toBe('boom');
        expect(await store.registries.list()).toEqual([]);
        expect(await store.jobs.list({})).toEqual([]);
        expect(await harness.raw('select id from jobs')).toEqual([]);
      });

      it('nests as a savepoint: an inner failure undoes only the inner work', async () => {
        await store.transaction(async (tx) => {
          await tx.registries.create(registryInput('outer'));
          await tx
            .transaction(async (inner) => {
              await inner.registries.create(registryInput('inner'));
              await inner.jobs.enqueue({ kind: 'poll', payload: {} });
              throw new Error('inner');
            })
            .catch(() => undefined);
          await tx.transaction((inner) => inner.registries.create(registryInput('inner-ok')));
        });
        expect((await store.registries.list()).map((r) => r.name)).toEqual(['inner-ok', 'outer']);
        expect(await store.jobs.list({})).toEqual([]);
      });

      it('runs concurrent version inserts (each with its own savepoint) inside one transaction', async () => {
        const registry = await store.registries.create(registryInput('r'));
        const icon = { name: 'icon', path: 'icon.png', contentType: 'image/png', bytes: new Uint8Array([9]) };
        await store.transaction((tx) =>
          Promise.all(
            ['v1.0.0', 'v1.1.0', 'v1.2.0'].map((tag) => tx.versions.insert(versionInput(registry.id, tag), [icon])),
          ),
        );
        const versions = await store.versions.listByRegistry(registry.id);
        expect(versions.map((version) => version.tag).sort()).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
        for (const version of versions) expect(await store.versions.resource(version.id, 'icon')).toEqual(icon);
      });

      it('groups concurrent deliveries with their jobs into one transaction', async () => {
        const ids = Array.from({ length: 20 }, (_, i) => `delivery-${i}`);
        await store.transaction((tx) =>
          Promise.all(
            ids.map(async (deliveryId) => {
              const { delivery } = await tx.deliveries.insert({
                forge: 'github',
                deliveryId,
                event: 'push',
                action: null,
                repositoryUrl: null,
                result: 'pending',
                jobId: null,
                payload: {},
                receivedAt: time,
                handledAt: null,
              });
              const job = await tx.jobs.enqueue({ kind: 'delivery', payload: { deliveryId: delivery.id } });
              await tx.deliveries.update(delivery.id, { jobId: job.id });
            }),
          ),
        );
        const stored = await store.deliveries.list(100);
        expect(stored).toHaveLength(20);
        const jobIds = new Set((await store.jobs.list({ kind: 'delivery' })).map((job) => job.id));
        expect(stored.every((delivery) => delivery.jobId !== null && jobIds.has(delivery.jobId))).toBe(true);
      });

      it('a concurrent query outside the transaction never sees half of it, and nothing deadlocks', async () => {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        let signalInserted: () => void = () => undefined;
        const inserted = new Promise<void>((resolve) => {
          signalInserted = resolve;
        });
        const work = store.transaction(async (tx) => {
          await tx.registries.create(registryInput('one'));
          await tx.registries.create(registryInput('two'));
          signalInserted();
          await gate;
        });
        await inserted;
        // SQLite makes this read wait for the commit; Postgres answers from before the transaction.
        const read = store.registries.list();
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        await work;
        expect([0, 2]).toContain((await read).length);
        expect(await store.registries.list()).toHaveLength(2);
      });

      it('refuses the outer store inside its own transaction with a clear error instead of deadlocking', async () => {
        const error = await store
          .transaction(async (tx) => {
            await tx.registries.create(registryInput('r'));
            await store.registries.list();
          })
          .catch((e) => e);
        expect(isBridgeError(error, 'INTERNAL')).toBe(true);
        expect(error.message).toMatch(/use the tx/);
        expect(await store.registries.list()).toEqual([]);
        // Again in a later transaction, after the store was used outside any (the Node scope is
        // switched off while no transaction is open), and from a callback's deeper async work.
        const again = await store
          .transaction(async () => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            await Promise.resolve().then(() => store.registries.list());
          })
          .catch((e) => e);
        expect(isBridgeError(again, 'INTERNAL')).toBe(true);
        expect(await store.registries.list()).toEqual([]);
      });
    });
  });
  registriesContract(name, setup);
  versionsContract(name, setup);
  batchHandlingContract(name, setup);
}
