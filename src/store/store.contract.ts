/**
 * The contract every Store implementation passes (run by test/store.sqlite.test.ts and
 * test/store.postgres.test.ts). Each suite has its own database; tables are emptied before each test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import type { RegistryInput, Store, VersionRecord } from './interface.js';

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

function versionInput(
  registryId: string,
  tag: string,
  overrides: Partial<Omit<VersionRecord, 'id' | 'createdAt'>> = {},
): Omit<VersionRecord, 'id' | 'createdAt'> {
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

const issue = {
  severity: 'error' as const,
  code: 'REQUIRED',
  message: 'id is required',
  path: 'id',
  line: 1,
  column: 1,
};

export function storeContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    let time = 1_700_000_000_000;
    const now = () => time;

    beforeAll(async () => {
      harness = await setup();
      store = await harness.open(now);
    });
    afterAll(async () => {
      await store?.close();
      await harness?.cleanup();
    });
    beforeEach(async () => {
      time = 1_700_000_000_000;
      for (const table of TABLES) await harness.raw(`delete from ${table}`);
    });

    it('is ready after opening: reachable, migrations applied; opening again is a no-op', async () => {
      expect(await store.ready()).toBe(true);
      const again = await harness.open(now);
      expect(await again.ready()).toBe(true);
      await again.close();
      const applied = await harness.raw('select name from kysely_migration');
      expect(applied.map((row) => row.name)).toEqual(Object.keys(migrations('sqlite')).sort());
    });

    describe('registries', () => {
      it('creates, reads by id, name and URL key, and lists by name', async () => {
        const b = await store.registries.create(registryInput('b-reg', { configured: true, strictVersion: true }));
        const a = await store.registries.create(
          registryInput('a-reg', { tagPattern: 'v*', semverRange: '>=1', credentialSummary: { auth: 'basic' } }),
        );
        expect(a).toMatchObject({
          name: 'a-reg',
          tagPattern: 'v*',
          semverRange: '>=1',
          strictVersion: false,
          configured: false,
          credentialSummary: { auth: 'basic' },
          lastPollAt: null,
          lastError: null,
          consecutiveFailures: 0,
          nextPollAt: time,
          createdAt: time,
          updatedAt: time,
        });
        expect(b).toMatchObject({ strictVersion: true, configured: true });
        expect(await store.registries.get(a.id)).toEqual(a);
        expect(await store.registries.getByName('b-reg')).toEqual(b);
        expect(await store.registries.get('missing')).toBeUndefined();
        expect((await store.registries.list()).map((r) => r.name)).toEqual(['a-reg', 'b-reg']);
        expect(await store.registries.findByUrlKey('git.example.com/acme/a-reg')).toEqual([a]);
      });

      it('refuses a second registry with the same name (CONFLICT) and keeps the first', async () => {
        await store.registries.create(registryInput('same'));
        const error = await store.registries.create(registryInput('same', { url: 'https://other' })).catch((e) => e);
        expect(isBridgeError(error, 'CONFLICT')).toBe(true);
        expect((await store.registries.getByName('same'))?.url).toBe('https://git.example.com/acme/same.git');
      });

      it('updates configuration only, bumps updatedAt, and reports NOT_FOUND and name conflicts', async () => {
        const created = await store.registries.create(registryInput('r1'));
        await store.registries.create(registryInput('r2'));
        time += 1000;
        const updated = await store.registries.update(created.id, {
          pollInterval: 60,
          allowHttp: true,
          tagPattern: null,
        });
        expect(updated).toMatchObject({
          pollInterval: 60,
          allowHttp: true,
          createdAt: created.createdAt,
          updatedAt: time,
        });
        expect(
          isBridgeError(await store.registries.update('missing', { pollInterval: 60 }).catch((e) => e), 'NOT_FOUND'),
        ).toBe(true);
        expect(
          isBridgeError(await store.registries.update(created.id, { name: 'r2' }).catch((e) => e), 'CONFLICT'),
        ).toBe(true);
        expect((await store.registries.update(created.id, { name: 'r1' })).name).toBe('r1');
      });

      it('records polls apart from configuration and lists due registries oldest first', async () => {
        const a = await store.registries.create(registryInput('a', { nextPollAt: time + 10 }));
        const b = await store.registries.create(registryInput('b', { nextPollAt: time + 5 }));
        await store.registries.create(registryInput('c', { nextPollAt: time + 1000 }));
        expect((await store.registries.due(time + 10, 10)).map((r) => r.name)).toEqual(['b', 'a']);
        expect((await store.registries.due(time + 10, 1)).map((r) => r.name)).toEqual(['b']);

        await store.registries.recordPoll(a.id, {
          at: time + 20,
          error: null,
          nextPollAt: time + 320,
          consecutiveFailures: 0,
        });
        await store.registries.recordPoll(b.id, {
          at: time + 20,
          error: 'REGISTRY_AUTH: 401',
          nextPollAt: time + 80,
          consecutiveFailures: 3,
        });
        const afterA = await store.registries.get(a.id);
        const afterB = await store.registries.get(b.id);
        expect(afterA).toMatchObject({
          lastPollAt: time + 20,
          lastSuccessAt: time + 20,
          lastError: null,
          updatedAt: time,
        });
        expect(afterB).toMatchObject({
          lastPollAt: time + 20,
          lastSuccessAt: null,
          lastError: 'REGISTRY_AUTH: 401',
          consecutiveFailures: 3,
          nextPollAt: time + 80,
        });
        // A failure keeps the time of the last success.
        await store.registries.recordPoll(a.id, {
          at: time + 400,
          error: 'boom',
          nextPollAt: time + 500,
          consecutiveFailures: 1,
        });
        expect((await store.registries.get(a.id))?.lastSuccessAt).toBe(time + 20);
      });

      it('poll lease: one holder at a time, across stores; "poll again" for the holder; expiry', async () => {
        const a = await store.registries.create(registryInput('a'));
        const other = await harness.open(now);
        try {
          expect(await store.registries.acquirePollLease(a.id, 'p1', time, time + 100)).toBe('acquired');
          // Another process finds it held and leaves "poll again" for the holder.
          expect(await other.registries.acquirePollLease(a.id, 'p2', time + 1, time + 101)).toBe('held');
          expect(await other.registries.renewPollLease(a.id, 'p2', time + 200)).toBe(false);
          expect(await store.registries.renewPollLease(a.id, 'p1', time + 150)).toBe(true);
          expect(await store.registries.releasePollLease(a.id, 'p1', time + 160)).toBe('again');
          // Still held by p1 for its second round, until the new expiry.
          expect(await other.registries.acquirePollLease(a.id, 'p2', time + 159, time + 300)).toBe('held');
          expect(await store.registries.releasePollLease(a.id, 'p1', time + 170)).toBe('again');
          expect(await store.registries.releasePollLease(a.id, 'p1', time + 170)).toBe('released');
          expect(await store.registries.releasePollLease(a.id, 'p1', time + 170)).toBe('lost');
          expect(await other.registries.acquirePollLease(a.id, 'p2', time + 2, time + 102)).toBe('acquired');
          // A holder that stopped renewing loses the lease when it expires; its late release changes nothing.
          expect(await store.registries.acquirePollLease(a.id, 'p3', time + 102, time + 500)).toBe('acquired');
          expect(await other.registries.releasePollLease(a.id, 'p2', time + 600)).toBe('lost');
          expect(await other.registries.acquirePollLease(a.id, 'p4', time + 103, time + 500)).toBe('held');
          expect(await store.registries.releasePollLease(a.id, 'p3', time + 600)).toBe('again');
          expect(await store.registries.releasePollLease(a.id, 'p3', time + 600)).toBe('released');
          expect(await store.registries.acquirePollLease('missing', 'p5', time, time + 100)).toBe('missing');
          // Taking the lease is atomic: of many concurrent takers, exactly one gets it.
          const b = await store.registries.create(registryInput('b'));
          const takers = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 === 0 ? store : other).registries.acquirePollLease(b.id, `t${i}`, time, time + 100),
            ),
          );
          expect(takers.filter((result) => result === 'acquired')).toHaveLength(1);
          expect(takers.filter((result) => result === 'held')).toHaveLength(7);
        } finally {
          await other.close();
        }
      });

      it('deletes a registry with its versions, resources and events', async () => {
        const keep = await store.registries.create(registryInput('keep'));
        const gone = await store.registries.create(registryInput('gone'));
        const icon = { name: 'icon', path: 'icon.png', contentType: 'image/png', bytes: new Uint8Array([1, 2, 3]) };
        await store.versions.insert(versionInput(keep.id, 'v1.0.0'), [icon]);
        const { version } = await store.versions.insert(versionInput(gone.id, 'v1.0.0'), [icon]);
        await store.events.add({ registryId: gone.id, kind: 'TAG_MOVED', tag: 'v1.0.0', detail: {} });
        await store.registries.delete(gone.id);
        expect(await store.registries.get(gone.id)).toBeUndefined();
        expect(await store.versions.listByRegistry(gone.id)).toEqual([]);
        expect(await store.versions.resource(version.id, 'icon')).toBeUndefined();
        expect(await store.events.list(gone.id)).toEqual([]);
        expect(await store.versions.listByRegistry(keep.id)).toHaveLength(1);
        expect(await harness.raw('select name from resources')).toHaveLength(1);
      });
    });

    describe('versions', () => {
      it('inserts once per (registry, tag): a second insert returns the stored version unchanged', async () => {
        const registry = await store.registries.create(registryInput('r'));
        const resources = [
          { name: 'icon', path: 'resources/icon.png', contentType: 'image/png', bytes: new Uint8Array([0, 255, 7, 8]) },
          {
            name: 'descriptionFile',
            path: 'README.md',
            contentType: 'text/markdown',
            bytes: new TextEncoder().encode('# A'),
          },
        ];
        const first = await store.versions.insert(
          versionInput(registry.id, 'v1.0.0', { warnings: [issue] }),
          resources,
        );
        expect(first.created).toBe(true);
        expect(first.version).toMatchObject({
          tag: 'v1.0.0',
          version: '1.0.0',
          state: 'valid',
          warnings: [issue],
          createdAt: time,
        });
        time += 1000;
        const second = await store.versions.insert(
          versionInput(registry.id, 'v1.0.0', { commit: 'b'.repeat(40), state: 'rejected' }),
          [],
        );
        expect(second).toEqual({ version: first.version, created: false });
        expect(await store.versions.resource(first.version.id, 'icon')).toEqual(resources[0]);
        expect(await store.versions.resource(first.version.id, 'descriptionFile')).toEqual(resources[1]);
        expect(await store.versions.resource(first.version.id, 'licenseFile')).toBeUndefined();
        expect(await store.versions.getByTag(registry.id, 'v1.0.0')).toEqual(first.version);
        expect(await store.versions.getByTag(registry.id, 'v9')).toBeUndefined();
      });

      it('keeps a rejected version with its errors and no description', async () => {
        const registry = await store.registries.create(registryInput('r'));
        const { version } = await store.versions.insert(
          versionInput(registry.id, 'v0.1.0', {
            applicationId: null,
            state: 'rejected',
            shape: null,
            description: null,
            errors: [issue],
          }),
          [],
        );
        expect(await store.versions.getByTag(registry.id, 'v0.1.0')).toEqual(version);
        expect(version).toMatchObject({ applicationId: null, description: null, errors: [issue], state: 'rejected' });
      });

      it('lists tags, versions by registry and application, counts by state', async () => {
        const r1 = await store.registries.create(registryInput('r1'));
        const r2 = await store.registries.create(registryInput('r2'));
        await store.versions.insert(versionInput(r1.id, 'v1.0.0', { commit: '1'.repeat(40) }), []);
        await store.versions.insert(versionInput(r1.id, 'v1.1.0', { commit: '2'.repeat(40), state: 'warnings' }), []);
        await store.versions.insert(versionInput(r1.id, 'v2.0.0', { state: 'rejected' }), []);
        await store.versions.insert(versionInput(r2.id, 'v1.0.0', { applicationId: 'app-b' }), []);
        expect(await store.versions.tags(r1.id)).toEqual(
          new Map([
            ['v1.0.0', '1'.repeat(40)],
            ['v1.1.0', '2'.repeat(40)],
            ['v2.0.0', 'a'.repeat(40)],
          ]),
        );
        expect((await store.versions.listByRegistry(r1.id)).map((v) => v.tag)).toEqual(['v1.0.0', 'v1.1.0', 'v2.0.0']);
        expect((await store.versions.listByApplication('app-b')).map((v) => v.registryId)).toEqual([r2.id]);
        expect(await store.versions.counts(r1.id)).toEqual({ valid: 1, warnings: 1, rejected: 1 });
        expect(await store.versions.counts(r2.id)).toEqual({ valid: 1, warnings: 0, rejected: 0 });
        const r3 = await store.registries.create(registryInput('r3'));
        const all = await store.versions.countsByRegistry();
        expect(all).toEqual(
          new Map([
            [r1.id, { valid: 1, warnings: 1, rejected: 1 }],
            [r2.id, { valid: 1, warnings: 0, rejected: 0 }],
          ]),
        );
        expect(all.has(r3.id)).toBe(false);
        expect((await store.versions.get('app-a', '1.1.0'))?.state).toBe('warnings');
        expect(await store.versions.get('app-a', '3.0.0')).toBeUndefined();
      });

      it('lists applications with their newest usable version by semantic version, not by insertion order', async () => {
        const registry = await store.registries.create(registryInput('r'));
        for (const tag of ['v1.10.0', 'v1.2.0', 'v2.0.0-rc.1', 'v1.9.0']) {
          await store.versions.insert(versionInput(registry.id, tag), []);
        }
        await store.versions.insert(versionInput(registry.id, 'v3.0.0', { state: 'rejected' }), []);
        await store.versions.insert(
          versionInput(registry.id, 'v0.1.0', { applicationId: 'only-rejected', state: 'rejected' }),
          [],
        );
        const apps = await store.versions.applications();
        expect(
          apps.map((app) => [app.applicationId, app.latest?.version ?? null, app.versions, app.registryId]),
        ).toEqual([
          ['app-a', '2.0.0-rc.1', 5, registry.id],
          ['only-rejected', null, 1, registry.id],
        ]);
        expect(apps[0]?.latest?.description).toEqual(versionInput(registry.id, 'v2.0.0-rc.1').description);
      });
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
}
