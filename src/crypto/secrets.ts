/**
 * Credentials at rest: AES-256-GCM with WebCrypto. Sealed text is versioned,
 * `v1.<iv base64url>.<ciphertext+tag base64url>`, with a random 96-bit IV per seal, so a later
 * format (another algorithm, a key id for rotation) can be told apart and read side by side.
 */

import { fromBase64, fromHex, toBase64Url } from '../bytes.js';
import { BridgeError } from '../errors.js';
import type { SecretBox } from './interface.js';

export const SECRET_KEY_BYTES = 32;
const FORMAT = 'v1';
const IV_BYTES = 12;

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) {
    throw new BridgeError('CONFIG_INVALID', `the secret key must be ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
  }
  // Imported once, not extractable: the raw key is not reachable through the CryptoKey.
  const cryptoKey = crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async seal(plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv },
        await cryptoKey,
        new TextEncoder().encode(plaintext),
      );
      return `${FORMAT}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
    },
    async open(ciphertext) {
      const [format, ivText, bodyText, ...rest] = ciphertext.split('.');
      if (format !== FORMAT || rest.length > 0 || ivText === undefined || bodyText === undefined) {
        throw new BridgeError('INTERNAL', `sealed secret has an unknown format (expected '${FORMAT}.<iv>.<data>')`);
      }
      const iv = fromBase64(ivText);
      const body = fromBase64(bodyText);
      if (iv?.length !== IV_BYTES || body === undefined || body.length < 16) {
        throw new BridgeError('INTERNAL', 'sealed secret is malformed');
      }
      try {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, await cryptoKey, body);
        return new TextDecoder().decode(plain);
      } catch {
        throw new BridgeError(
          'INTERNAL',
          'sealed secret cannot be decrypted: wrong key (MARGO_BRIDGE_SECRET_KEY or secret.key changed?) or altered data',
        );
      }
    },
  };
}

/**
 * The key from MARGO_BRIDGE_SECRET_KEY: 64 hex digits or base64/base64url of 32 bytes.
 * The error names the variable and the expected form, never the value.
 */
export function parseSecretKey(text: string, source = 'MARGO_BRIDGE_SECRET_KEY'): Uint8Array {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? fromHex(trimmed) : fromBase64(trimmed);
  if (key?.length !== SECRET_KEY_BYTES) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `${source} must be ${SECRET_KEY_BYTES} random bytes written as 64 hex digits or as base64 ` +
        `(e.g. the output of 'openssl rand -base64 32')`,
    );
  }
  return key;
}
