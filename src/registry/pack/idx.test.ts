import { describe, expect, it } from 'vitest';
import { fromHex } from '../../bytes.js';
import { isBridgeError } from '../../errors.js';
import { encodeIdx, PackIdx } from './idx.js';

describe('pack index (version 2)', () => {
  it('finds each object, 64-bit offsets included, and nothing else', () => {
    const oids = ['ff'.repeat(20), `00${'11'.repeat(19)}`, `7f${'22'.repeat(19)}`];
    const ids = new Uint8Array(60);
    for (const [i, oid] of oids.entries()) ids.set(fromHex(oid)!, i * 20);
    const offsets = new Float64Array([12, 2 ** 33 + 5, 2 ** 31]);
    const idx = new PackIdx(encodeIdx(ids, new Uint32Array([1, 2, 3]), offsets, new Uint8Array(20)), 'test.idx');
    expect(idx.count).toBe(3);
    expect(oids.map((oid) => idx.offsetOf(oid))).toEqual([12, 2 ** 33 + 5, 2 ** 31]);
    expect(idx.offsetOf('ee'.repeat(20))).toBeUndefined();
    expect(idx.offsetOf('not hex')).toBeUndefined();
  });

  it('refuses bytes that are not a version-2 index, naming the file', () => {
    let error: unknown;
    try {
      new PackIdx(new Uint8Array(2000), 'pack-x.idx');
    } catch (caught) {
      error = caught;
    }
    expect(isBridgeError(error, 'REGISTRY_PROTOCOL')).toBe(true);
    expect((error as Error).message).toContain('pack-x.idx');
  });
});
