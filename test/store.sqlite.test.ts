import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { deploymentsContract } from '../src/store/deployments.contract.js';
import { openStore, SQLITE_FILE } from '../src/store/node/open.js';
import { sessionsContract } from '../src/store/sessions.contract.js';
import { storeContract } from '../src/store/store.contract.js';
import { sqliteHarness } from './support/store-harness.js';

storeContract('SQLite', sqliteHarness);
deploymentsContract('SQLite', sqliteHarness);
sessionsContract('SQLite', sqliteHarness);

describe('SQLite store files', () => {
  it('openStore without a database URL makes <dataDir>/margo-bridge.db (and the directory) in WAL mode', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mb-open-')), 'nested', 'data');
    const store = await openStore({ dataDir });
    try {
      expect(await store.ready()).toBe(true);
      const raw = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
