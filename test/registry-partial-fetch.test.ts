/**
 * A package in a monorepo costs its own bytes (issue 10, item 4): against a server that offers
 * partial clones the reader fetches the commit's trees without blobs and then only the package's
 * blobs, not a large unrelated file beside it; a server without `filter` still gets the whole
 * depth-1 fetch; a disk cache holding the commit for one sub-path fetches another's blobs later.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import {
  createRegistryRoot,
  exampleText,
  fixturePackage,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from './support/registries.js';

const UNRELATED_BYTES = 3 * 1024 * 1024;

describe('partial fetch of a package in a monorepo', () => {
  let root: string;
  let cacheDir: string;
  let partial: GitServer;
  let whole: GitServer;
  let packageBytes = 0;

  beforeAll(async () => {
    root = await createRegistryRoot();
    cacheDir = await mkdtemp(join(tmpdir(), 'mb-partial-cache-'));
    const hello = withVersion(await exampleText(helloExample), '1.0.0');
    const resources = await fixturePackage('resources');
    const files: Record<string, string | Uint8Array> = {
      'big/unrelated.bin': randomBytes(UNRELATED_BYTES),
      'packages/app/margo.yaml': hello,
      'packages/other/margo.yaml': hello,
      'packages/other/extra.bin': randomBytes(200_000),
    };
    for (const [path, content] of Object.entries(resources)) {
      if (typeof content === 'string' || content instanceof Uint8Array) {
        files[`packages/app/${path}`] = content;
        packageBytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
      }
    }
    packageBytes += Buffer.byteLength(hello);
    await publishRelease(root, 'mono', 'v1.0.0', files);
    partial = await startGitServer({ root });
    whole = await startGitServer({ root, allowFilter: false });
  });
  afterAll(async () => {
    await partial?.stop();
    await whole?.stop();
    if (root) await removeRegistryRoot(root);
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  const registry = (server: GitServer, subPath: string): RegistryConnection => ({
    url: server.url('mono'),
    allowHttp: true,
    auth: { type: 'none' },
    subPath,
  });

  it('fetches trees without blobs, then only the package blobs', async () => {
    const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
    const pkg = await reader.readRelease(registry(partial, 'packages/app'), 'v1.0.0');
    expect(pkg.descriptionPath).toBe('margo.yaml');
    expect(pkg.resources.length).toBeGreaterThan(0);
    expect(pkg.fetchedBytes).toBeLessThan(packageBytes + 64 * 1024);
  });

  it('falls back to the whole depth-1 fetch when the server offers no filter', async () => {
    const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
    const pkg = await reader.readRelease(registry(whole, 'packages/app'), 'v1.0.0');
    expect(pkg.descriptionPath).toBe('margo.yaml');
    expect(pkg.fetchedBytes).toBeGreaterThan(UNRELATED_BYTES);
  });

  it('fetches the blobs of another sub-path of a commit the disk cache already holds', async () => {
    const reader = createNodeRegistryReader({ storage: { kind: 'disk', dir: cacheDir }, allowPrivateNetworks: true });
    const first = await reader.readRelease(registry(partial, 'packages/app'), 'v1.0.0');
    expect(first.fetchedBytes).toBeLessThan(packageBytes + 64 * 1024);
    const other = await reader.readRelease(registry(partial, 'packages/other'), 'v1.0.0');
    expect(other.descriptionPath).toBe('margo.yaml');
    expect(other.fetchedBytes).toBeGreaterThan(200_000);
    expect(other.fetchedBytes).toBeLessThan(UNRELATED_BYTES);
    const again = await reader.readRelease(registry(partial, 'packages/other'), 'v1.0.0');
    expect(again.fetchedBytes).toBeLessThan(10_000);
  });
});
