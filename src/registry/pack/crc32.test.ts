import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the standard check value, also when continued over pieces', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes).toString(16)).toBe('cbf43926');
    expect(crc32(bytes.subarray(5), crc32(bytes.subarray(0, 5)))).toBe(crc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(0);
    // Lengths that are not a multiple of the four bytes a step.
    const odd = new Uint8Array(1001).map((_, i) => (i * 31) % 256);
    let bitwise = ~0;
    for (const byte of odd) {
      bitwise ^= byte;
      for (let k = 0; k < 8; k++) bitwise = bitwise & 1 ? 0xedb88320 ^ (bitwise >>> 1) : bitwise >>> 1;
    }
    expect(crc32(odd)).toBe(~bitwise >>> 0);
  });
});
