/**
 * Time-ordered ids (UUID version 7, RFC 9562): sorting by id sorts by creation, so lists are
 * stable even when many rows share a millisecond. WebCrypto only.
 */

let lastMs = 0;
let counter = 0;
/** Random bytes fetched 4 KiB at a time: one getRandomValues call per id was 7% of an insert's CPU. */
const pool = new Uint8Array(4096);
let poolOffset = pool.length;

function randomBytes16(): Uint8Array {
  if (poolOffset + 16 > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.slice(poolOffset - 16, poolOffset);
}

export function newId(now: number = Date.now()): string {
  // A 12-bit counter in rand_a keeps ids from one process increasing within a millisecond.
  if (now <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) lastMs += 1;
  } else {
    lastMs = now;
    counter = 0;
  }
  const bytes = randomBytes16();
  const ms = lastMs;
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
