/**
 * The pack indexer and object reader against packs written by native `git pack-objects`: the index
 * must equal `git index-pack`'s byte for byte, every object must read back as `git cat-file` shows
 * it (deltas by offset and by id included), and damaged packs must fail with a clear BridgeError.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareRepositoryPath,
  createRegistryRoot,
  fixtureGitEnv,
  git,
  publishRelease,
  removeRegistryRoot,
} from '../../../test/support/registries.js';
import { isBridgeError } from '../../errors.js';
import { MemoryFs } from '../memory-fs.js';
import type { RandomAccessFile } from '../storage.js';
import { indexPack } from './index-pack.js';
import { openObjects } from './objects.js';

const run = promisify(execFile);

/** Native git's binary stdout, given `input` on stdin. */
async function gitBytes(args: string[], input?: string): Promise<Uint8Array> {
  const child = run('git', args, { env: fixtureGitEnv(), encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  if (input === undefined) child.child.stdin?.destroy();
  else child.child.stdin?.end(input);
  return new Uint8Array((await child).stdout);
}

function fileOf(bytes: Uint8Array): RandomAccessFile & { reads: number } {
  const file = {
    size: bytes.length,
    reads: 0,
    read: async (offset: number, length: number) => {
      file.reads++;
      return bytes.slice(offset, offset + length);
    },
    close: async () => undefined,
  };
  return file;
}

/** Lines that change a little from release to release, so git stores them as deltas. */
function text(release: number): string {
  return Array.from(
    { length: 400 },
    (_, i) => `line ${i}: ${i % 37 === release ? `changed in ${release}` : 'same'}\n`,
  ).join('');
}

/**
 * About 300 KB of words that compress well but not trivially: inflating it crosses the cursor's
 * 64 KiB windows and output buffers, with copies reaching back across them.
 */
function words(release: number): string {
  const vocabulary = ['margo', 'bridge', 'pack', 'delta', 'window', 'object', 'tree', 'blob', 'commit', 'tag'];
  let seed = 7;
  const out: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out.push(i % 5000 === release ? `release-${release}` : vocabulary[seed % vocabulary.length]!);
  }
  return out.join(' ');
}

const limits = { maxObjectBytes: 16 * 1024 * 1024 };
let root: string;
let bare: string;
let allObjects: string;

async function expectCorrupt(work: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isBridgeError(error, 'REGISTRY_PROTOCOL'), String(error)).toBe(true);
  expect((error as Error).message).toMatch(message);
}

beforeAll(async () => {
  root = await createRegistryRoot();
  for (let release = 1; release <= 6; release++) {
    await publishRelease(root, 'deltas', `v${release}.0.0`, {
      'margo.yaml': text(release),
      'docs/readme.md': `${text(release + 1)}more\n`,
      'docs/deep/empty.txt': '',
      'docs/words.txt': words(release),
      link: { symlink: 'margo.yaml' },
    });
  }
  bare = bareRepositoryPath(root, 'deltas');
  allObjects = `${await git(['--git-dir', bare, 'rev-list', '--objects', '--all'])}\n`;
});

afterAll(async () => {
  await removeRegistryRoot(root);
});

