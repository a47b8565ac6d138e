/**
 * One SOPS file being encrypted: a fresh 32-byte data key, every leaf visited in document order
 * (encrypted or not, all feed the MAC as SOPS computes it: SHA-512 over the plaintext bytes,
 * upper-case hex, encrypted with the `lastmodified` time as additional data), and at the end the
 * metadata: the data key for each age recipient, the encrypted MAC and the rule saying which
 * leaves are encrypted.
 */
import { wrapDataKey } from './age.js';
import { encryptText, importDataKey, type SopsScalar, type SopsType, sopsText } from './value.js';

/** The SOPS release whose file format this writes (metadata `version`). */
export const SOPS_FORMAT_VERSION = '3.9.4';

/** Which leaves SOPS treats as encrypted: one of its rules, stored in the metadata. */
export type EncryptionRule = { encrypted_regex: string } | { unencrypted_suffix: string };

export interface SopsMetadata {
  age: { recipient: string; enc: string }[];
  lastmodified: string;
  mac: string;
  rule: EncryptionRule;
  version: string;
}

export interface SessionOptions {
  recipients: readonly string[];
  /** Epoch milliseconds: the file's `lastmodified`. */
  now: number;
  rule: EncryptionRule;
}

export class SopsSession {
  private readonly hashed: Uint8Array[] = [];
  private constructor(
    private readonly dataKey: Uint8Array,
    private readonly key: CryptoKey,
    private readonly options: SessionOptions,
  ) {}

  static async start(options: SessionOptions): Promise<SopsSession> {
    const dataKey = crypto.getRandomValues(new Uint8Array(32));
    return new SopsSession(dataKey, await importDataKey(dataKey), options);
  }

  /**
   * Visits one leaf at `path` (map keys only: SOPS leaves list indexes out); returns what the
   * file holds there. Empty strings stay empty, as SOPS leaves them.
   */
  async leaf(path: readonly string[], value: SopsScalar, type: SopsType, encrypt: boolean): Promise<SopsScalar> {
    const text = sopsText(value, type);
    this.hashed.push(new TextEncoder().encode(text));
    if (!encrypt || text === '') return value;
    return encryptText(this.key, text, type, `${path.join(':')}:`);
  }

  async metadata(): Promise<SopsMetadata> {
    const lastmodified = new Date(Math.floor(this.options.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const total = this.hashed.reduce((sum, part) => sum + part.length, 0);
    const all = new Uint8Array(total);
    let offset = 0;
    for (const part of this.hashed) {
      all.set(part, offset);
      offset += part.length;
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-512', all));
    const mac = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase();
    const age = [];
    for (const recipient of this.options.recipients) {
      age.push({ recipient, enc: await wrapDataKey(this.dataKey, recipient) });
    }
    return {
      age,
      lastmodified,
      mac: await encryptText(this.key, mac, 'str', lastmodified),
      rule: this.options.rule,
      version: SOPS_FORMAT_VERSION,
    };
  }
}
