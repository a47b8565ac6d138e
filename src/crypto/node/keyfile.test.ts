import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toHex } from '../../bytes.js';
import { KEY_FILE, loadSecretKey } from './keyfile.js';

describe('loadSecretKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mb-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates <dataDir>/secret.key with mode 0600 on first start and reads the same key afterwards', async () => {
    const dataDir = join(dir, 'data');
    const key = await loadSecretKey({ env: {}, dataDir });
    expect(key).toHaveLength(32);
    const path = join(dataDir, KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await loadSecretKey({ env: {}, dataDir })).toEqual(key);
  });

  it('gives two processes starting at once the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadSecretKey({ env: {}, dataDir: dir })));
    for (const key of keys) expect(key).toEqual(keys[0]);
  });

  it('prefers MARGO_BRIDGE_SECRET_KEY and then writes no key file', async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    expect(await loadSecretKey({ env: { MARGO_BRIDGE_SECRET_KEY: toHex(bytes) }, dataDir: dir })).toEqual(bytes);
    expect(() => statSync(join(dir, KEY_FILE))).toThrow();
  });

  it('reports a bad variable or a bad key file clearly', async () => {
    await expect(loadSecretKey({ env: { MARGO_BRIDGE_SECRET_KEY: 'abc' }, dataDir: dir })).rejects.toThrow(
      /MARGO_BRIDGE_SECRET_KEY must be 32 random bytes/,
    );
    writeFileSync(join(dir, KEY_FILE), 'garbage');
    await expect(loadSecretKey({ env: {}, dataDir: dir })).rejects.toThrow(
      /the key file .*secret\.key must be 32 random bytes/,
    );
  });
});