describe('indexPack', () => {
  for (const deltas of ['ofs-delta', 'ref-delta'] as const) {
    it(`writes the index git index-pack writes (deltas as ${deltas})`, async () => {
      const dir = join(root, `pack-${deltas}`);
      await mkdir(dir);
      const args = ['--git-dir', bare, 'pack-objects', ...(deltas === 'ofs-delta' ? ['--delta-base-offset'] : [])];
      const name = await git([...args, join(dir, 'p')], undefined, allObjects);
      const pack = new Uint8Array(await readFile(join(dir, `p-${name}.pack`)));
      const nativeIdx = new Uint8Array(await readFile(join(dir, `p-${name}.idx`)));
      // The pack really holds deltas of the kind under test (verify-pack lists their bases).
      const listing = await git(['verify-pack', '-v', join(dir, `p-${name}.idx`)]);
      expect(listing).toMatch(/chain length = 2/);

      const file = fileOf(pack);
      const idx = await indexPack(file, limits);
      expect(Buffer.from(idx).equals(Buffer.from(nativeIdx))).toBe(true);
      // Read through a window, not whole: many reads, none of the whole pack.
      expect(file.reads).toBeGreaterThan(1);
    });
  }

  it('reads every object back as git cat-file shows it', async () => {
    const pack = await gitBytes(['--git-dir', bare, 'pack-objects', '--stdout', '--delta-base-offset'], allObjects);
    const fs = new MemoryFs();
    for (const dir of ['/r', '/r/objects', '/r/objects/pack']) await fs.promises.mkdir(dir);
    await fs.promises.writeFile('/r/objects/pack/p.pack', pack);
    await fs.promises.writeFile('/r/objects/pack/p.idx', await indexPack(fileOf(pack), limits));
    const objects = await openObjects({ fs, gitdir: '/r', openFile: (path) => fs.openFile(path) }, limits);
    const ids = allObjects
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(0, 40));
    expect(ids.length).toBeGreaterThan(20);
    for (const oid of ids) {
      const type = await git(['--git-dir', bare, 'cat-file', '-t', oid]);
      const content = await gitBytes(['--git-dir', bare, 'cat-file', type, oid]);
      const object = await objects.read(oid);
      expect(object.type).toBe(type);
      expect(object.data && Buffer.from(object.data).equals(Buffer.from(content))).toBe(true);
    }
    // Reads at the same time take turns on the shared cursor: each gets its own object.
    const together = await Promise.all(ids.map((oid) => objects.read(oid)));
    for (const [i, oid] of ids.entries()) expect(together[i]).toEqual(await objects.read(oid));
    const head = await git(['--git-dir', bare, 'rev-parse', 'v6.0.0^{commit}']);
    const tree = await objects.commitTree(head);
    const entries = await objects.readTree(tree!);
    expect(entries.map((entry) => [entry.path, entry.mode, entry.type])).toEqual([
      ['docs', '040000', 'tree'],
      ['link', '120000', 'blob'],
      ['margo.yaml', '100644', 'blob'],
    ]);
    // Too large for the caller: the size without the bytes.
    const margo = entries.find((entry) => entry.path === 'margo.yaml')!;
    expect(await objects.read(margo.oid, 10)).toEqual({ type: 'blob', size: text(6).length, data: null });
    expect(await objects.has('0'.repeat(40))).toBe(false);
    await objects.close();
  });

  it('refuses a truncated pack, a changed byte, a bad header and a thin pack, saying what is wrong', async () => {
    const pack = await gitBytes(['--git-dir', bare, 'pack-objects', '--stdout', '--delta-base-offset'], allObjects);
    await expectCorrupt(indexPack(fileOf(pack.subarray(0, pack.length - 200)), limits), /corrupt/);
    await expectCorrupt(indexPack(fileOf(pack.subarray(0, 20)), limits), /fewer than a header/);
    const changedTrailer = pack.slice();
    changedTrailer[pack.length - 1]! ^= 0xff;
    await expectCorrupt(indexPack(fileOf(changedTrailer), limits), /checksum does not match/);
    const changedData = pack.slice();
    changedData[Math.floor(pack.length / 2)]! ^= 0x55;
    await expectCorrupt(indexPack(fileOf(changedData), limits), /corrupt/);
    const badHeader = pack.slice();
    badHeader[0] = 0x58;
    await expectCorrupt(indexPack(fileOf(badHeader), limits), /pack header/);
    const tooMany = pack.slice();
    new DataView(tooMany.buffer).setUint32(8, 0xffffffff);
    await expectCorrupt(indexPack(fileOf(tooMany), limits), /claims 4294967295 objects/);

    // A thin pack's deltas name bases it does not contain (the reader never asks for one).
    const thin = await gitBytes(
      ['--git-dir', bare, 'pack-objects', '--stdout', '--revs', '--thin'],
      'v6.0.0\n^v5.0.0\n',
    );
    await expectCorrupt(indexPack(fileOf(thin), limits), /deltas have no base in the pack/);
  });

  it('bounds the objects held whole to resolve deltas', async () => {
    const pack = await gitBytes(['--git-dir', bare, 'pack-objects', '--stdout', '--delta-base-offset'], allObjects);
    const error = await indexPack(fileOf(pack), { maxObjectBytes: 1000 }).catch((caught: unknown) => caught);
    expect(isBridgeError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
  });
});
