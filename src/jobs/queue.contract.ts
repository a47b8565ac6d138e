/**
 * The contract of the job queue, run on SQLite and Postgres by test/jobs.*.test.ts.
 * Time is a controlled clock shared by the queues, so leases and retry times are exact.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import type { JobQueue } from './interface.js';

/** A queue with the transactions it enqueues in (the database queue: a `Store`). */
export interface TransactionalQueue {
  readonly jobs: JobQueue;
  transaction<T>(work: (tx: { jobs: JobQueue }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface QueueHarness {
  /** Opens the suite's queue; every call opens the same queue again (another process, say). */
  open(now: () => number): Promise<TransactionalQueue>;
  /** Removes every job (before each test). */
  empty(): Promise<void>;
  cleanup(): Promise<void>;
}

export function queueContract(name: string, setup: () => Promise<QueueHarness>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let harness: QueueHarness;
    let store: TransactionalQueue;
    let other: TransactionalQueue;
    let time = 1_700_000_000_000;
    const now = () => time;

    beforeAll(async () => {
      harness = await setup();
      store = await harness.open(now);
      other = await harness.open(now);
    });
    afterAll(async () => {
      await other?.close();
      await store?.close();
      await harness?.cleanup();
    });
    beforeEach(async () => {
      time = 1_700_000_000_000;
      await harness.empty();
    });

    it('enqueues a pending job with defaults', async () => {
      const job = await store.jobs.enqueue({ kind: 'poll', payload: { registryId: 'r1' } });
      expect(job).toMatchObject({
        kind: 'poll',
        payload: { registryId: 'r1' },
        dedupeKey: null,
        state: 'pending',
        attempts: 0,
        maxAttempts: 5,
        runAt: time,
        lastError: null,
        createdAt: time,
        updatedAt: time,
      });
      expect(await store.jobs.get(job.id)).toEqual(job);
      expect(await store.jobs.get('missing')).toBeUndefined();
    });

    it('refuses a maxAttempts below 1 with a clear error', async () => {
      const error = await store.jobs.enqueue({ kind: 'poll', payload: {}, maxAttempts: 0 }).catch((e) => e);
      expect(isBridgeError(error, 'BAD_REQUEST')).toBe(true);
      expect(error.message).toMatch(/maxAttempts/);
    });

    it('dedupes on the key while a job is pending or running, not after it is done', async () => {
      const first = await store.jobs.enqueue({ kind: 'poll', payload: { n: 1 }, dedupeKey: 'poll:r1' });
      expect((await store.jobs.enqueue({ kind: 'poll', payload: { n: 2 }, dedupeKey: 'poll:r1' })).id).toBe(first.id);
      const otherKey = await store.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'poll:r2' });
      expect(otherKey.id).not.toBe(first.id);
      await store.jobs.claim('w', 10, 1000);
      expect((await store.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'poll:r1' })).id).toBe(first.id);
      await store.jobs.complete(first.id);
      const next = await store.jobs.enqueue({ kind: 'poll', payload: { n: 3 }, dedupeKey: 'poll:r1' });
      expect(next.id).not.toBe(first.id);
      expect(next.payload).toEqual({ n: 3 });
      // No key: never deduplicated.
      const a = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
      const b = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
      expect(a.id).not.toBe(b.id);
    });

    it('dedupes inside a transaction and keeps one job per key when enqueued concurrently', async () => {
      await store.transaction(async (tx) => {
        const one = await tx.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'k' });
        expect((await tx.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'k' })).id).toBe(one.id);
      });
      const results = await Promise.all([
        store.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'c' }),
        other.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'c' }),
        store.jobs.enqueue({ kind: 'poll', payload: {}, dedupeKey: 'c' }),
      ]);
      expect(new Set(results.map((job) => job.id)).size).toBe(1);
      expect(await store.jobs.list({})).toHaveLength(2);
    });

    it('enqueues many at once, in order, deduplicated against active jobs and among themselves', async () => {
      expect(await store.jobs.enqueueMany([])).toEqual([]);
      const active = await store.jobs.enqueue({ kind: 'poll', payload: { n: 0 }, dedupeKey: 'poll:r1' });
      const jobs = await store.transaction((tx) =>
        tx.jobs.enqueueMany([
          { kind: 'delivery', payload: { n: 1 } },
          { kind: 'poll', payload: { n: 2 }, dedupeKey: 'poll:r1' },
          { kind: 'poll', payload: { n: 3 }, dedupeKey: 'poll:r2', runAt: time + 50, maxAttempts: 2 },
          { kind: 'poll', payload: { n: 4 }, dedupeKey: 'poll:r2' },
          { kind: 'delivery', payload: { n: 5 } },
        ]),
      );
      expect(jobs.map((job) => job.payload.n)).toEqual([1, 0, 3, 3, 5]);
      expect(jobs[1]!.id).toBe(active.id);
      expect(jobs[3]!.id).toBe(jobs[2]!.id);
      expect(jobs[2]).toMatchObject({ state: 'pending', runAt: time + 50, maxAttempts: 2, attempts: 0 });
      expect(jobs[0]).toMatchObject({ kind: 'delivery', dedupeKey: null, maxAttempts: 5, runAt: time });
      expect(await store.jobs.get(jobs[4]!.id)).toEqual(jobs[4]);
      expect(await store.jobs.list({})).toHaveLength(4);
      const error = await store.jobs.enqueueMany([{ kind: 'poll', payload: {}, maxAttempts: 0 }]).catch((e) => e);
      expect(isBridgeError(error, 'BAD_REQUEST')).toBe(true);
    });

    it('claims due jobs only, oldest first, up to the limit, and only the kinds asked for', async () => {
      const later = await store.jobs.enqueue({ kind: 'poll', payload: {}, runAt: time + 500 });
      const first = await store.jobs.enqueue({ kind: 'poll', payload: {}, runAt: time - 20 });
      const second = await store.jobs.enqueue({ kind: 'ingest', payload: {}, runAt: time - 10 });
      const third = await store.jobs.enqueue({ kind: 'delivery', payload: {} });
      expect((await store.jobs.claim('w1', 1, 1000, ['ingest'])).map((job) => job.id)).toEqual([second.id]);
      const claimed = await store.jobs.claim('w1', 5, 1000);
      expect(claimed.map((job) => job.id)).toEqual([first.id, third.id]);
      expect(claimed[0]).toMatchObject({ state: 'running', attempts: 1, updatedAt: time });
      expect(await store.jobs.claim('w2', 5, 1000)).toEqual([]);
      time += 500;
      expect((await store.jobs.claim('w2', 5, 1000)).map((job) => job.id)).toEqual([later.id]);
      expect(await store.jobs.claim('w2', 0, 1000)).toEqual([]);
      expect(await store.jobs.claim('w2', 5, 1000, [])).toEqual([]);
    });

    it('gives a crashed worker’s job to another worker when the lease ends; the late worker cannot finish it', async () => {
      const job = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      await store.jobs.claim('crashed', 1, 1000);
      time += 999;
      expect(await other.jobs.claim('w2', 1, 1000)).toEqual([]);
      time += 1;
      const [again] = await other.jobs.claim('w2', 1, 1000);
      expect(again).toMatchObject({ id: job.id, attempts: 2, state: 'running' });
      await store.jobs.complete(job.id, 'crashed');
      await store.jobs.fail(job.id, 'late', null, 'crashed');
      expect(await store.jobs.renew(job.id, 'crashed', 1000)).toBe(false);
      expect((await store.jobs.get(job.id))?.state).toBe('running');
      await other.jobs.complete(job.id, 'w2');
      expect((await store.jobs.get(job.id))?.state).toBe('done');
    });

    it('renews a lease only for its holder', async () => {
      const job = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      await store.jobs.claim('w1', 1, 1000);
      time += 900;
      expect(await store.jobs.renew(job.id, 'w1', 1000)).toBe(true);
      time += 900;
      expect(await other.jobs.claim('w2', 1, 1000)).toEqual([]);
      expect(await store.jobs.renew(job.id, 'w2', 1000)).toBe(false);
      await store.jobs.complete(job.id, 'w1');
      expect(await store.jobs.renew(job.id, 'w1', 1000)).toBe(false);
    });

    it('postpones a pending job only', async () => {
      const job = await store.jobs.enqueue({ kind: 'propose', payload: {}, runAt: time + 1000 });
      time += 900;
      expect(await other.jobs.postpone(job.id, time + 1000)).toBe(true);
      time += 900;
      // Held back: not due although its first start has passed.
      expect(await store.jobs.claim('w1', 1, 1000)).toEqual([]);
      time += 200;
      expect((await store.jobs.claim('w1', 1, 1000)).map((claimed) => claimed.id)).toEqual([job.id]);
      expect(await other.jobs.postpone(job.id, time + 1000)).toBe(false);
      await store.jobs.complete(job.id, 'w1');
      expect(await other.jobs.postpone(job.id, time + 1000)).toBe(false);
      expect(await other.jobs.postpone('no-such-job', time)).toBe(false);
    });

    it('completes many at once, only running ones held by the worker; enqueueMany joins active keys', async () => {
      const [first, second, third] = await store.jobs.enqueueMany([
        { kind: 'poll', payload: { n: 1 }, dedupeKey: 'many:1' },
        { kind: 'poll', payload: { n: 2 }, dedupeKey: 'many:2' },
        { kind: 'poll', payload: { n: 3 } },
      ]);
      const claimed = await store.jobs.claim('w1', 2, 60_000, ['poll']);
      expect(claimed.map((job) => job.id)).toEqual([first!.id, second!.id]);
      // A pending key and a running key join their jobs; a new key is a new job.
      const joined = await store.jobs.enqueueMany([
        { kind: 'poll', payload: { n: 1 }, dedupeKey: 'many:1' },
        { kind: 'poll', payload: { n: 4 }, dedupeKey: 'many:4' },
        { kind: 'poll', payload: { n: 2 }, dedupeKey: 'many:2' },
      ]);
      expect(joined.map((job) => [job.id, job.state])).toEqual([
        [first!.id, 'running'],
        [joined[1]!.id, 'pending'],
        [second!.id, 'running'],
      ]);

      await store.jobs.completeMany([]);
      await store.jobs.completeMany([first!.id, second!.id, third!.id], 'someone-else');
      expect((await store.jobs.get(first!.id))?.state).toBe('running');
      await store.jobs.completeMany([first!.id, second!.id, third!.id], 'w1');
      expect((await store.jobs.get(first!.id))?.state).toBe('done');
      expect((await store.jobs.get(second!.id))?.state).toBe('done');
      // Not running: untouched.
      expect((await store.jobs.get(third!.id))?.state).toBe('pending');
    });

    it('moves a job whose lease ended on its last attempt to dead', async () => {
      const job = await store.jobs.enqueue({ kind: 'ingest', payload: {}, maxAttempts: 1 });
      await store.jobs.claim('w1', 1, 1000);
      time += 1000;
      expect(await store.jobs.claim('w2', 1, 1000)).toEqual([]);
      const dead = await store.jobs.get(job.id);
      expect(dead).toMatchObject({ state: 'dead', attempts: 1 });
      expect(dead?.lastError).toMatch(/lease expired/);
    });

    it('retries a failed job at the given time and dead-letters it when attempts are used up', async () => {
      const job = await store.jobs.enqueue({ kind: 'poll', payload: {}, maxAttempts: 2 });
      await store.jobs.claim('w', 1, 1000);
      await store.jobs.fail(job.id, 'REGISTRY_TIMEOUT: slow', time + 100, 'w');
      expect(await store.jobs.get(job.id)).toMatchObject({
        state: 'pending',
        runAt: time + 100,
        lastError: 'REGISTRY_TIMEOUT: slow',
      });
      time += 99;
      expect(await store.jobs.claim('w', 1, 1000)).toEqual([]);
      time += 1;
      expect((await store.jobs.claim('w', 1, 1000))[0]?.attempts).toBe(2);
      await store.jobs.fail(job.id, 'again', time + 100, 'w');
      expect(await store.jobs.get(job.id)).toMatchObject({ state: 'dead', attempts: 2, lastError: 'again' });
      time += 1000;
      expect(await store.jobs.claim('w', 1, 1000)).toEqual([]);
    });

    it('dead-letters at once when no retry time is given, and cuts very long errors', async () => {
      const job = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      await store.jobs.claim('w', 1, 1000);
      await store.jobs.fail(job.id, 'x'.repeat(5000), null);
      const dead = await store.jobs.get(job.id);
      expect(dead?.state).toBe('dead');
      expect(dead?.lastError?.length).toBeLessThan(2100);
    });

    it('lists newest first with filters, counts by kind and state, purges old done jobs', async () => {
      const a = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      const b = await store.jobs.enqueue({ kind: 'ingest', payload: {} });
      const c = await store.jobs.enqueue({ kind: 'poll', payload: {} });
      await store.jobs.claim('w', 1, 1000);
      await store.jobs.complete(a.id, 'w');
      expect((await store.jobs.list({})).map((job) => job.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.jobs.list({ kind: 'poll' })).map((job) => job.id)).toEqual([c.id, a.id]);
      expect((await store.jobs.list({ state: 'done' })).map((job) => job.id)).toEqual([a.id]);
      expect(await store.jobs.list({ limit: 1 })).toHaveLength(1);
      // Live jobs only: done ones are not counted at each scrape (issue 10, item 14).
      expect(await store.jobs.counts()).toEqual([
        { kind: 'ingest', state: 'pending', count: 1 },
        { kind: 'poll', state: 'pending', count: 1 },
      ]);
      expect(await store.jobs.purge(time)).toBe(0);
      expect(await store.jobs.purge(time + 1)).toBe(1);
      expect(await store.jobs.get(a.id)).toBeUndefined();
      expect(await store.jobs.list({})).toHaveLength(2);
    });

    it('two stores claiming at the same time never get the same job', async () => {
      for (let i = 0; i < 40; i++) await store.jobs.enqueue({ kind: 'poll', payload: { i } });
      const seen: string[] = [];
      for (let round = 0; round < 5; round++) {
        const batches = await Promise.all([
          store.jobs.claim('a', 5, 60_000),
          other.jobs.claim('b', 5, 60_000),
          store.jobs.claim('c', 5, 60_000),
          other.jobs.claim('d', 5, 60_000),
        ]);
        for (const batch of batches) seen.push(...batch.map((job) => job.id));
      }
      expect(seen).toHaveLength(40);
      expect(new Set(seen).size).toBe(40);
    });
  });
}
