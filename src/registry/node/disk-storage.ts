/**
 * Object storage on disk: one git directory per registry under `<dir>/`, reused between fetches of
 * the same registry (a release already fetched is read without any download). The whole cache is
 * kept under `maxBytes` by evicting the registries used least recently, after a use that added
 * files (a fetch wrote a pack, or left a staging directory behind) and after this instance's first
 * use (the bound may have been lowered since the cache was filled), from a running size: only the
 * first use counts every file of the cache.
 *
 * One instance per directory and process is the rule (runtime/node/index.ts shares one between its
 * readers), but a second process on the same directory is safe too: a registry's directory is
 * marked in use (`<gitdir>/in-use/<pid>-…`) while it is read, eviction skips directories marked by
 * a running process, and marking and eviction take turns under `<dir>/.lock` (cache-lock.ts).
 * Packs are staged per fetch (reader.ts), so two processes fetching the same commit do not write
 * the same file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStorage, ObjectStore, RandomAccessFile } from '../storage.js';
import { inUse, markInUse, withCacheLock } from './cache-lock.js';

export interface DiskStorageOptions {
  dir: string;
  /** Bound on the cache's total size; default 1 GiB. */
  maxBytes?: number;
}

export const defaultCacheBytes = 1024 * 1024 * 1024;

export function diskStorage(options: DiskStorageOptions): ObjectStorage {
  const maxBytes = options.maxBytes ?? defaultCacheBytes;

  /**
   * The running size: bytes and last use of each registry's directory. Counted in full at this
   * instance's first use (and after a failed eviction); afterwards a use that added files re-sizes
   * only its own directory, so the check costs one directory walk, not one stat per cached file.
   * Bytes another process adds are counted at the next full count.
   */
  let sizes: Map<string, { bytes: number; usedMs: number }> | null = null;

  async function countAll(): Promise<Map<string, { bytes: number; usedMs: number }>> {
    const entries = await readdir(options.dir, { withFileTypes: true }).catch(() => []);
    const counted = new Map<string, { bytes: number; usedMs: number }>();
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(options.dir, entry.name);
      const usedMs = (await stat(path).catch(() => undefined))?.mtimeMs;
      if (usedMs !== undefined) counted.set(entry.name, { bytes: await directoryBytes(path), usedMs });
    }
    return counted;
  }

  /** Evicts the registries used least recently (not in use by any process) until the total fits. */
  async function evict(known: Map<string, { bytes: number; usedMs: number }>): Promise<void> {
    let total = 0;
    for (const { bytes } of known.values()) total += bytes;
    const byAge = [...known.entries()].sort((a, b) => a[1].usedMs - b[1].usedMs);
    for (const [name, { bytes }] of byAge) {
      if (total <= maxBytes) break;
      const gitdir = join(options.dir, name);
      if (await inUse(gitdir)) continue;
      await rm(gitdir, { recursive: true, force: true });
      known.delete(name);
      total -= bytes;
    }
  }

  // Reads of one registry take turns in this process, so a second read of a release finds the
  // objects the first one fetched instead of fetching them again.
  const turns = new Map<string, Promise<unknown>>();

  return {
    async use(registryKey, work) {
      const name = createHash('sha256').update(registryKey).digest('hex').slice(0, 32);
      const previous = turns.get(name) ?? Promise.resolve();
      const turn = previous.catch(() => undefined).then(() => useNow(name, work));
      turns.set(name, turn);
      try {
        return await turn;
      } finally {
        if (turns.get(name) === turn) turns.delete(name);
      }
    },
  };

  async function useNow<T>(name: string, work: (store: ObjectStore) => Promise<T>): Promise<T> {
    const gitdir = join(options.dir, name);
    await mkdir(options.dir, { recursive: true });
    const usedMs = Date.now();
    // Under the lock, so no eviction (here or in another process) removes it between mkdir and mark.
    const release = await withCacheLock(options.dir, async () => {
      await mkdir(join(gitdir, 'objects', 'pack'), { recursive: true });
      await mkdir(join(gitdir, 'in-use'), { recursive: true });
      const now = new Date(usedMs);
      await utimes(gitdir, now, now);
      return markInUse(gitdir);
    });
    const before = await packListing(gitdir);
    try {
      return await work({ fs: { promises: fs.promises }, gitdir, openFile });
    } finally {
      await release();
      const known = sizes;
      const changed = known === null || (await packListing(gitdir)) !== before;
      const entry = known?.get(name);
      if (entry) entry.usedMs = usedMs;
      if (changed) {
        // Best effort: the read succeeded, and the next read counts everything again if this one failed.
        await withCacheLock(options.dir, async () => {
          const current = known ?? (await countAll());
          if (known !== null) current.set(name, { bytes: await directoryBytes(gitdir), usedMs });
          await evict(current);
          sizes = current;
        }).catch(() => {
          sizes = null;
        });
      }
    }
  }
}

/** A file read by ranges through one descriptor. */
async function openFile(path: string): Promise<RandomAccessFile> {
  const handle = await fs.promises.open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length, into) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = into && into.length >= wanted ? into.subarray(0, wanted) : new Uint8Array(wanted);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}

/**
 * The names in `objects/pack` and `staging`, where a fetch adds files (reader.ts): a different
 * answer after a use means the cache grew. Two directory listings, not a walk of the cache.
 */
async function packListing(gitdir: string): Promise<string> {
  const [packs, staged] = await Promise.all([
    readdir(join(gitdir, 'objects', 'pack')).catch(() => []),
    readdir(join(gitdir, 'staging')).catch(() => []),
  ]);
  return [...packs.sort(), '', ...staged.sort()].join('\n');
}

/** Tolerates files that another process moves or removes while they are counted (staging). */
async function directoryBytes(path: string): Promise<number> {
  let total = 0;
  const entries = await readdir(path, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name)).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
