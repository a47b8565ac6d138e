/** The `versions` part of the Store contract (run by `storeContract`). */
import { describe, expect, it } from 'vitest';
import type { Store, VersionMark } from './interface.js';
import { issue, registryInput, type StoreHarness, useSuiteStore, versionInput } from './store.contract.js';

export function versionsContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract, versions: ${name}`, () => {
    let store: Store;
    let time = 1_700_000_000_000;
    const now = () => time;
    useSuiteStore(setup, now, (opened) => {
      store = opened.store;
      time = 1_700_000_000_000;
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

      it('marks versions withdrawn or moved and clears the mark; a withdrawn version is never the latest', async () => {
        const owner = await store.registries.create(registryInput('owner'));
        const other = await store.registries.create(registryInput('other'));
        await store.versions.insert(versionInput(owner.id, 'v1.0.0'), []);
        await store.versions.insert(versionInput(owner.id, 'v1.1.0'), []);
        await store.versions.insert(versionInput(other.id, 'v1.1.0', { state: 'warnings' }), []);
        expect((await store.versions.getByTag(owner.id, 'v1.1.0'))?.mark).toBeNull();
        expect(await store.versions.marks(owner.id)).toEqual(new Map());

        expect(await store.versions.setMark(owner.id, 'v1.1.0', { kind: 'withdrawn', at: 5 })).toBe(true);
        const moved: VersionMark = { kind: 'moved', at: 6, commit: 'c'.repeat(40) };
        expect(await store.versions.setMark(owner.id, 'v1.0.0', moved)).toBe(true);
        expect(await store.versions.setMark(other.id, 'v1.1.0', { kind: 'withdrawn', at: 7 })).toBe(true);
        expect(await store.versions.setMark(owner.id, 'v9', { kind: 'withdrawn', at: 5 })).toBe(false);
        expect(await store.versions.marks(owner.id)).toEqual(
          new Map<string, VersionMark>([
            ['v1.0.0', moved],
            ['v1.1.0', { kind: 'withdrawn', at: 5 }],
          ]),
        );
        const withdrawn = await store.versions.get('app-a', '1.1.0');
        expect(withdrawn).toMatchObject({ registryId: owner.id, commit: 'a'.repeat(40), mark: { kind: 'withdrawn' } });
        // Only the owner's copies: the other registry's marked conflict is not served.
        expect((await store.versions.listMarked()).map((v) => [v.registryId, v.tag])).toEqual([
          [owner.id, 'v1.0.0'],
          [owner.id, 'v1.1.0'],
        ]);
        const [app] = await store.versions.applications();
        expect(app?.latest?.version).toBe('1.0.0');

        expect(await store.versions.setMark(owner.id, 'v1.1.0', null)).toBe(true);
        expect((await store.versions.getByTag(owner.id, 'v1.1.0'))?.mark).toBeNull();
        expect([...(await store.versions.marks(owner.id)).keys()]).toEqual(['v1.0.0']);
        expect((await store.versions.applications())[0]?.latest?.version).toBe('1.1.0');
      });
    });
  });
}
