/**
 * Two workers in two processes against one PostgreSQL: every job is handled exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../src/jobs/worker.js';
import type { Store } from '../src/store/interface.js';
import { openPostgresStore } from '../src/store/node/postgres.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { recordingHandler } from './support/worker-handler.js';

const JOBS = 400;

describe.skipIf(!postgresTestUrl)(`two workers on one PostgreSQL${postgresSkipReason}`, () => {
  let database: TestDatabase;
  let store: Store;
  let pool: pg.Pool;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = await openPostgresStore({ url: database.url, poolSize: 4 });
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await pool.query('create table handled (job_id text not null, worker text not null)');
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await pool?.end();
    await store?.close();
    await database?.drop();
  });

  it('handles each job exactly once across two processes', async () => {
    const script = fileURLToPath(new URL('./support/worker-process.ts', import.meta.url));
    const started = spawn(process.execPath, ['--import', 'tsx', script, database.url, 'child'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = started;
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
    });

    const worker = startWorker({
      queue: store.jobs,
      handlers: { ingest: recordingHandler(pool, 'parent') },
      concurrency: 4,
      leaseMs: 30_000,
      pollIntervalMs: 20,
      backoff: { baseMs: 100, maxMs: 1000 },
    });
    await store.transaction(async (tx) => {
      for (let i = 0; i < JOBS; i++) await tx.jobs.enqueue({ kind: 'ingest', payload: { i } });
    });

    // counts() reports live jobs only (pending, running, dead): the queue is drained when none is
    // pending or running; the assertions below then check that every job ended done, once.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const live = (await store.jobs.counts()).filter((row) => row.state === 'pending' || row.state === 'running');
      if (live.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await worker.stop();
    started.kill('SIGTERM');
    expect(await exited).toBe(0);

    const { rows } = await pool.query<{ worker: string; calls: string; jobs: string }>(
      'select worker, count(*) as calls, count(distinct job_id) as jobs from handled group by worker order by worker',
    );
    const total = await pool.query<{ calls: string; jobs: string }>(
      'select count(*) as calls, count(distinct job_id) as jobs from handled',
    );
    expect(total.rows[0]).toEqual({ calls: String(JOBS), jobs: String(JOBS) });
    // Both processes did part of the work.
    expect(rows.map((row) => row.worker)).toEqual(['child', 'parent']);
    expect(rows.every((row) => Number(row.calls) > 0)).toBe(true);
    const jobs = await store.jobs.list({ limit: 1000 });
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.every((job) => job.state === 'done' && job.attempts === 1)).toBe(true);
    // Bounded by the drain loop above (60 s) so a stuck queue fails on the assertions, not the timeout.
  }, 90_000);
});
