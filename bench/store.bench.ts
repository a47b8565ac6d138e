/**
 * Store throughput on SQLite and PostgreSQL, each against its raw driver in the same run:
 * - delivery inserts, one per autocommit (what a webhook costs when each request commits alone)
 * - delivery inserts grouped 100 per transaction, each with its job (group commit)
 * - job claim + complete, 10 per claim
 * Baselines: a prepared better-sqlite3 statement / a pg query on one client, same tables, same rows.
 * PostgreSQL rows need DATABASE_URL_TEST (source /tmp/pgenv); the private server runs with fsync=off.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/store/interface.js';
import { openPostgresStore } from '../src/store/node/postgres.js';
import { openSqliteStore } from '../src/store/node/sqlite.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { type BenchRow, fmt, median, printSection, timeRuns } from './lib.js';

const SINGLE = 1000;
const GROUPS = 20;
const GROUP_SIZE = 100;
const JOBS = 1000;
const RUNS = 3;
const payload = JSON.stringify({
  kind: 'tags',
  repository: 'https://github.com/acme/widget',
  tags: ['v1.2.3'],
  sender: 'octocat',
  note: 'x'.repeat(200),
});

let sequence = 0;
const nextId = () => `bench-${process.pid}-${++sequence}`;

function deliveryRecord() {
  return {
    forge: 'github' as const,
    deliveryId: nextId(),
    event: 'push',
    action: null,
    repositoryUrl: 'https://github.com/acme/widget',
    result: 'pending' as const,
    jobId: null,
    payload: JSON.parse(payload) as Record<string, unknown>,
    receivedAt: Date.now(),
    handledAt: null,
  };
}

/** The raw operations a baseline performs, per database. */
interface Raw {
  insertDelivery(): Promise<void>;
  insertGroup(size: number): Promise<void>;
  enqueueJobs(count: number): Promise<void>;
  claimAndComplete(limit: number): Promise<number>;
  close(): Promise<void>;
}

const DELIVERY_SQL =
  'insert into deliveries (id, forge, delivery_id, event, action, repository_url, result, job_id, payload, received_at, handled_at) values ';
const JOB_SQL =
  'insert into jobs (id, kind, payload, dedupe_key, state, attempts, max_attempts, run_at, last_error, locked_by, locked_until, created_at, updated_at) values ';

function sqliteRaw(path: string): Raw {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const delivery = db.prepare(
    `${DELIVERY_SQL}(?, 'github', ?, 'push', null, 'https://github.com/acme/widget', 'pending', null, ?, ?, null)`,
  );
  const job = db.prepare(`${JOB_SQL}(?, 'delivery', ?, null, 'pending', 0, 5, ?, null, null, null, ?, ?)`);
  const claim = db.prepare(
    `update jobs set state = 'running', locked_by = 'raw', locked_until = ?, attempts = attempts + 1 where id in
     (select id from jobs where state = 'pending' and run_at <= ? order by run_at, id limit ?) returning id`,
  );
  const complete = db.prepare(`update jobs set state = 'done', locked_by = null, locked_until = null where id = ?`);
  const insertOne = () => delivery.run(nextId(), nextId(), payload, Date.now());
  return {
    async insertDelivery() {
      insertOne();
    },
    async insertGroup(size) {
      db.transaction(() => {
        for (let i = 0; i < size; i++) {
          insertOne();
          const now = Date.now();
          job.run(nextId(), payload, now, now, now);
        }
      })();
    },
    async enqueueJobs(count) {
      db.transaction(() => {
        const now = Date.now();
        for (let i = 0; i < count; i++) job.run(nextId(), '{}', now, now, now);
      })();
    },
    async claimAndComplete(limit) {
      const now = Date.now();
      const rows = claim.all(now + 60_000, now, limit) as { id: string }[];
      for (const row of rows) complete.run(row.id);
      return rows.length;
    },
    async close() {
      db.close();
    },
  };
}

async function postgresRaw(url: string): Promise<Raw> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const insertOne = () =>
    client.query(
      `${DELIVERY_SQL}($1, 'github', $2, 'push', null, 'https://github.com/acme/widget', 'pending', null, $3, $4, null)`,
      [nextId(), nextId(), payload, Date.now()],
    );
  const insertJob = (body: string) => {
    const now = Date.now();
    return client.query(`${JOB_SQL}($1, 'delivery', $2, null, 'pending', 0, 5, $3, null, null, null, $3, $3)`, [
      nextId(),
      body,
      now,
    ]);
  };
  return {
    async insertDelivery() {
      await insertOne();
    },
    async insertGroup(size) {
      await client.query('begin');
      for (let i = 0; i < size; i++) {
        await insertOne();
        await insertJob(payload);
      }
      await client.query('commit');
    },
    async enqueueJobs(count) {
      await client.query('begin');
      for (let i = 0; i < count; i++) await insertJob('{}');
      await client.query('commit');
    },
    async claimAndComplete(limit) {
      const now = Date.now();
      const { rows } = await client.query<{ id: string }>(
        `update jobs set state = 'running', locked_by = 'raw', locked_until = $1, attempts = attempts + 1 where id in
         (select id from jobs where state = 'pending' and run_at <= $2 order by run_at, id limit $3 for update skip locked) returning id`,
        [now + 60_000, now, limit],
      );
      for (const row of rows)
        await client.query(`update jobs set state = 'done', locked_by = null, locked_until = null where id = $1`, [
          row.id,
        ]);
      return rows.length;
    },
    async close() {
      await client.end();
    },
  };
}

