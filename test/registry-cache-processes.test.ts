/**
 * The disk cache shared by several storage instances and processes over one directory (two
 * margo-bridge processes on one data directory): eviction never removes a directory another
 * instance or a running process is reading, a crashed process's marks and lock do not block
 * anything, and concurrent fetches of one pack do not collide in staging.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRegistryReader, diskStorage } from '../src/registry/node/index.js';
import type { ObjectStorage } from '../src/registry/storage.js';
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

const holderScript = fileURLToPath(new URL('./support/cache-process.ts', import.meta.url));
const KB = 1000;

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'mb-cache-processes-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The cache directory name disk-storage gives a registry key. */
const nameOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

async function cacheDirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** One use that leaves `bytes` bytes in the registry's cache directory. */
function fill(storage: ObjectStorage, key: string, bytes: number, hold?: Promise<void>): Promise<void> {
  return storage.use(key, async (store) => {
    await writeFile(join(store.gitdir, 'objects', 'pack', 'data.pack'), Buffer.alloc(bytes, 1));
    await hold;
  });
}

function startHolder(dir: string, key: string, bytes: number): { child: ChildProcess; using: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, dir, key, String(bytes)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const using = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('using')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`cache holder exited with ${code} before using the cache`)));
  });
  return { child, using };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.on('exit', () => resolve()));
}

describe('a disk cache shared by instances and processes', () => {
  it('does not evict a directory another instance is reading', async () => {
    const dir = await mkdtemp(join(base, 'instances-'));
    // Room for one registry's bytes, not two.
    const first = diskStorage({ dir, maxBytes: 15 * KB });
    const second = diskStorage({ dir, maxBytes: 15 * KB });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reading = fill(first, 'x', 10 * KB, held);
    while (!existsSync(join(dir, nameOf('x'), 'objects', 'pack', 'data.pack'))) await sleep(5);

    // x is the least recently used, but in use: the other instance evicts its own y instead.
    await fill(second, 'y', 10 * KB);
    expect(await cacheDirectories(dir)).toEqual([nameOf('x')]);
    release();
    await reading;
    await fill(second, 'z', 10 * KB);
    expect(await cacheDirectories(dir)).toEqual([nameOf('z')]);
  });

  it('does not evict a directory a running process is reading, and ignores it once that process died', {
    timeout: 30_000,
  }, async () => {
    const dir = await mkdtemp(join(base, 'processes-'));
    const storage = diskStorage({ dir, maxBytes: 15 * KB });
    const holder = startHolder(dir, 'x', 10 * KB);
    try {
      await holder.using;
      await fill(storage, 'y', 10 * KB);
      expect(await cacheDirectories(dir)).toEqual([nameOf('x')]);
      expect(await readdir(join(dir, nameOf('x'), 'in-use'))).toEqual([expect.stringMatching(`^${holder.child.pid}-`)]);
    } finally {
      // A crash: the marker stays behind, naming a process that no longer runs.
      holder.child.kill('SIGKILL');
      await exited(holder.child);
    }
    await fill(storage, 'z', 10 * KB);
    expect(await cacheDirectories(dir)).toEqual([nameOf('z')]);
  });

  it('breaks a lock left by a process that died, and an empty one left while it was being created', async () => {
    const dir = await mkdtemp(join(base, 'stale-lock-'));
    const dead = spawn(process.execPath, ['-e', '']);
    await exited(dead);
    const lock = join(dir, '.lock');
    await writeFile(lock, `${dead.pid} 0c6f5a3e`);
    const storage = diskStorage({ dir });
    const started = Date.now();
    await fill(storage, 'x', KB);
    expect(existsSync(lock)).toBe(false);

    await writeFile(lock, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    await fill(storage, 'x', KB);
    expect(existsSync(lock)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await readdir(dir)).filter((name) => name.startsWith('.lock'))).toEqual([]);
  });

  it('waits for a lock held by a running process', async () => {
    const dir = await mkdtemp(join(base, 'live-lock-'));
    const lock = join(dir, '.lock');
    // This process is alive: its lock must be waited for, not broken.
    await writeFile(lock, `${process.pid} held-by-test`);
    let done = false;
    const using = fill(diskStorage({ dir }), 'x', KB).then(() => {
      done = true;
    });
    await sleep(300);
    expect(done).toBe(false);
    await rm(lock);
    await using;
    expect((await stat(join(dir, nameOf('x')))).isDirectory()).toBe(true);
  });
});

describe('concurrent fetches of one release into one cache', () => {
  let root: string;
  let server: GitServer;

  beforeAll(async () => {
    root = await createRegistryRoot();
    await publishRelease(root, 'hello', 'v1.0.0', {
      'margo.yaml': withVersion(await exampleText(helloExample), '1.0.0'),
      ...(await fixturePackage('resources')),
    });
    server = await startGitServer({ root });
  });
  afterAll(async () => {
    await server?.stop();
    if (root) await removeRegistryRoot(root);
  });

  it('lets two storages (as two processes would) fetch the same pack at once', async () => {
    const dir = await mkdtemp(join(base, 'fetch-'));
    const readers = [1, 2].map(() =>
      createNodeRegistryReader({ storage: diskStorage({ dir }), allowPrivateNetworks: true }),
    );
    const registry = { url: server.url('hello'), allowHttp: true, auth: { type: 'none' as const } };
    const packages = await Promise.all(
      [...readers, ...readers].map((reader) => reader.readRelease(registry, 'v1.0.0')),
    );
    for (const pkg of packages) {
      expect(pkg.resources.map((resource) => resource.path)).toHaveLength(4);
      expect(pkg.descriptionText).toBe(packages[0]?.descriptionText);
    }
    const [cache] = await cacheDirectories(dir);
    // Every fetch moved its pack in and removed its own staging directory; no marker is left. The
    // partial clone gives two packs (commit and trees, then the package's blobs), each the same
    // bytes whichever storage fetched it.
    expect(await readdir(join(dir, cache!, 'staging'))).toEqual([]);
    expect(await readdir(join(dir, cache!, 'in-use'))).toEqual([]);
    expect((await readdir(join(dir, cache!, 'objects', 'pack'))).filter((file) => file.endsWith('.idx'))).toHaveLength(
      2,
    );
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
