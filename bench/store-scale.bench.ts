/**
 * Issue 10, items 14, 15 and 17: costs that grew with time, on SQLite (whose driver blocks the
 * event loop, so every millisecond here is a millisecond every other request waits):
 * - `/metrics` (its job gauge query) and the deliveries list (first page and a page deep inside)
 *   with 1,000,000 stored jobs (done, as polls leave them) and 1,000,000 deliveries; goal < 10 ms;
 * - one scheduler round for 10,000 due registries (`enqueueDuePolls`: one multi-row batch).
 * Baseline: the same statements as before this change, on the same database (the GROUP BY over
 * every job; the deliveries sort without the receipt-time index, measured on a copy without it;
 * one `enqueue` per due registry).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { configSchema } from '../src/config/schema.js';
import { enqueueDuePolls, pollJob } from '../src/flows/poll.js';
import { createApp } from '../src/http/app.js';
import { createServiceMetrics } from '../src/metrics/service.js';
import { openStore, SQLITE_FILE } from '../src/store/node/open.js';
import { registryInput } from '../src/store/store.contract.js';
import { webhookTestServices } from '../test/support/webhook-services.js';
import { type BenchRow, fmt, median, printSection, timeRuns } from './lib.js';

const ROWS = 1_000_000;
const REGISTRIES = 10_000;
const RUNS = 7;
const ms = (value: number) => `${fmt(value, 2)} ms`;

/** 1 M done jobs and 1 M deliveries, written with one recursive INSERT each (seconds, not minutes). */
function fill(path: string): void {
  const db = new Database(path);
  const now = Date.now();
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    INSERT INTO jobs (id, kind, payload, dedupe_key, state, attempts, max_attempts, run_at, last_error, locked_by, locked_until, created_at, updated_at)
    SELECT printf('0000%012d', i), 'poll', '{}', NULL, 'done', 1, 5, ${now} - i, NULL, NULL, NULL, ${now} - i, ${now} - i FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    INSERT INTO deliveries (id, forge, delivery_id, event, action, repository_url, result, job_id, payload, received_at, handled_at)
    SELECT printf('0000%012d', i), 'github', 'd' || i, 'push', NULL, 'https://github.com/a/b.git', 'ignored', NULL, '{}', ${now} - i * 10, NULL FROM n;
  `);
  db.close();
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'margo-bridge-bench-scale-'));
  try {
    const store = await openStore({ dataDir });
    await store.close();
    const path = join(dataDir, SQLITE_FILE);
    fill(path);

    const harness = await webhookTestServices();
    const scaled = await openStore({ dataDir });
    const services = { ...harness.services, store: scaled, metrics: createServiceMetrics() };
    const app = createApp(services);

    const metricsTimes = await timeRuns(() => app.request('/metrics'), RUNS);
    const firstPage = await timeRuns(() => scaled.deliveries.list(100), RUNS);
    const middle = (await scaled.deliveries.list(1, { receivedAt: Date.now() - 5_000_000, id: 'z' }))[0]!;
    const deepPage = await timeRuns(
      () => scaled.deliveries.list(100, { receivedAt: middle.receivedAt, id: middle.id }),
      RUNS,
    );

    const raw = new Database(path, { readonly: true });
    const groupAll = raw.prepare('SELECT kind, state, count(*) FROM jobs GROUP BY kind, state');
    const oldMetrics = await timeRuns(() => groupAll.all(), RUNS);
    raw.close();
    const withoutIndex = new Database(path);
    withoutIndex.exec('DROP INDEX deliveries_received');
    const sorted = withoutIndex.prepare('SELECT * FROM deliveries ORDER BY received_at DESC, id DESC LIMIT 100');
    const oldList = await timeRuns(() => sorted.all(), RUNS);
    withoutIndex.exec('CREATE INDEX deliveries_received ON deliveries (received_at, id)');
    withoutIndex.close();
    await scaled.close();

    // A poll round for 10,000 due registries.
    const roundDir = await mkdtemp(join(tmpdir(), 'margo-bridge-bench-round-'));
    const roundStore = await openStore({ dataDir: roundDir });
    for (let i = 0; i < REGISTRIES; i++) {
      await roundStore.registries.create({ ...registryInput(`r${i}`), nextPollAt: 0 });
    }
    const roundServices = {
      ...harness.services,
      store: roundStore,
      config: configSchema.parse({ dataDir: roundDir }),
    };
    const jobsTable = new Database(join(roundDir, SQLITE_FILE));
    const clear = () => jobsTable.exec('DELETE FROM jobs');
    const batched: number[] = [];
    const oneByOne: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await enqueueDuePolls(roundServices, REGISTRIES);
      batched.push(performance.now() - start);
      clear();
      const due = await roundStore.registries.due(Date.now(), REGISTRIES);
      const begin = performance.now();
      for (const registry of due) await roundStore.jobs.enqueue(pollJob(roundServices, registry.id));
      oneByOne.push(performance.now() - begin);
      clear();
    }
    jobsTable.close();
    await roundStore.close();
    await rm(roundDir, { recursive: true, force: true });
    await harness.close();

    const rows: BenchRow[] = [
      {
        what: '/metrics with 1 M done jobs (whole scrape)',
        value: ms(median(metricsTimes)),
        baseline: `${ms(median(oldMetrics))} (GROUP BY over every job, query alone)`,
        ratio: `${fmt(median(oldMetrics) / median(metricsTimes), 0)}× faster`,
      },
      {
        what: 'deliveries list, first 100 of 1 M',
        value: ms(median(firstPage)),
        baseline: `${ms(median(oldList))} (without the receipt-time index: scan + sort)`,
        ratio: `${fmt(median(oldList) / median(firstPage), 0)}× faster`,
      },
      { what: 'deliveries list, a page 500,000 rows deep (cursor)', value: ms(median(deepPage)) },
      {
        what: `scheduler round, ${fmt(REGISTRIES, 0)} due registries`,
        value: `${ms(median(batched))} (enqueueMany)`,
        baseline: `${ms(median(oneByOne))} (one enqueue each)`,
        ratio: `${fmt(median(batched) / median(oneByOne), 2)}×`,
      },
    ];
    printSection('Store at scale: /metrics, deliveries list and the scheduler (SQLite)', rows, [
      `Medians of ${RUNS} runs (scheduler: 3). The watched-delivery rate against receipt only (item 17) is measured by webhooks.bench.ts (section Webhooks).`,
    ]);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
