/**
 * The demonstration registry follows examples/demo-package: an unchanged package is not rebuilt,
 * a changed one is published as a new commit under a new tag, and every tag published before still
 * points to its commit (releases are immutable), as the served registry shows.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { demoPackageDir, startDemoRegistry } from '../src/runtime/node/demo.js';
import { contentHash } from '../src/runtime/node/demo-repository.js';

const run = promisify(execFile);

let dir: string;
let packageDir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-demo-rebuild-'));
  packageDir = join(dir, 'package');
  dataDir = join(dir, 'data');
  await cp(demoPackageDir, packageDir, { recursive: true });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The tags of the served demo registry, as the service reads them, with their commits. */
async function servedTags(): Promise<Record<string, string>> {
  const demo = await startDemoRegistry({ dataDir, logger: silentLogger, packageDir });
  try {
    const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
    const connection = { url: demo.url, allowHttp: true, auth: { type: 'none' as const } };
    const releases = await reader.listReleases(connection);
    const tags = Object.fromEntries(releases.map((release) => [release.tag, release.commit]));
    // The newest release reads back with the package's current description.
    const newest = releases.at(-1);
    if (newest) {
      const pkg = await reader.readRelease(connection, newest.tag);
      expect(pkg.descriptionText).toBe(await readFile(join(packageDir, 'margo.yaml'), 'utf8'));
    }
    return tags;
  } finally {
    await demo.stop();
  }
}

describe('the demonstration registry', () => {
  it('is rebuilt when the package changes, under a new tag, keeping the earlier tags', {
    timeout: 60_000,
  }, async () => {
    const first = await servedTags();
    expect(Object.keys(first)).toEqual(['v1.0']);
    expect(await readFile(join(dataDir, 'demo', 'package.sha256'), 'utf8')).toBe(`${await contentHash(packageDir)}\n`);

    // Unchanged: nothing new, the same commit.
    expect(await servedTags()).toEqual(first);
    // A repository built before the hash file existed, with the same content: still nothing new.
    await rm(join(dataDir, 'demo', 'package.sha256'));
    expect(await servedTags()).toEqual(first);

    // New content, same metadata.version: a distinct tag; v1.0 stays where it was.
    await writeFile(join(packageDir, 'README.md'), '# Changed demonstration package\n');
    const changed = await servedTags();
    const hash = await contentHash(packageDir);
    expect(changed).toEqual({ 'v1.0': first['v1.0'], [`v1.0+${hash.slice(0, 12)}`]: expect.any(String) });

    // A new metadata.version: the tag follows it.
    const description = await readFile(join(packageDir, 'margo.yaml'), 'utf8');
    expect(description).toMatch(/^ {2}version: 1\.0$/m);
    await writeFile(join(packageDir, 'margo.yaml'), description.replace(/^ {2}version: 1\.0$/m, '  version: 1.1'));
    const bumped = await servedTags();
    expect(Object.keys(bumped).sort()).toEqual(['v1.0', `v1.0+${hash.slice(0, 12)}`, 'v1.1'].sort());
    expect(bumped['v1.0']).toBe(first['v1.0']);
    // Each release is a commit on top of the previous one: history is kept.
    const bare = join(dataDir, 'demo', 'demo.git');
    const { stdout } = await run('git', ['--git-dir', bare, 'rev-list', '--count', 'main']);
    expect(stdout.trim()).toBe('3');
  });
});
