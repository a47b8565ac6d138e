/**
 * Object storage on disk: one git directory per registry under `<dir>/`, reused between fetches of
 * the same registry (a release already fetched is read without any download). The whole cache is
 * kept under `maxBytes` by evicting the registries used least recently.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStorage, ObjectStore } from '../storage.js';

export interface DiskStorageOptions {
  dir: string;
  /** Bound on the cache's total size; default 1 GiB. */
  maxBytes?: number;
}

export const defaultCacheBytes = 1024 * 1024 * 1024;

export function diskStorage(options: DiskStorageOptions): ObjectStorage {
  const maxBytes = options.maxBytes ?? defaultCacheBytes;
  const inUse = new Map<string, number>();

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
      if (inUse.has(cache.name)) continue;
      await rm(join(options.dir, cache.name), { recursive: true, force: true });
      total -= cache.bytes;
    }
  }

  // Reads of one registry take turns, so that no read sees a pack index another one is writing.
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
    inUse.set(name, (inUse.get(name) ?? 0) + 1);
    try {
      await mkdir(join(gitdir, 'objects', 'pack'), { recursive: true });
      const now = new Date();
      await utimes(gitdir, now, now);
      return await work({ fs: { promises: fs.promises }, gitdir });
    } finally {
      const count = (inUse.get(name) ?? 1) - 1;
      if (count === 0) inUse.delete(name);
      else inUse.set(name, count);
      await evict();
    }
  }
}

async function directoryBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}
