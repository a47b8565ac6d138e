/** The `registries` part of the Store contract (run by `storeContract`). */
import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import type { Store } from './interface.js';
import { registryInput, type StoreHarness, useSuiteStore, versionInput } from './store.contract.js';

export function registriesContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract, registries: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;
    let time = 1_700_000_000_000;
    const now = () => time;
    useSuiteStore(setup, now, (opened) => {
      ({ harness, store } = opened);
      time = 1_700_000_000_000;
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
  });
}
