/**
 * The worker loop against a real SQLite store: retries with backoff, dead letters, lease expiry,
 * lease renewal, graceful stop. A controlled clock drives retry times where exactness matters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../src/errors.js';
import type { Job } from '../src/jobs/interface.js';
import { backoffDelay, describeError, failureAction } from '../src/jobs/retry.js';
import { createWorker, type JobOutcome, startWorker, type WorkerOptions } from '../src/jobs/worker.js';
import type { Store } from '../src/store/interface.js';
import { openSqliteStore } from '../src/store/node/sqlite.js';

const backoff = { baseMs: 1000, maxMs: 60_000 };

describe('retry policy', () => {
  it('doubles the delay per attempt up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(1, backoff, () => 0)).toBe(500);
    expect(backoffDelay(1, backoff, () => 0.999999)).toBe(1000);
    expect(backoffDelay(3, backoff, () => 0)).toBe(2000);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(3000);
    expect(backoffDelay(30, backoff, () => 0)).toBe(30_000);
    expect(backoffDelay(30, backoff, () => 0.999999)).toBe(60_000);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, backoff)));
    expect(spread.size).toBeGreaterThan(10);
    for (const delay of spread) expect(delay).toBeGreaterThanOrEqual(4000);
  });

  it('retries transient failures and unknown errors, dead-letters the rest', () => {
    expect(failureAction(new BridgeError('REGISTRY_TIMEOUT', 'slow'))).toBe('retry');
    expect(failureAction(new BridgeError('REGISTRY_UNREACHABLE', 'down'))).toBe('retry');
    expect(failureAction(new BridgeError('INTERNAL', 'db'))).toBe('retry');
    expect(failureAction(new Error('ECONNRESET'))).toBe('retry');
    expect(failureAction(new BridgeError('REGISTRY_AUTH', '401'))).toBe('dead');
    expect(failureAction(new BridgeError('INVALID_DESCRIPTION', 'bad'))).toBe('dead');
    expect(failureAction(new BridgeError('ADDRESS_REFUSED', '169.254.169.254'))).toBe('dead');
  });

  it('describes errors with their code and without URL credentials', () => {
    expect(describeError(new BridgeError('REGISTRY_AUTH', 'denied'))).toBe('REGISTRY_AUTH: denied');
    expect(describeError(new Error('fetch https://ci:s3cret@git.example.com/x.git failed'))).toBe(
      'Error: fetch https://git.example.com/x.git failed',
    );
  });
});

describe('worker', () => {
  let dir: string;
  let store: Store;
  let time: number;
  const outcomes: JobOutcome['outcome'][] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mb-worker-'));
    time = 1_700_000_000_000;
    outcomes.length = 0;
    store = await openSqliteStore({ path: join(dir, 'db.sqlite'), now: () => time });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function manual(handlers: WorkerOptions['handlers'], extra: Partial<WorkerOptions> = {}) {
    return createWorker({
      queue: store.jobs,
      handlers,
      concurrency: 2,
      leaseMs: 10_000,
      pollIntervalMs: 10,
      backoff,
      clock: () => time,
      random: () => 0.5,
      onOutcome: ({ outcome }) => outcomes.push(outcome),
      ...extra,
    });
  }

  it('retries a failing job with growing delays and completes it when the handler succeeds', async () => {
    let calls = 0;
    const worker = manual({
      poll: async () => {
        calls++;
        if (calls < 3) throw new BridgeError('REGISTRY_TIMEOUT', `attempt ${calls} timed out`);
      },
    });
    const job = await store.jobs.enqueue({ kind: 'poll', payload: {} });
    expect(await worker.runOnce()).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: 'pending',
      runAt: time + 750,
      lastError: 'REGISTRY_TIMEOUT: attempt 1 timed out',
    });
    time += 749;
    expect(await worker.runOnce()).toBe(0);
    time += 1;
    expect(await worker.runOnce()).toBe(1);
    expect((await store.jobs.get(job.id))?.runAt).toBe(time + 1500);
    time += 1500;
    expect(await worker.runOnce()).toBe(1);
    expect(await store.jobs.get(job.id)).toMatchObject({ state: 'done', attempts: 3 });
    expect(outcomes).toEqual(['retry', 'retry', 'done']);
  });

  it('dead-letters a job whose attempts are used up, keeping the last error', async () => {
    const worker = manual({
      ingest: async () => {
        throw new Error('connection reset');
      },
    });
    const job = await store.jobs.enqueue({ kind: 'ingest', payload: {}, maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      expect(await worker.runOnce()).toBe(1);
      time += backoff.maxMs;
    }
    expect(await worker.runOnce()).toBe(0);
    expect(await store.jobs.get(job.id)).toMatchObject({
      state: 'dead',
      attempts: 3,
      lastError: 'Error: connection reset',
    });
    expect(outcomes).toEqual(['retry', 'retry', 'dead']);
    expect((await store.jobs.list({ state: 'dead' })).map((dead) => dead.id)).toEqual([job.id]);
  });

  it('dead-letters at once on an error that retrying cannot fix', async () => {
    const worker = manual({
      ingest: async () => {
        throw new BridgeError('REGISTRY_AUTH', 'registry answered 401');
      },
    });
    const job = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
    await worker.runOnce();
    expect(await store.jobs.get(job.id)).toMatchObject({ state: 'dead', attempts: 1 });
    expect(outcomes).toEqual(['dead']);
  });

  it('picks up the job of a worker that crashed once its lease has ended', async () => {
    const seen: Job[] = [];
    const worker = manual({ poll: async (job) => void seen.push(job) });
    const job = await store.jobs.enqueue({ kind: 'poll', payload: { registryId: 'r1' } });
    await store.jobs.claim('crashed-worker', 1, 10_000);
    expect(await worker.runOnce()).toBe(0);
    time += 10_000;
    expect(await worker.runOnce()).toBe(1);
    expect(seen.map((s) => [s.id, s.attempts])).toEqual([[job.id, 2]]);
    expect((await store.jobs.get(job.id))?.state).toBe('done');
  });

  it('claims only the kinds it has handlers for', async () => {
    const worker = manual({ poll: async () => undefined });
    const ingest = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
    await store.jobs.enqueue({ kind: 'poll', payload: {} });
    expect(await worker.runOnce()).toBe(1);
    expect((await store.jobs.get(ingest.id))?.state).toBe('pending');
  });

  it('refuses nonsensical options with a clear error', () => {
    expect(() => manual({}, { concurrency: 0 })).toThrow(/concurrency >= 1/);
  });

  describe('on the real clock', () => {
    beforeEach(async () => {
      await store.close();
      store = await openSqliteStore({ path: join(dir, 'real.sqlite') });
    });

    it('renews the lease while a slow handler runs, so no other worker takes the job', async () => {
      let calls = 0;
      const slow = async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 1200));
      };
      // Without renewal the lease would end after 500 ms and the second worker would take the job.
      const options = { concurrency: 1, leaseMs: 500, pollIntervalMs: 20, backoff };
      const first = createWorker({ queue: store.jobs, handlers: { poll: slow }, ...options });
      const second = createWorker({ queue: store.jobs, handlers: { poll: slow }, ...options });
      const job = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      const running = first.runOnce();
      let stolen = 0;
      for (let i = 0; i < 11; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        stolen += await second.runOnce();
      }
      expect(await running).toBe(1);
      expect(stolen).toBe(0);
      expect(calls).toBe(1);
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'done', attempts: 1 });
    });

    it('runs jobs in the background and stops gracefully, waiting for running jobs', async () => {
      const finished: number[] = [];
      let startedCount = 0;
      const worker = startWorker({
        queue: store.jobs,
        handlers: {
          ingest: async (job) => {
            startedCount++;
            await new Promise((resolve) => setTimeout(resolve, 200));
            finished.push(job.payload.n as number);
          },
        },
        concurrency: 2,
        leaseMs: 5000,
        pollIntervalMs: 10,
        backoff,
      });
      for (let n = 0; n < 3; n++) await store.jobs.enqueue({ kind: 'ingest', payload: { n } });
      while (startedCount < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await worker.stop();
      expect(finished.sort()).toEqual([0, 1]);
      expect(startedCount).toBe(2);
      const states = (await store.jobs.list({})).map((job) => [job.payload.n, job.state]);
      expect(states).toEqual([
        [2, 'pending'],
        [1, 'done'],
        [0, 'done'],
      ]);
    });

    it('stops within its deadline, releasing the lease of a job still running for another worker', async () => {
      let started = false;
      const worker = startWorker({
        queue: store.jobs,
        handlers: {
          ingest: async () => {
            started = true;
            await new Promise((resolve) => setTimeout(resolve, 60_000));
          },
        },
        concurrency: 1,
        leaseMs: 60_000,
        pollIntervalMs: 10,
        backoff,
      });
      const job = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
      while (!started) await new Promise((resolve) => setTimeout(resolve, 5));
      const begin = Date.now();
      await worker.stop({ deadlineMs: 300 });
      expect(Date.now() - begin).toBeLessThan(2000);
      const [claimed] = await store.jobs.claim('next-worker', 1, 1000);
      expect(claimed?.id).toBe(job.id);
    });

    it('keeps working through a queue longer than its concurrency', async () => {
      let handled = 0;
      const worker = startWorker({
        queue: store.jobs,
        handlers: { delivery: async () => void handled++ },
        concurrency: 3,
        leaseMs: 5000,
        pollIntervalMs: 10,
        backoff,
      });
      for (let i = 0; i < 25; i++) await store.jobs.enqueue({ kind: 'delivery', payload: {} });
      const deadline = Date.now() + 5000;
      while (handled < 25 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await worker.stop();
      expect(handled).toBe(25);
      expect(await store.jobs.list({ state: 'done' })).toHaveLength(25);
    });
  });
});
