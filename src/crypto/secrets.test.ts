import { describe, expect, it } from 'vitest';
import { toBase64, toHex } from '../bytes.js';
import { isBridgeError } from '../errors.js';
import { createSecretBox, parseSecretKey } from './secrets.js';
import { generateToken, hashToken } from './tokens.js';

const key = () => crypto.getRandomValues(new Uint8Array(32));

describe('secret box (AES-256-GCM)', () => {
  it('round-trips text, with a fresh IV each time and a versioned format', async () => {
    const box = createSecretBox(key());
    const plaintext = JSON.stringify({ auth: { type: 'basic', username: 'ci', password: 'pässwörd 🔑' } });
    const a = await box.seal(plaintext);
    const b = await box.seal(plaintext);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('pässwörd');
    expect(await box.open(a)).toBe(plaintext);
    expect(await box.open(b)).toBe(plaintext);
    expect(await box.open(await box.seal(''))).toBe('');
  });

  it('detects tampering with the data or the IV', async () => {
    const box = createSecretBox(key());
    const sealed = await box.seal('secret');
    const [format, iv, body] = sealed.split('.') as [string, string, string];
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    for (const altered of [`${format}.${iv}.${flip(body)}`, `${format}.${flip(iv)}.${body}`]) {
      const error = await box.open(altered).catch((e) => e);
      expect(isBridgeError(error)).toBe(true);
      expect(error.message).toMatch(/wrong key .* or altered data/);
    }
  });

  it('refuses another key, unknown formats and malformed text with clear errors', async () => {
    const sealed = await createSecretBox(key()).seal('secret');
    await expect(createSecretBox(key()).open(sealed)).rejects.toThrow(/cannot be decrypted: wrong key/);
    const box = createSecretBox(key());
    await expect(box.open('v2.aaaa.bbbb')).rejects.toThrow(/unknown format/);
    await expect(box.open('secret')).rejects.toThrow(/unknown format/);
    await expect(box.open('v1.!!.??')).rejects.toThrow(/malformed/);
  });

  it('needs a 32-byte key', () => {
    expect(() => createSecretBox(new Uint8Array(16))).toThrow(/32 bytes, got 16/);
  });
});

describe('parseSecretKey (MARGO_BRIDGE_SECRET_KEY)', () => {
  it('accepts 64 hex digits, base64 and base64url of 32 bytes', () => {
    const bytes = key();
    expect(parseSecretKey(toHex(bytes))).toEqual(bytes);
    expect(parseSecretKey(` ${toBase64(bytes)}\n`)).toEqual(bytes);
    expect(parseSecretKey(toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))).toEqual(bytes);
  });

  it('refuses anything else, naming the variable and the expected form but never the value', () => {
    for (const bad of ['', 'too-short', toHex(key()).slice(2), toBase64(new Uint8Array(31)), 'not base64 !!!!']) {
      let error: unknown;
      try {
        parseSecretKey(bad);
      } catch (caught) {
        error = caught;
      }
      expect(isBridgeError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(/^MARGO_BRIDGE_SECRET_KEY must be 32 random bytes/);
      if (bad.length > 3) expect((error as Error).message).not.toContain(bad);
    }
  });
});

describe('tokens', () => {
  it('generates mb_ tokens of 32 random bytes in base64url', () => {
    const token = generateToken();
    expect(token).toMatch(/^mb_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
  });

  it('hashes with SHA-256 as hex', async () => {
    expect(await hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
