/** API tokens: shown once, stored only as a SHA-256 hash. */
import { toBase64Url, toHex } from '../bytes.js';

export const TOKEN_PREFIX = 'mb_';

/** `mb_` + 32 random bytes in base64url (43 characters): recognisable in leaks, safe in headers. */
export function generateToken(): string {
  return TOKEN_PREFIX + toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 of the token as lower-case hex: what the store keeps and looks tokens up by. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return toHex(new Uint8Array(digest));
}
