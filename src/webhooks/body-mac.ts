/**
 * HMAC-SHA256 of `prefix + body` under several keys, fed chunk by chunk while the body arrives.
 * A small body (what forges send) is kept by reference and signed in one WebCrypto call at the
 * end, the fastest way; past `STREAM_FROM_BYTES` the MACs are computed incrementally (pure-JS
 * HMAC, runs on every runtime), so verifying never needs the body joined into one more copy.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.js';
import { hmacKey } from './hmac.js';

export const STREAM_FROM_BYTES = 256 * 1024;

type Incremental = ReturnType<typeof hmac.create>;

export class BodyMacs {
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private incremental: Incremental[] | null = null;

  constructor(
    private readonly keys: readonly Uint8Array<ArrayBuffer>[],
    prefix: Uint8Array = new Uint8Array(0),
  ) {
    this.update(prefix);
  }

  update(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.keys.length === 0) return;
    if (this.incremental !== null) {
      for (const mac of this.incremental) mac.update(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes > STREAM_FROM_BYTES) {
      this.incremental = this.keys.map((key) => hmac.create(sha256, key));
      for (const held of this.pending) for (const mac of this.incremental) mac.update(held);
      this.pending.length = 0;
    }
  }

  /** One MAC per key, in the order of the keys. */
  async digests(): Promise<Uint8Array[]> {
    if (this.incremental !== null) return this.incremental.map((mac) => mac.digest());
    const data = concatBytes(this.pending);
    return Promise.all(
      this.keys.map(async (key) => new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(key), data))),
    );
  }
}

/** Equal byte strings of the same length, compared without an early exit. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
