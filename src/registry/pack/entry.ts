/**
 * A pack entry's header (Git's pack format, version 2): the object type, the inflated size, and for
 * a delta where its base is (`OFS_DELTA`: an earlier offset in the same pack; `REF_DELTA`: an id).
 */
import { toHex } from '../../bytes.js';
import type { PackCursor } from './cursor.js';
import { corruptPack } from './errors.js';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

const objectTypes: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

export type EntryHeader =
  | { kind: 'object'; type: ObjectType; size: number }
  | { kind: 'ofs-delta'; size: number; baseOffset: number }
  | { kind: 'ref-delta'; size: number; baseId: string };

/** Reads the header of the entry at the cursor's position, leaving the cursor at the entry's data. */
export async function readEntryHeader(cursor: PackCursor): Promise<EntryHeader> {
  const offset = cursor.position;
  let byte = await cursor.byte();
  const typeCode = (byte >> 4) & 0b111;
  let size = byte & 0b1111;
  let shift = 4;
  while (byte & 0x80) {
    if (shift > 46) throw corruptPack(`the entry at ${offset} states an impossible size`);
    byte = await cursor.byte();
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  const type = objectTypes[typeCode];
  if (type) return { kind: 'object', type, size };
  if (typeCode === OFS_DELTA) {
    byte = await cursor.byte();
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      if (distance > 2 ** 45) throw corruptPack(`the delta at ${offset} states an impossible base offset`);
      byte = await cursor.byte();
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    const baseOffset = offset - distance;
    if (distance === 0 || baseOffset < 12) {
      throw corruptPack(`the delta at ${offset} names a base outside the pack (${distance} bytes back)`);
    }
    return { kind: 'ofs-delta', size, baseOffset };
  }
  if (typeCode === REF_DELTA) return { kind: 'ref-delta', size, baseId: toHex(await cursor.bytes(20)) };
  throw corruptPack(`the entry at ${offset} has the unknown type ${typeCode}`);
}

/** The object as Git hashes it: `<type> <size>\0`, then its bytes. */
export function objectHeader(type: ObjectType, size: number): Uint8Array {
  return new TextEncoder().encode(`${type} ${size}\0`);
}
