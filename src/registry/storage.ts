/**
 * Where fetched Git objects live while a release is read. Pluggable: memory (`memoryStorage`, also
 * on Workers) or disk (`registry/node/disk-storage.ts`, a cache reused between fetches of one
 * registry). Both pass the same reader suite (registry/reader.contract.ts).
 */
import type { PromiseFsClient } from 'isomorphic-git';
import { MemoryFs } from './memory-fs.js';

/** A file read by ranges, so a pack is never read whole (pack-index.ts, objects.ts). */
export interface RandomAccessFile {
  readonly size: number;
  /**
   * Up to `length` bytes from `offset` (fewer only at the end of the file), read into `into` when
   * given (so a caller can reuse one buffer); what is returned may also be a view of the file.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface ObjectStore {
  /**
   * isomorphic-git's file system, plus `rename` to move a finished pack into place and
   * `appendFile` to write a pack while it downloads.
   */
  fs: PromiseFsClient & {
    promises: {
      rename(from: string, to: string): Promise<void>;
      appendFile(path: string, data: Uint8Array): Promise<void>;
    };
  };
  /** The git directory holding `objects/` (no work tree, no refs needed). */
  gitdir: string;
  /** Opens a file (a pack) for reads by range. */
  openFile(path: string): Promise<RandomAccessFile>;
}

export interface ObjectStorage {
  /** Runs `work` with the object store of the registry identified by `registryKey` (see repositoryKey). */
  use<T>(registryKey: string, work: (store: ObjectStore) => Promise<T>): Promise<T>;
}

/** A fresh in-memory object store per read, dropped afterwards: nothing is cached. */
export function memoryStorage(): ObjectStorage {
  return {
    async use(_registryKey, work) {
      const fs = new MemoryFs();
      await fs.promises.mkdir('/registry');
      await fs.promises.mkdir('/registry/objects');
      await fs.promises.mkdir('/registry/objects/pack');
      return work({ fs, gitdir: '/registry', openFile: (path) => fs.openFile(path) });
    },
  };
}
