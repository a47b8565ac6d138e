/**
 * WebCrypto primitives for webhook verification: imported HMAC keys (body-mac.ts compares the
 * MACs in constant time); `constantTimeEqual` compares shared tokens through their SHA-256 digests,
 * so neither the content nor the length of a secret leaks through timing.
 */
import { toHex, utf8 } from '../bytes.js';

/** Imported keys by secret; a handful of secrets are live at once, so the cache stays small. */
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 1000;

export function hmacKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  const cacheKey = toHex(secret);
  let key = keyCache.get(cacheKey);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keyCache.set(cacheKey, key);
  }
  return key;
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

/** Equal strings, compared without leaking where they differ or how long the expected one is. */
export async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(utf8(given)), sha256(utf8(expected))]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
