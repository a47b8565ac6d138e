/**
 * The disk cache keeps a running size (issue 10, item 16): after a use that adds a pack it sizes
 * that registry's directory only, not every file of the cache, and still evicts least recently
 * used registries once the total passes the bound.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskStorage } from './disk-storage.js';

const KiB = 1024;

describe('disk storage size', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mb-disk-storage-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const addPack = (name: string, bytes: number) => async (store: { gitdir: string }) => {
    await writeFile(join(store.gitdir, 'objects', 'pack', name), new Uint8Array(bytes));
    return store.gitdir;
  };

  it('sizes only the registry a use changed, never re-walking the others', async () => {
    const storage = diskStorage({ dir, maxBytes: 100 * KiB });
    const other = await storage.use('other', addPack('pack-1.pack', 10 * KiB));
    await storage.use('mine', addPack('pack-1.pack', 10 * KiB));
    // Bytes that appear in another registry's directory without a use of it are not seen
    // until the next full count (start-up): only the used registry's directory is sized.
    await writeFile(join(other, 'objects', 'pack', 'outside.pack'), new Uint8Array(200 * KiB));
    await storage.use('mine', addPack('pack-2.pack', 10 * KiB));
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('evicts the least recently used registry once the running size passes the bound', async () => {
    const storage = diskStorage({ dir, maxBytes: 50 * KiB });
    await storage.use('first', addPack('pack-1.pack', 20 * KiB));
    await storage.use('second', addPack('pack-1.pack', 20 * KiB));
    const names = await readdir(dir);
    await storage.use('third', addPack('pack-1.pack', 20 * KiB));
    const left = await readdir(dir);
    expect(left).toHaveLength(2);
    await storage.use('third', addPack('pack-2.pack', 5 * KiB));
    expect(await readdir(dir)).toEqual(left);
    expect(names.filter((name) => left.includes(name))).toHaveLength(1);
  });

  it('counts the whole cache again on a new instance', async () => {
    const first = diskStorage({ dir, maxBytes: 1000 * KiB });
    await first.use('a', addPack('pack-1.pack', 300 * KiB));
    await first.use('b', addPack('pack-1.pack', 300 * KiB));
    const second = diskStorage({ dir, maxBytes: 400 * KiB });
    await second.use('c', async () => undefined);
    expect(await readdir(dir)).toHaveLength(2);
  });
});
