/**
 * WebCrypto primitives for webhook verification. `crypto.subtle.verify` compares MACs in
 * constant time; `constantTimeEqual` compares shared tokens through their SHA-256 digests,
 * so neither the content nor the length of a secret leaks through timing.
 */
import { toHex } from '../bytes.js';

const encoder = new TextEncoder();

/** Imported keys by secret; a handful of secrets are live at once, so the cache stays small. */
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 1000;

export function hmacKey(secret: string | Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  const cacheKey = typeof secret === 'string' ? `s:${secret}` : `b:${toHex(secret)}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keyCache.set(cacheKey, key);
  }
  return key;
}

/** Constant-time check that `mac` is the HMAC-SHA256 of `data` under `key`. */
export async function verifyHmac(
  key: CryptoKey,
  mac: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (mac.length !== 32) return false;
  return crypto.subtle.verify('HMAC', key, mac, data);
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

/** Equal strings, compared without leaking where they differ or how long the expected one is. */
export async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(encoder.encode(given)), sha256(encoder.encode(expected))]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
