/** The reader contract on disk storage, plus what only the disk cache does: reuse and eviction. */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { describeRegistryReader } from '../src/registry/reader.contract.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { buildFixtureRegistries, createRegistryRoot, removeRegistryRoot } from './support/registries.js';

let cacheRoot: string;
const cacheDir = async () => mkdtemp(join(cacheRoot, 'cache-'));

beforeAll(async () => {
  cacheRoot = await mkdtemp(join(tmpdir(), 'margo-bridge-registry-cache-'));
});
afterAll(async () => {
  await rm(cacheRoot, { recursive: true, force: true });
});

describeRegistryReader('disk storage', (options = {}) =>
  createNodeRegistryReader({
    storage: { kind: 'disk', dir: join(cacheRoot, `contract-${options.maxPackBytes ?? 'default'}`) },
    allowPrivateNetworks: true,
    ...options,
  }),
);

describe('disk cache', () => {
  let root: string;
  let server: GitServer;
  const registry = (repo: string): RegistryConnection => ({
    url: server.url(repo),
    allowHttp: true,
    auth: { type: 'none' },
    ...(repo === 'traversal' ? { subPath: 'app' } : {}),
  });

  beforeAll(async () => {
    root = await createRegistryRoot();
    await buildFixtureRegistries(root);
    server = await startGitServer({ root });
  });
  afterAll(async () => {
    await server.stop();
    await removeRegistryRoot(root);
  });

  it('reads a release again from the cache without fetching its pack', async () => {
    const reader = createNodeRegistryReader({
      storage: { kind: 'disk', dir: await cacheDir() },
      allowPrivateNetworks: true,
    });
    const first = await reader.readRelease(registry('hello'), 'v1.0.0');
    expect(first.fetchedBytes).toBeGreaterThan(1000);
    server.clearRequests();
    const again = await reader.readRelease(registry('hello'), 'v1.0.0');
    expect(again.descriptionText).toBe(first.descriptionText);
    expect(again.resources).toEqual(first.resources);
    // Only the tag lookup (capabilities + ls-refs); no fetch.
    expect(server.requests.map((request) => request.method)).toEqual(['GET', 'POST']);
    expect(again.fetchedBytes).toBeLessThan(300);
  });

  it('stays usable after a fetch died before its pack was moved in', async () => {
    const dir = await cacheDir();
    const reader = createNodeRegistryReader({ storage: { kind: 'disk', dir }, allowPrivateNetworks: true });
    await reader.readRelease(registry('hello'), 'v1.0.0');
    const [cache] = await readdir(dir);
    // What a crash in the middle of indexing leaves: a pack and a truncated index in staging/.
    await writeFile(join(dir, cache!, 'staging', 'pack-dead.pack'), 'PACK truncated');
    await writeFile(join(dir, cache!, 'staging', 'pack-dead.idx'), 'truncated');
    expect((await reader.readRelease(registry('hello'), 'v1.1.0')).release.tag).toBe('v1.1.0');
    expect((await reader.readRelease(registry('hello'), 'v1.0.0')).resources).toHaveLength(4);
  });

  it('serves concurrent reads of one registry from one cache', async () => {
    const reader = createNodeRegistryReader({
      storage: { kind: 'disk', dir: await cacheDir() },
      allowPrivateNetworks: true,
    });
    const packages = await Promise.all(
      ['v1.0.0', 'v1.0.0', 'v1.1.0'].map((tag) => reader.readRelease(registry('hello'), tag)),
    );
    expect(packages.map((pkg) => pkg.release.tag)).toEqual(['v1.0.0', 'v1.0.0', 'v1.1.0']);
    // The second read of v1.0.0 waited for the first and found its objects.
    expect(packages.filter((pkg) => (pkg.fetchedBytes ?? 0) > 1000)).toHaveLength(2);
  });

  it('keeps the cache under its size bound by evicting the registry used least recently', async () => {
    const sizes = new Map<string, number>();
    const measure = createNodeRegistryReader({
      storage: { kind: 'disk', dir: await cacheDir() },
      allowPrivateNetworks: true,
    });
    for (const repo of ['hello', 'traversal']) {
      sizes.set(repo, (await measure.readRelease(registry(repo), 'v1.0.0')).fetchedBytes ?? 0);
    }
    const dir = await cacheDir();
    const bounded = createNodeRegistryReader({
      // Room for the larger of the two caches, not for both (a pack plus its index ≈ 1.5 × the pack).
      storage: { kind: 'disk', dir, maxBytes: Math.round(Math.max(...sizes.values()) * 2.5) },
      allowPrivateNetworks: true,
    });
    await bounded.readRelease(registry('hello'), 'v1.0.0');
    expect(await readdir(dir)).toHaveLength(1);
    const [helloCache] = await readdir(dir);
    await bounded.readRelease(registry('traversal'), 'v1.0.0');
    const afterTraversal = await readdir(dir);
    expect(afterTraversal).toHaveLength(1);
    expect(afterTraversal).not.toContain(helloCache);
    await bounded.readRelease(registry('hello'), 'v1.0.0');
    expect(await readdir(dir)).toEqual([helloCache]);
  });
});
