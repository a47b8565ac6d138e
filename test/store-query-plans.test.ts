/**
 * The indexes the hot queries need (issue 10, item 15), read from the query plans: the deliveries
 * list by receipt time without a sort, a registry's events of one kind (the moved-tag check), and
 * the purge of done jobs by age, the keyset pages of deployments and deployment repositories. The SQL mirrors the statements in src/store/tables/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, SQLITE_FILE } from '../src/store/node/open.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl } from './support/postgres.js';

const queries = {
  deliveries: {
    sql: 'SELECT * FROM deliveries ORDER BY received_at DESC, id DESC LIMIT 100',
    index: 'deliveries_received',
  },
  events: {
    sql: "SELECT * FROM events WHERE registry_id = 'r' AND kind = 'TAG_MOVED' ORDER BY id DESC",
    index: 'events_registry_kind',
  },
  purge: { sql: "DELETE FROM jobs WHERE state = 'done' AND updated_at < 1000", index: 'jobs_state_updated' },
  // A page of deployments after the previous page's last one (keyset, newest first).
  deployments: {
    sql: "SELECT * FROM deployments WHERE (created_at, id) < (1000, 'x') ORDER BY created_at DESC, id DESC LIMIT 100",
    index: 'deployments_created',
  },
  // A page of deployment repositories after a name: the unique name's own index.
  repositories: {
    sql: "SELECT * FROM deployment_repositories WHERE name > 'x' ORDER BY name LIMIT 100",
    index: /sqlite_autoindex_deployment_repositories|deployment_repositories_name_key/,
  },
};

/** The /metrics gauge of jobs: live states through an index, never a scan of the done jobs. */
const jobCounts =
  "SELECT kind, state, count(*) FROM jobs WHERE state IN ('pending', 'running', 'dead') GROUP BY kind, state";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('query plans', () => {
  it('SQLite uses the indexes and sorts no deliveries', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mb-plans-'));
    dirs.push(dataDir);
    const store = await openStore({ dataDir });
    await store.close();
    const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
    try {
      for (const [name, query] of Object.entries(queries)) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all() as { detail: string }[])
          .map((row) => row.detail)
          .join('\n');
        expect(plan, name).toMatch(query.index);
        expect(plan, name).not.toContain('TEMP B-TREE');
      }
      const counts = (db.prepare(`EXPLAIN QUERY PLAN ${jobCounts}`).all() as { detail: string }[])
        .map((row) => row.detail)
        .join('\n');
      expect(counts).toMatch(/SEARCH jobs USING (COVERING )?INDEX/);
    } finally {
      db.close();
    }
  });

  it.skipIf(!postgresTestUrl)(`PostgreSQL uses the indexes${postgresSkipReason}`, async () => {
    const database = await createTestDatabase();
    const store = await openStore({ dataDir: '.', databaseUrl: database.url });
    await store.close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Empty tables: the planner would rightly scan them; without sequential scans it shows the index it can use.
      await client.query('SET enable_seqscan = off');
      // Nor a bitmap scan, which gives up the index's order: can the index serve the order?
      await client.query('SET enable_bitmapscan = off');
      for (const [name, query] of Object.entries(queries)) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.sql}`);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(plan, name).toMatch(query.index);
        expect(plan, name).not.toMatch(/\bSort\b/);
      }
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
