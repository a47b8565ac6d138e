/** CRC-32 (IEEE), as a pack index records it for each entry's bytes; four bytes a step (slicing-by-4). */
const t0 = new Uint32Array(256);
const t1 = new Uint32Array(256);
const t2 = new Uint32Array(256);
const t3 = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  t0[n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  t1[n] = (t0[n]! >>> 8) ^ t0[t0[n]! & 0xff]!;
  t2[n] = (t1[n]! >>> 8) ^ t0[t1[n]! & 0xff]!;
  t3[n] = (t2[n]! >>> 8) ^ t0[t2[n]! & 0xff]!;
}

/** Continues `crc` (0 to start) over `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  let i = 0;
  for (const end = bytes.length - 3; i < end; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
  }
  for (; i < bytes.length; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
