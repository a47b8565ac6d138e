/**
 * Reads objects from the packs of an object store (`objects/pack/*.idx` and `.pack`) by ranges:
 * only the entries asked for (and the bases of their deltas) are read and inflated, never a whole
 * pack, so a 50 MB file beside a package costs nothing to read the package. A store's packs are
 * listed when it is opened; open it again after adding a pack.
 */
import { toHex } from '../../bytes.js';
import { BridgeError } from '../../errors.js';
import type { ObjectStore, RandomAccessFile } from '../storage.js';
import { PackCursor } from './cursor.js';
import { applyDelta, deltaResultSize } from './delta.js';
import { type ObjectType, readEntryHeader } from './entry.js';
import { corruptPack } from './errors.js';
import { PackIdx } from './idx.js';

export interface TreeEntry {
  /** As Git writes it, six digits: `100644`, `100755`, `120000` (a symbolic link), `040000`, `160000`. */
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

/** An object's type and size; `data` is null when it is larger than the `maxBytes` asked for. */
export interface GitObject {
  type: ObjectType;
  size: number;
  data: Uint8Array | null;
}

export interface ObjectReader {
  has(oid: string): Promise<boolean>;
  /** The object, its bytes only when they fit `maxBytes`; a BridgeError NOT_FOUND when no pack has it. */
  read(oid: string, maxBytes?: number): Promise<GitObject>;
  /** The tree of a commit; undefined when the store lacks the commit. */
  commitTree(commit: string): Promise<string | undefined>;
  readTree(oid: string): Promise<TreeEntry[]>;
  close(): Promise<void>;
}

interface Pack {
  idx: PackIdx;
  path: string;
  /** Opened at the first read; one cursor per pack, used by one read at a time (see `exclusive`). */
  cursor?: Promise<{ file: RandomAccessFile; cursor: PackCursor }>;
}

/** Longer delta chains than Git ever writes (its maximum depth is 4095) mean a corrupt pack. */
const MAX_DELTA_DEPTH = 5000;

/**
 * The reader of a store's objects. `maxObjectBytes` bounds any object held whole on the way (a
 * tree, a delta's base); what `read` hands out has its own `maxBytes`.
 */
export async function openObjects(store: ObjectStore, options: { maxObjectBytes: number }): Promise<ObjectReader> {
  const dir = `${store.gitdir}/objects/pack`;
  const names = ((await store.fs.promises.readdir(dir).catch(() => [])) as string[]).filter((name) =>
    name.endsWith('.idx'),
  );
  const packs: Pack[] = [];
  for (const name of names.sort()) {
    const bytes = (await store.fs.promises.readFile(`${dir}/${name}`)) as Uint8Array;
    packs.push({ idx: new PackIdx(bytes, name), path: `${dir}/${name.slice(0, -'.idx'.length)}.pack` });
  }
  const trees = new Map<string, TreeEntry[]>();

  const locate = (oid: string) => {
    for (const pack of packs) {
      const offset = pack.idx.offsetOf(oid);
      if (offset !== undefined) return { pack, offset };
    }
    return undefined;
  };

  async function readAt(pack: Pack, offset: number, maxBytes: number, depth: number): Promise<GitObject> {
    if (depth > MAX_DELTA_DEPTH) throw corruptPack(`a delta chain in ${pack.path} is longer than ${MAX_DELTA_DEPTH}`);
    pack.cursor ??= store
      .openFile(pack.path)
      .then((file) => ({ file, cursor: new PackCursor(file, 0, file.size - 20, undefined, { oneEntry: true }) }));
    const { cursor } = await pack.cursor;
    cursor.seek(offset);
    const entry = await readEntryHeader(cursor);
    if (entry.kind === 'object') {
      if (entry.size > maxBytes) return { type: entry.type, size: entry.size, data: null };
      return { type: entry.type, size: entry.size, data: await cursor.inflateWhole(entry.size) };
    }
    if (entry.size > options.maxObjectBytes) throw tooLarge(entry.size, options.maxObjectBytes);
    const delta = await cursor.inflateWhole(entry.size);
    const size = deltaResultSize(delta);
    // Too large for the caller: the base is read only for its type (its bytes are not inflated).
    const baseBytes = size > maxBytes ? -1 : options.maxObjectBytes;
    const base =
      entry.kind === 'ofs-delta'
        ? await readAt(pack, entry.baseOffset, baseBytes, depth + 1)
        : await readById(entry.baseId, baseBytes, depth + 1);
    if (size > maxBytes) return { type: base.type, size, data: null };
    if (!base.data) throw tooLarge(base.size, options.maxObjectBytes);
    return { type: base.type, size, data: applyDelta(base.data, delta) };
  }

  async function readById(oid: string, maxBytes: number, depth: number): Promise<GitObject> {
    const found = locate(oid);
    if (!found) throw new BridgeError('NOT_FOUND', `object ${oid} is not in the fetched packs`);
    return readAt(found.pack, found.offset, maxBytes, depth);
  }

  async function readWhole(oid: string, type: ObjectType): Promise<Uint8Array> {
    const object = await readById(oid, options.maxObjectBytes, 0);
    if (object.type !== type) throw new BridgeError('NOT_FOUND', `object ${oid} is a ${object.type}, not a ${type}`);
    if (!object.data) throw tooLarge(object.size, options.maxObjectBytes);
    return object.data;
  }

  // The cursors are shared: reads take turns, whoever calls.
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const mine = turn.then(work, work);
    turn = mine.catch(() => undefined);
    return mine;
  }

  return {
    has: async (oid) => locate(oid) !== undefined,
    read: (oid, maxBytes = options.maxObjectBytes) => exclusive(() => readById(oid, maxBytes, 0)),
    async commitTree(commit) {
      if (!locate(commit)) return undefined;
      const text = new TextDecoder().decode(await exclusive(() => readWhole(commit, 'commit')));
      const tree = /^tree ([0-9a-f]{40})\n/.exec(text)?.[1];
      if (!tree) throw corruptPack(`commit ${commit} names no tree`);
      return tree;
    },
    async readTree(oid) {
      const cached = trees.get(oid);
      if (cached) return cached;
      const entries = parseTree(await exclusive(() => readWhole(oid, 'tree')), oid);
      trees.set(oid, entries);
      return entries;
    },
    async close() {
      for (const pack of packs) {
        const opened = pack.cursor;
        pack.cursor = undefined;
        if (opened) await (await opened.catch(() => undefined))?.file.close();
      }
    },
  };
}

/** A tree's entries: `<mode> <name>\0<20-byte id>` each. */
export function parseTree(data: Uint8Array, oid: string): TreeEntry[] {
  const decoder = new TextDecoder();
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space < 0 ? -1 : data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw corruptPack(`tree ${oid} is malformed`);
    const mode = decoder.decode(data.subarray(at, space)).padStart(6, '0');
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
    entries.push({
      mode,
      path: decoder.decode(data.subarray(space + 1, nul)),
      oid: toHex(data.subarray(nul + 1, nul + 21)),
      type,
    });
    at = nul + 21;
  }
  return entries;
}

function tooLarge(size: number, limit: number): BridgeError {
  return new BridgeError(
    'LIMIT_EXCEEDED',
    `an object of ${size} bytes is needed whole to read the package; the limit is ${limit}`,
    { limit, size },
  );
}
