/**
 * Git's pack index, version 2 (`.idx` beside each `.pack`): a fan-out table by first byte, the
 * object ids sorted, their CRC-32s and pack offsets (offsets from 2 GiB on in a 64-bit table),
 * the pack's checksum and the index's own. Written by the indexer, looked up by the object reader
 * by binary search in the file's bytes (28 bytes per object; no per-object structures).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { fromHex } from '../../bytes.js';
import { corruptPack } from './errors.js';

const MAGIC = [0xff, 0x74, 0x4f, 0x63];
const FANOUT = 8;
const IDS = FANOUT + 256 * 4;
const LARGE = 0x80000000;

function compareIds(ids: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 20; i++) {
    const diff = ids[a * 20 + i]! - ids[b * 20 + i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The index of a pack whose object `i` has id `ids[20i…]`, entry CRC `crcs[i]` and offset `offsets[i]`. */
export function encodeIdx(
  ids: Uint8Array,
  crcs: Uint32Array,
  offsets: Float64Array,
  packChecksum: Uint8Array,
): Uint8Array {
  const count = crcs.length;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => compareIds(ids, a, b));
  let large = 0;
  for (const offset of offsets) if (offset >= LARGE) large++;
  const out = new Uint8Array(IDS + count * 28 + large * 8 + 40);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, 2);
  let first = 0;
  for (let byte = 0; byte < 256; byte++) {
    while (first < count && ids[order[first]! * 20]! <= byte) first++;
    view.setUint32(FANOUT + byte * 4, first);
  }
  const crcAt = IDS + count * 20;
  const offsetAt = crcAt + count * 4;
  let largeAt = offsetAt + count * 4;
  let largeIndex = 0;
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    out.set(ids.subarray(i * 20, i * 20 + 20), IDS + k * 20);
    view.setUint32(crcAt + k * 4, crcs[i]!);
    const offset = offsets[i]!;
    if (offset < LARGE) {
      view.setUint32(offsetAt + k * 4, offset);
    } else {
      view.setUint32(offsetAt + k * 4, (LARGE | largeIndex++) >>> 0);
      view.setBigUint64(largeAt, BigInt(offset));
      largeAt += 8;
    }
  }
  out.set(packChecksum, largeAt);
  out.set(sha1(out.subarray(0, largeAt + 20)), largeAt + 20);
  return out;
}

/** Lookups in a version-2 index held as its bytes. */
export class PackIdx {
  private readonly view: DataView;
  readonly count: number;

  constructor(
    private readonly bytes: Uint8Array,
    where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const valid =
      bytes.length >= IDS + 40 && MAGIC.every((byte, i) => bytes[i] === byte) && this.view.getUint32(4) === 2;
    this.count = valid ? this.view.getUint32(FANOUT + 255 * 4) : 0;
    if (!valid || bytes.length < IDS + this.count * 28 + 40) {
      throw corruptPack(`the index ${where} is not a version-2 pack index`);
    }
  }

  /** The pack offset of object `oid` (40 hex digits), or undefined when the pack lacks it. */
  offsetOf(oid: string): number | undefined {
    const id = fromHex(oid);
    if (id?.length !== 20) return undefined;
    const first = id[0]!;
    let low = first === 0 ? 0 : this.view.getUint32(FANOUT + (first - 1) * 4);
    let high = this.view.getUint32(FANOUT + first * 4);
    while (low < high) {
      const middle = (low + high) >>> 1;
      const diff = this.compareAt(middle, id);
      if (diff === 0) return this.offsetAt(middle);
      if (diff < 0) low = middle + 1;
      else high = middle;
    }
    return undefined;
  }

  private compareAt(k: number, id: Uint8Array): number {
    const at = IDS + k * 20;
    for (let i = 0; i < 20; i++) {
      const diff = this.bytes[at + i]! - id[i]!;
      if (diff !== 0) return diff;
    }
    return 0;
  }

  private offsetAt(k: number): number {
    const value = this.view.getUint32(IDS + this.count * 24 + k * 4);
    if (!(value & LARGE)) return value;
    const at = IDS + this.count * 28 + (value & ~LARGE) * 8;
    if (at + 8 > this.bytes.length) throw corruptPack('a pack index names a 64-bit offset it does not hold');
    return Number(this.view.getBigUint64(at));
  }
}
