/**
 * Object storage on disk: one git directory per registry under `<dir>/`, reused between fetches of
 * the same registry (a release already fetched is read without any download). The whole cache is
 * kept under `maxBytes` by evicting the registries used least recently, after a use that added
 * files (a fetch wrote a pack, or left a staging directory behind) and after this instance's first
 * use (the bound may have been lowered since the cache was filled): eviction sizes every file of
 * the cache, which a read of objects already cached has no reason to do.
 *
 * One instance per directory and process is the rule (runtime/node.ts shares one between its
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
import type { ObjectStorage, ObjectStore } from '../storage.js';
import { inUse, markInUse, withCacheLock } from './cache-lock.js';

export interface DiskStorageOptions {
  dir: string;
  /** Bound on the cache's total size; default 1 GiB. */
  maxBytes?: number;
}

export const defaultCacheBytes = 1024 * 1024 * 1024;

export function diskStorage(options: DiskStorageOptions): ObjectStorage {
  const maxBytes = options.maxBytes ?? defaultCacheBytes;

  async function evict(): Promise<void> {
    const entries = await readdir(options.dir, { withFileTypes: true }).catch(() => []);
    const caches: { name: string; bytes: number; usedMs: number }[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(options.dir, entry.name);
      caches.push({ name: entry.name, bytes: await directoryBytes(path), usedMs: (await stat(path)).mtimeMs });
    }
    let total = caches.reduce((sum, cache) => sum + cache.bytes, 0);
    for (const cache of caches.sort((a, b) => a.usedMs - b.usedMs)) {
      if (total <= maxBytes) break;
      const gitdir = join(options.dir, cache.name);
      if (await inUse(gitdir)) continue;
      await rm(gitdir, { recursive: true, force: true });
      total -= cache.bytes;
    }
  }

  // Reads of one registry take turns in this process, so a second read of a release finds the
  // objects the first one fetched instead of fetching them again.
  const turns = new Map<string, Promise<unknown>>();
  // Set for the first use and after an eviction that failed.
  let evictionDue = true;

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
    // Under the lock, so no eviction (here or in another process) removes it between mkdir and mark.
    const release = await withCacheLock(options.dir, async () => {
      await mkdir(join(gitdir, 'objects', 'pack'), { recursive: true });
      await mkdir(join(gitdir, 'in-use'), { recursive: true });
      const now = new Date();
      await utimes(gitdir, now, now);
      return markInUse(gitdir);
    });
    const before = await packListing(gitdir);
    try {
      return await work({ fs: { promises: fs.promises }, gitdir });
    } finally {
      await release();
      if (evictionDue || (await packListing(gitdir)) !== before) {
        evictionDue = false;
        // Best effort: the read succeeded, and the next read evicts again if this one could not.
        await withCacheLock(options.dir, evict).catch(() => {
          evictionDue = true;
        });
      }
    }
  }
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
