/**
 * A second margo-bridge worker in its own process, for test/jobs.two-workers.test.ts.
 * Usage: node --import tsx test/support/worker-process.ts <database-url> <worker-name>
 * Records each handled job in the `handled` table, prints "ready" once its worker runs,
 * and stops gracefully on SIGTERM.
 */
import pg from 'pg';
import { startWorker } from '../../src/jobs/worker.js';
import { openPostgresStore } from '../../src/store/node/postgres.js';
import { recordingHandler } from './worker-handler.js';

const [url, name] = process.argv.slice(2);
if (!url || !name) throw new Error('usage: worker-process.ts <database-url> <worker-name>');

const store = await openPostgresStore({ url, poolSize: 4 });
const pool = new pg.Pool({ connectionString: url, max: 4 });
const worker = startWorker({
  queue: store.jobs,
  handlers: { ingest: recordingHandler(pool, name) },
  concurrency: 4,
  leaseMs: 30_000,
  pollIntervalMs: 20,
  backoff: { baseMs: 100, maxMs: 1000 },
});
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await worker.stop();
  await pool.end();
  await store.close();
  process.exit(0);
});
