/** Git's delta format: a base's size, the result's size, then copy (from the base) and insert instructions. */
import { corruptPack } from './errors.js';

/** Reads a size varint at `at`; returns the value and the position after it. */
function sizeAt(delta: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    if (at >= delta.length || shift > 46) throw corruptPack('a delta has a malformed size');
    byte = delta[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** The size of the object a delta produces, from its header (before its base is read). */
export function deltaResultSize(delta: Uint8Array): number {
  const [, afterBase] = sizeAt(delta, 0);
  return sizeAt(delta, afterBase)[0];
}

export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  const [baseSize, afterBase] = sizeAt(delta, 0);
  if (baseSize !== base.length) {
    throw corruptPack(`a delta expects a base of ${baseSize} bytes, its base has ${base.length}`);
  }
  const [resultSize, start] = sizeAt(delta, afterBase);
  const result = new Uint8Array(resultSize);
  let out = 0;
  let at = start;
  while (at < delta.length) {
    const op = delta[at++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) {
        if (op & (1 << bit)) offset += delta[at++]! * 2 ** (8 * bit);
      }
      for (let bit = 0; bit < 3; bit++) {
        if (op & (0x10 << bit)) size += delta[at++]! * 2 ** (8 * bit);
      }
      if (size === 0) size = 0x10000;
      if (at > delta.length || offset + size > base.length || out + size > resultSize) {
        throw corruptPack('a delta copies from outside its base or past its result');
      }
      result.set(base.subarray(offset, offset + size), out);
      out += size;
    } else if (op !== 0) {
      if (at + op > delta.length || out + op > resultSize) throw corruptPack('a delta inserts past its end');
      result.set(delta.subarray(at, at + op), out);
      at += op;
      out += op;
    } else {
      throw corruptPack('a delta has the reserved instruction 0');
    }
  }
  if (out !== resultSize) throw corruptPack(`a delta produces ${out} bytes, not the ${resultSize} it states`);
  return result;
}
