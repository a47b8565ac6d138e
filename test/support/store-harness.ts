/** Store harnesses for the contract suites: a fresh SQLite file or a fresh Postgres database per suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { QueueHarness } from '../../src/jobs/queue.contract.js';
import { openPostgresStore } from '../../src/store/node/postgres.js';
import { openSqliteStore } from '../../src/store/node/sqlite.js';
import { type StoreHarness, TABLES } from '../../src/store/store.contract.js';
import { createTestDatabase } from './postgres.js';

export async function sqliteHarness(): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-store-'));
  const path = join(dir, 'store.db');
  let raw: Database.Database | undefined;
  return {
    open: (now) => openSqliteStore({ path, now }),
    async raw(statement) {
      raw ??= new Database(path, { timeout: 5000 });
      const prepared = raw.prepare(statement);
      if (prepared.reader) return prepared.all() as Record<string, unknown>[];
      prepared.run();
      return [];
    },
    async cleanup() {
      raw?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postgresHarness(): Promise<StoreHarness> {
  const database = await createTestDatabase();
  const raw = new pg.Pool({ connectionString: database.url, max: 1 });
  return {
    open: (now) => openPostgresStore({ url: database.url, poolSize: 4, now }),
    async raw(statement) {
      return (await raw.query(statement)).rows;
    },
    async cleanup() {
      await raw.end();
      await database.drop();
    },
  };
}

/** The job queue contract's harness on a store harness: the database queue is the store's `jobs` table. */
export function queueHarness(storeHarness: () => Promise<StoreHarness>): () => Promise<QueueHarness> {
  return async () => {
    const harness = await storeHarness();
    return {
      open: (now) => harness.open(now),
      async empty() {
        for (const table of TABLES) await harness.raw(`delete from ${table}`);
      },
      cleanup: () => harness.cleanup(),
    };
  };
}
