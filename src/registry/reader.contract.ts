/**
 * The RegistryReader contract, run against the real Git server for each object storage
 * (test/registry-reader-memory.test.ts, test/registry-reader-disk.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../../test/support/git-server.js';
import {
  buildFixtureRegistries,
  createRegistryRoot,
  exampleText,
  type FixtureRegistries,
  fixturePackagesDir,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from '../../test/support/registries.js';
import { type BridgeError, isBridgeError } from '../errors.js';
import type { RegistryConnection, RegistryReader } from './interface.js';

export interface ReaderFactoryOptions {
  maxPackBytes?: number;
}

export async function expectBridgeError(promise: Promise<unknown>, code: string): Promise<BridgeError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isBridgeError(error), `expected a BridgeError ${code}, got ${String(error)}`).toBe(true);
  expect((error as BridgeError).code).toBe(code);
  return error as BridgeError;
}

export function describeRegistryReader(name: string, makeReader: (options?: ReaderFactoryOptions) => RegistryReader) {
  describe(`RegistryReader contract (${name})`, () => {
    let root: string;
    let fixtures: FixtureRegistries;
    let server: GitServer;
    let reader: RegistryReader;
    const registry = (repo: string, extra: Partial<RegistryConnection> = {}): RegistryConnection => ({
      url: server.url(repo),
      allowHttp: true,
      auth: { type: 'none' },
      ...extra,
    });

    beforeAll(async () => {
      root = await createRegistryRoot();
      fixtures = await buildFixtureRegistries(root);
      server = await startGitServer({ root });
      reader = makeReader();
    });
    afterAll(async () => {
      // Read-only by construction: whatever the suite did, no push was ever attempted.
      expect(server.requests.filter((request) => request.service === 'git-receive-pack')).toEqual([]);
      expect(
        server.requests.every((request) => request.method === 'GET' || request.service === 'git-upload-pack'),
      ).toBe(true);
      await server.stop();
      await removeRegistryRoot(root);
    });

    describe('listReleases', () => {
      it('lists annotated and lightweight tags with their peeled commits and D-10 versions', async () => {
        const releases = await reader.listReleases(registry('hello'));
        const tags = fixtures.hello.tags;
        expect(releases).toEqual([
          { tag: '2.0.0', commit: tags['2.0.0'], version: '2.0.0' },
          { tag: 'docs-snapshot', commit: tags['docs-snapshot'], version: 'docs-snapshot' },
          { tag: 'v1.0.0', commit: tags['v1.0.0'], version: '1.0.0' },
          { tag: 'v1.1.0', commit: tags['v1.1.0'], version: '1.1.0' },
          { tag: 'v1.2.0', commit: fixtures.hello.moved.to, version: '1.2.0' },
        ]);
      });

      it('uses one protocol-v2 ls-refs request (after the capability advertisement)', async () => {
        server.clearRequests();
        await reader.listReleases(registry('hello'));
        expect(server.requests.map((r) => [r.method, r.path, r.gitProtocol])).toEqual([
          ['GET', '/hello.git/info/refs', 'version=2'],
          ['POST', '/hello.git/git-upload-pack', 'version=2'],
        ]);
      });

      it('does not download the 2,000 unrelated refs', async () => {
        server.clearRequests();
        const releases = await reader.listReleases(registry('many-refs'));
        expect(releases.map((release) => release.tag)).toEqual(['v1.0.0', 'v1.1.0']);
        const bytes = server.requests.reduce((sum, request) => sum + request.bytesSent, 0);
        // The v0 advertisement of this repository is about 140 KB (2,000 refs of ~70 bytes).
        expect(bytes).toBeLessThan(1000);
      });

      it('filters by glob, by /regex/ (RE2) and by semver range', async () => {
        const tags = async (extra: Partial<RegistryConnection>) =>
          (await reader.listReleases(registry('hello', extra))).map((release) => release.tag);
        expect(await tags({ tagPattern: 'v*' })).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
        expect(await tags({ tagPattern: '/^v1\\.[01]\\./' })).toEqual(['v1.0.0', 'v1.1.0']);
        expect(await tags({ semverRange: '>=1.1 <2' })).toEqual(['v1.1.0', 'v1.2.0']);
        expect(await tags({ tagPattern: 'v*', semverRange: '^1.0.0 || 2.x' })).toEqual(['v1.0.0', 'v1.1.0', 'v1.2.0']);
        expect(await tags({ semverRange: '>=2' })).toEqual(['2.0.0']);
      });

      it('rejects a tag filter that does not compile, before any request', async () => {
        server.clearRequests();
        const regex = await expectBridgeError(
          reader.listReleases(registry('hello', { tagPattern: '/(?<=v)1/' })),
          'CONFIG_INVALID',
        );
        expect(regex.message).toContain('tagPattern');
        await expectBridgeError(
          reader.listReleases(registry('hello', { semverRange: 'not a range' })),
          'CONFIG_INVALID',
        );
        expect(server.requests).toEqual([]);
      });

      it('reports a missing repository', async () => {
        await expectBridgeError(reader.listReleases(registry('missing')), 'REGISTRY_NOT_FOUND');
      });
    });

    describe('readRelease', () => {
      it('reads the description and its four resources from an annotated tag', async () => {
        const pkg = await reader.readRelease(registry('hello'), 'v1.0.0');
        expect(pkg.release).toEqual({ tag: 'v1.0.0', commit: fixtures.hello.tags['v1.0.0'], version: '1.0.0' });
        expect(pkg.descriptionPath).toBe('margo.yaml');
        expect(pkg.descriptionText).toBe(withVersion(await exampleText(helloExample), '1.0.0'));
        expect(pkg.resourceProblems).toEqual([]);
        const expected = ['hw-logo.png', 'description.md', 'release-notes.md', 'license.pdf'];
        expect(pkg.resources.map((resource) => resource.path)).toEqual(expected.map((file) => `resources/${file}`));
        for (const resource of pkg.resources) {
          const original = await readFile(new URL(`resources/${resource.path}`, fixturePackagesDir));
          expect(Buffer.from(resource.bytes).equals(original)).toBe(true);
        }
        expect(pkg.tagMoved).toBeUndefined();
        expect(pkg.files).toEqual(['margo.yaml', ...expected.map((file) => `resources/${file}`).sort()]);
      });

      it('reads a lightweight tag with a shallow fetch of that commit only', async () => {
        server.clearRequests();
        const pkg = await reader.readRelease(registry('hello'), 'v1.1.0');
        expect(pkg.release.commit).toBe(fixtures.hello.tags['v1.1.0']);
        expect(pkg.descriptionText).toContain('version: "1.1.0"');
        expect(server.requests.every((request) => request.service === 'git-upload-pack')).toBe(true);
        // Refs (advertisement, ls-refs), the capabilities, then commit and trees, then the package's blobs.
        expect(server.requests.length).toBeLessThanOrEqual(5);
      });

      it('flags a tag that moved since a previous read (D-10)', async () => {
        const { tag, from, to } = fixtures.hello.moved;
        const moved = await reader.readRelease(registry('hello'), tag, { previousCommit: from });
        expect(moved.release.commit).toBe(to);
        expect(moved.tagMoved).toEqual({ previousCommit: from, commit: to });
        const same = await reader.readRelease(registry('hello'), tag, { previousCommit: to });
        expect(same.tagMoved).toBeUndefined();
      });

      it('reads two packages of a monorepo by sub-path', async () => {
        const [first, second] = fixtures.monorepo.subPaths;
        const hello = await reader.readRelease(registry('monorepo', { subPath: first }), 'v1.0.0');
        const compose = await reader.readRelease(registry('monorepo', { subPath: `${second}/` }), 'v1.0.0');
        expect(hello.descriptionText).toContain('id: com-northstartida-hello-world');
        expect(compose.descriptionText).toContain('id: com-northstartida-digitron-orchestrator');
        expect(hello.release.commit).toBe(compose.release.commit);
        // Resources are named relative to the package root and looked up under the sub-path.
        expect(compose.resourceProblems.map((problem) => problem.code)).toEqual(Array(4).fill('NOT_FOUND'));
        expect(compose.resourceProblems[0]?.message).toContain('packages/compose/resources/');
        // The file list is the package's own files, relative to its root.
        expect(hello.files).toEqual(['margo.yaml']);
        expect(compose.files).toEqual(['margo.yaml']);
      });

      it('finds the one YAML file that is a description when there is no margo.yaml', async () => {
        const pkg = await reader.readRelease(registry('other-name'), 'v1.0.0');
        expect(pkg.descriptionPath).toBe('application.yaml');
      });

      it('reports a release without a description', async () => {
        const error = await expectBridgeError(
          reader.readRelease(registry('no-description'), 'v1.0.0'),
          'NO_DESCRIPTION',
        );
        expect(error.message).toContain('v1.0.0');
        await expectBridgeError(
          reader.readRelease(registry('hello', { subPath: 'nowhere' }), 'v1.0.0'),
          'NO_DESCRIPTION',
        );
      });

      it('refuses resource paths that leave the package, and never reads them', async () => {
        const pkg = await reader.readRelease(registry('traversal', { subPath: fixtures.traversal.subPath }), 'v1.0.0');
        expect(pkg.resourceProblems.map((problem) => [problem.path, problem.code])).toEqual([
          ['../secret.txt', 'UNSAFE_PATH'],
          ['/etc/passwd', 'UNSAFE_PATH'],
          ['./resources/../../secret.txt', 'UNSAFE_PATH'],
        ]);
        expect(pkg.resources.map((resource) => resource.path)).toEqual(['resources/license.txt']);
        const texts = pkg.resources.map((resource) => Buffer.from(resource.bytes).toString('utf8'));
        expect(texts.some((text) => text.includes('must never be read'))).toBe(false);
      });

      it('refuses a symlinked resource and a symlinked description', async () => {
        const pkg = await reader.readRelease(registry('symlink'), 'v1.0.0');
        expect(pkg.resourceProblems).toEqual([
          expect.objectContaining({ path: './resources/hw-logo.png', code: 'UNSAFE_PATH' }),
        ]);
        expect(pkg.resources.map((resource) => resource.path)).not.toContain('resources/hw-logo.png');
        const error = await expectBridgeError(reader.readRelease(registry('symlink'), 'v2.0.0'), 'UNSAFE_PATH');
        expect(error.message).toContain('symbolic link');
      });

      it('reports a tag that does not exist, and refuses a malformed tag name before any request', async () => {
        await expectBridgeError(reader.readRelease(registry('hello'), 'v7.7.7'), 'TAG_NOT_FOUND');
        server.clearRequests();
        await expectBridgeError(reader.readRelease(registry('hello'), 'v1\n0000command=ls-refs'), 'BAD_REQUEST');
        expect(server.requests).toEqual([]);
      });

      it('enforces the description (1 MiB) and resource (5 MiB) limits', async () => {
        const description = withVersion(await exampleText(helloExample), '1.0.0');
        const filler = `# ${'x'.repeat(1022)}\n`.repeat(1025);
        await publishRelease(root, 'limits', 'big-description', { 'margo.yaml': `${description}${filler}` });
        const error = await expectBridgeError(
          reader.readRelease(registry('limits'), 'big-description'),
          'LIMIT_EXCEEDED',
        );
        expect(error.message).toContain('margo.yaml');

        await publishRelease(root, 'limits', 'big-icon', {
          'margo.yaml': description,
          'resources/hw-logo.png': new Uint8Array(5 * 1024 * 1024 + 1),
          'resources/description.md': 'fits\n',
        });
        const pkg = await reader.readRelease(registry('limits'), 'big-icon');
        expect(pkg.resourceProblems).toEqual([
          expect.objectContaining({ path: './resources/hw-logo.png', code: 'LIMIT_EXCEEDED' }),
          expect.objectContaining({ code: 'NOT_FOUND' }),
          expect.objectContaining({ code: 'NOT_FOUND' }),
        ]);
        expect(pkg.resources.map((resource) => resource.path)).toEqual(['resources/description.md']);
      });

      it('aborts cleanly when the pack exceeds the configured limit', async () => {
        const limited = makeReader({ maxPackBytes: 100_000 });
        const error = await expectBridgeError(limited.readRelease(registry('large'), 'v1.0.0'), 'LIMIT_EXCEEDED');
        expect(error.message).toContain('100000');
        // Nothing half-written stays behind: the same reader still reads small releases, and the
        // large one reads with the default limit.
        expect((await limited.readRelease(registry('hello'), 'v1.0.0')).descriptionPath).toBe('margo.yaml');
        const full = await reader.readRelease(registry('large'), 'v1.0.0');
        expect(full.fetchedBytes).toBeGreaterThan(400_000);
      });

      it('sees a release published after the reader was created ("push a tag, poll, see it")', async () => {
        const description = withVersion(await exampleText(helloExample), '3.0.0');
        const commit = await publishRelease(root, 'fresh', 'v3.0.0', { 'margo.yaml': description });
        expect(await reader.listReleases(registry('fresh'))).toEqual([{ tag: 'v3.0.0', commit, version: '3.0.0' }]);
        expect((await reader.readRelease(registry('fresh'), 'v3.0.0')).descriptionText).toBe(description);
      });
    });
  });
}
