/**
 * The OCI RegistryReader against a real registry (Debian's docker-registry, test/support/oci-registry.ts):
 * packages pushed through the OCI push API, read back through GET and HEAD only.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection, RegistryReader } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { expectBridgeError } from '../src/registry/reader.contract.js';
import { packageManifest, pushBlob, pushManifest, pushPackage } from './support/oci-push.js';
import { type OciRegistry, startOciRegistry } from './support/oci-registry.js';
import { fixturePackage, helloPackage } from './support/registries.js';

describe('OCI registry reader (docker-registry)', () => {
  let registry: OciRegistry;
  let reader: RegistryReader;
  const connection = (name: string, extra: Partial<RegistryConnection> = {}): RegistryConnection => ({
    kind: 'oci',
    url: registry.url(name),
    allowHttp: true,
    auth: { type: 'none' },
    ...extra,
  });

  beforeAll(async () => {
    registry = await startOciRegistry();
    reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
  }, 30_000);
  afterAll(async () => {
    // Read-only by construction: margo-bridge's requests are GET and HEAD only.
    await registry.settled();
    const methods = new Set(registry.readerRequests().map((entry) => entry.method));
    expect(registry.readerRequests().length).toBeGreaterThan(0);
    expect([...methods].sort()).toEqual(['GET', 'HEAD']);
    await registry.stop();
  });

  it('lists releases with their manifest digests and reads a package with every resource kind', async () => {
    const resources = await fixturePackage('resources');
    const first = await pushPackage(registry, 'apps/hello', '1.0.0', {
      ...(await helloPackage('1.0.0')),
      ...resources,
    });
    const second = await pushPackage(
      registry,
      'apps/hello',
      'v1.1.0',
      { ...(await helloPackage('1.1.0')), ...resources },
      { chunked: true },
    );
    const releases = await reader.listReleases(connection('apps/hello'));
    expect(releases.sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { tag: '1.0.0', commit: first.digest, version: '1.0.0' },
      { tag: 'v1.1.0', commit: second.digest, version: '1.1.0' },
    ]);

    const pkg = await reader.readRelease(connection('apps/hello'), 'v1.1.0');
    expect(pkg.release).toEqual({ tag: 'v1.1.0', commit: second.digest, version: '1.1.0' });
    expect(pkg.report?.kind).toBe('description');
    expect(pkg.report?.errors).toEqual([]);
    expect(pkg.descriptionPath).toBe('margo.yaml');
    expect(pkg.resources.map((file) => file.path).sort()).toEqual([
      'resources/description.md',
      'resources/hw-logo.png',
      'resources/license.pdf',
      'resources/release-notes.md',
    ]);
    const logo = pkg.resources.find((file) => file.path === 'resources/hw-logo.png');
    expect(Buffer.from(logo!.bytes).equals(Buffer.from(resources['resources/hw-logo.png'] as Uint8Array))).toBe(true);
    expect(pkg.resourceProblems).toEqual([]);
    expect(pkg.files).toContain('resources/license.pdf');
    expect(pkg.tagMoved).toBeUndefined();
  });

  it('applies the tag filter and semver range, as for Git', async () => {
    await pushPackage(registry, 'apps/filtered', '2.0.0', await helloPackage('2.0.0'));
    await pushPackage(registry, 'apps/filtered', '3.0.0', await helloPackage('3.0.0'));
    await pushPackage(registry, 'apps/filtered', 'latest', await helloPackage('3.0.0'));
    const tags = (await reader.listReleases(connection('apps/filtered', { semverRange: '<3' }))).map((r) => r.tag);
    expect(tags).toEqual(['2.0.0']);
    const globbed = (await reader.listReleases(connection('apps/filtered', { tagPattern: '[0-9]*' }))).map(
      (r) => r.tag,
    );
    expect(globbed.sort()).toEqual(['2.0.0', '3.0.0']);
  });

  it('reports a moved tag with both digests', async () => {
    const before = await pushPackage(registry, 'apps/moving', '1.0.0', await helloPackage('1.0.0'));
    const after = await pushPackage(registry, 'apps/moving', '1.0.0', {
      ...(await helloPackage('1.0.0')),
      'margo.yaml': `${(await helloPackage('1.0.0'))['margo.yaml']}\n# republished\n`,
    });
    expect(after.digest).not.toBe(before.digest);
    const pkg = await reader.readRelease(connection('apps/moving'), '1.0.0', { previousCommit: before.digest });
    expect(pkg.tagMoved).toEqual({ previousCommit: before.digest, commit: after.digest });
    const [release] = await reader.listReleases(connection('apps/moving'));
    expect(release?.commit).toBe(after.digest);
  });

  it('refuses a manifest of another artifact type, and accepts the config media type on older pushers', async () => {
    await pushPackage(registry, 'apps/other', '1.0.0', await helloPackage('1.0.0'), {
      artifactType: 'application/vnd.example.other+json',
    });
    const wrong = await expectBridgeError(reader.readRelease(connection('apps/other'), '1.0.0'), 'NO_DESCRIPTION');
    expect(wrong.message).toContain('application/vnd.example.other+json');

    await pushPackage(registry, 'apps/older', '1.0.0', await helloPackage('1.0.0'), {
      artifactType: null,
      configMediaType: 'application/vnd.margo.app.v1+json',
      titleOnly: true,
    });
    const older = await reader.readRelease(connection('apps/older'), '1.0.0');
    expect(older.report?.kind).toBe('description');
  });

  it('refuses a package without a description layer', async () => {
    await pushPackage(
      registry,
      'apps/empty',
      '1.0.0',
      { ...(await helloPackage('1.0.0')), ...(await fixturePackage('resources')) },
      { withoutDescription: true },
    );
    const error = await expectBridgeError(reader.readRelease(connection('apps/empty'), '1.0.0'), 'NO_DESCRIPTION');
    expect(error.message).toContain('no description layer');
  });

  it('verifies every blob digest while reading: a blob whose stored bytes changed is refused', async () => {
    // A description of its own: blobs are shared across the registry's repositories.
    const text = `${(await helloPackage('1.0.0'))['margo.yaml']}\n# corrupt me\n`;
    const pushed = await pushPackage(registry, 'apps/corrupt', '1.0.0', { 'margo.yaml': text });
    const description = pushed.layers[0]!;
    // Same length, other bytes: only the digest can tell.
    await writeFile(registry.blobPath(description.digest), 'x'.repeat(description.size));
    const error = await expectBridgeError(reader.readRelease(connection('apps/corrupt'), '1.0.0'), 'REGISTRY_PROTOCOL');
    expect(error.message).toContain(description.digest);
  });

  it('refuses an oversized description before fetching it and reports an oversized resource', async () => {
    const big = `${(await helloPackage('1.0.0'))['margo.yaml']}\n#${'a'.repeat(1024 * 1024)}\n`;
    await pushPackage(registry, 'apps/big', '1.0.0', { 'margo.yaml': big });
    const before = registry.readerRequests().length;
    await expectBridgeError(reader.readRelease(connection('apps/big'), '1.0.0'), 'LIMIT_EXCEEDED');
    await registry.settled();
    expect(
      registry
        .readerRequests()
        .slice(before)
        .some((entry) => entry.path.includes('/blobs/')),
    ).toBe(false);

    const resources = await fixturePackage('resources');
    resources['resources/license.pdf'] = new Uint8Array(5 * 1024 * 1024 + 1);
    await pushPackage(registry, 'apps/big-resource', '1.0.0', { ...(await helloPackage('1.0.0')), ...resources });
    const pkg = await reader.readRelease(connection('apps/big-resource'), '1.0.0');
    expect(pkg.resourceProblems).toEqual([
      expect.objectContaining({ path: './resources/license.pdf', code: 'LIMIT_EXCEEDED' }),
    ]);
    expect(pkg.resources).toHaveLength(3);
  });

  it('names a missing tag and a missing repository with the Git reader errors', async () => {
    await pushPackage(registry, 'apps/present', '1.0.0', await helloPackage('1.0.0'));
    await expectBridgeError(reader.readRelease(connection('apps/present'), '9.9.9'), 'TAG_NOT_FOUND');
    await expectBridgeError(reader.listReleases(connection('apps/absent')), 'REGISTRY_NOT_FOUND');
    await expectBridgeError(reader.listReleases(connection('Apps/Upper')), 'CONFIG_INVALID');
  });

  it('uploads a blob in chunks through an upload session', async () => {
    const bytes = new Uint8Array(100_000).map((_, index) => index % 251);
    const digest = await pushBlob(registry, 'apps/chunks', bytes, { chunked: true, chunkBytes: 30_000 });
    expect(digest).toMatch(/^sha256:/);
  });
});

describe('OCI tag pagination over 2,000 tags', () => {
  let registry: OciRegistry;
  beforeAll(async () => {
    registry = await startOciRegistry({ tagPageSize: 300 });
  }, 30_000);
  afterAll(async () => {
    await registry.settled();
    expect(new Set(registry.readerRequests().map((entry) => entry.method))).toEqual(new Set(['GET', 'HEAD']));
    await registry.stop();
  });

  it("follows the Link header page by page (n, last) and reads each tag's digest with HEAD", {
    timeout: 120_000,
  }, async () => {
    const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
    const files = await helloPackage('1.0.0');
    const { layers } = await pushPackage(registry, 'apps/many', '0.0.0', files);
    const manifest = await packageManifest(registry, 'apps/many', layers);
    const tags = Array.from({ length: 2000 }, (_, index) => `1.${Math.floor(index / 100)}.${index % 100}`);
    for (let start = 0; start < tags.length; start += 50) {
      await Promise.all(tags.slice(start, start + 50).map((tag) => pushManifest(registry, 'apps/many', tag, manifest)));
    }
    const before = registry.readerRequests().length;
    const releases = await reader.listReleases({
      kind: 'oci',
      url: registry.url('apps/many'),
      allowHttp: true,
      auth: { type: 'none' },
    });
    expect(new Set(releases.map((release) => release.tag))).toEqual(new Set([...tags, '0.0.0']));
    await registry.settled();
    const requests = registry.readerRequests().slice(before);
    const pages = requests.filter((entry) => entry.path.includes('/tags/list'));
    // 2,001 tags in pages of 300: 7 pages; then one HEAD per tag.
    expect(pages).toHaveLength(7);
    expect(pages.slice(1).every((entry) => entry.path.includes('last='))).toBe(true);
    expect(requests.filter((entry) => entry.method === 'HEAD')).toHaveLength(2001);
  });
});