const perSecond = (count: number, ms: number) => (count * 1000) / ms;

async function measure(name: string, store: Store, raw: Raw): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const row = (what: string, ours: number, base: number, unit: string) =>
    rows.push({
      what: `${name}: ${what}`,
      value: `${fmt(ours, 0)} ${unit}`,
      baseline: `${fmt(base, 0)} ${unit}`,
      ratio: `${fmt(ours / base, 2)}×`,
    });

  const single = async (insert: () => Promise<unknown>) =>
    perSecond(
      SINGLE,
      median(
        await timeRuns(async () => {
          for (let i = 0; i < SINGLE; i++) await insert();
        }, RUNS),
      ),
    );
  row(
    'delivery insert, autocommit',
    await single(() => store.deliveries.insert(deliveryRecord())),
    await single(() => raw.insertDelivery()),
    'rows/s',
  );

  const grouped = async (group: () => Promise<unknown>) =>
    perSecond(
      GROUPS * GROUP_SIZE,
      median(
        await timeRuns(async () => {
          for (let g = 0; g < GROUPS; g++) await group();
        }, RUNS),
      ),
    );
  const ours = await grouped(() =>
    store.transaction(async (tx) => {
      for (let i = 0; i < GROUP_SIZE; i++) {
        const { delivery } = await tx.deliveries.insert(deliveryRecord());
        await tx.jobs.enqueue({ kind: 'delivery', payload: { deliveryId: delivery.id } });
      }
    }),
  );
  row(
    `delivery + job, ${GROUP_SIZE} per transaction`,
    ours,
    await grouped(() => raw.insertGroup(GROUP_SIZE)),
    'deliveries/s',
  );

  // Clear the jobs the grouped inserts made, so each claim run starts from JOBS pending jobs.
  const drain = async (claimAll: () => Promise<number>) => {
    while ((await claimAll()) > 0) {}
  };
  const claimOurs = async () => {
    const jobs = await store.jobs.claim('bench', 10, 60_000);
    for (const job of jobs) await store.jobs.complete(job.id, 'bench');
    return jobs.length;
  };
  await drain(() => raw.claimAndComplete(100));
  const claimRuns = async (claimOnce: () => Promise<number>) => {
    const durations: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      await raw.enqueueJobs(JOBS);
      const start = performance.now();
      await drain(claimOnce);
      durations.push(performance.now() - start);
    }
    return perSecond(JOBS, median(durations));
  };
  row(
    'job claim (10) + complete',
    await claimRuns(claimOurs),
    await claimRuns(() => raw.claimAndComplete(10)),
    'jobs/s',
  );
  return rows;
}

const rows: BenchRow[] = [];
const notes: string[] = [];

const dir = mkdtempSync(join(tmpdir(), 'mb-bench-store-'));
try {
  const path = join(dir, 'bench.db');
  const store = await openSqliteStore({ path });
  const raw = sqliteRaw(path);
  rows.push(...(await measure('SQLite', store, raw)));
  await raw.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.DATABASE_URL_TEST) {
  const database = await createTestDatabase();
  try {
    const store = await openPostgresStore({ url: database.url, poolSize: 4 });
    const raw = await postgresRaw(database.url);
    rows.push(...(await measure('PostgreSQL', store, raw)));
    await raw.close();
    await store.close();
  } finally {
    await database.drop();
  }
  notes.push('PostgreSQL: the private test server (fsync=off, loopback), so commit cost is not disk-bound.');
} else {
  notes.push('PostgreSQL rows skipped: DATABASE_URL_TEST is not set (source /tmp/pgenv or use .ci/run).');
}
notes.push(
  `Medians of ${RUNS} runs. SQLite: WAL, synchronous=NORMAL. Store calls go through Kysely (query building and compiling per call) and read back the stored row (RETURNING); the baselines do neither.`,
);
printSection('Store: SQLite and PostgreSQL through Kysely vs the raw drivers', rows, notes);
