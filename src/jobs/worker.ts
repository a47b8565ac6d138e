/**
 * The worker loop: claims due jobs (up to `concurrency` at once), runs their handlers, renews
 * each lease while its handler runs, and records the outcome: done, retry later with backoff
 * and jitter, or dead (see retry.ts for which errors are retried). Web-standard timers only.
 * Kinds whose handler has `batch` (webhook deliveries) are claimed and handled many at a time.
 *
 * Lease: renewed every leaseMs/3 while a handler runs, so a live worker keeps its job however
 * long it takes; a crashed worker's job becomes claimable leaseMs after its last renewal.
 */
import { type Logger, silentLogger } from '../logger.js';
import type { Job, JobHandler, JobKind, JobQueue } from './interface.js';
import { type Backoff, backoffDelay, describeError, failureAction } from './retry.js';

/**
 * A handler that can also take many claimed jobs of its kind at once (`batch`): per job, null when
 * it succeeded, else its error. Such jobs are claimed up to `batchSize` at a time and a batch
 * takes one slot of `concurrency`; each job's outcome is recorded as for a single job.
 */
export type BatchableJobHandler = JobHandler & { batch?: (jobs: Job[]) => Promise<unknown[]> };

export interface JobOutcome {
  job: Job;
  outcome: 'done' | 'retry' | 'dead';
  durationMs: number;
}

export interface WorkerOptions {
  queue: JobQueue;
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Jobs run at once by this worker. */
  concurrency: number;
  leaseMs: number;
  /** Wait between claims when the queue had nothing due. */
  pollIntervalMs: number;
  backoff: Backoff;
  logger?: Logger;
  /** Epoch milliseconds for retry times; must agree with the queue's clock. Default Date.now. */
  clock?: () => number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Lease holder name; default a random UUID. */
  workerId?: string;
  /** Most jobs claimed at once for a kind whose handler has `batch`; default 256 (the receiver's largest group). */
  batchSize?: number;
  /** Called after each job, for metrics. */
  onOutcome?: (outcome: JobOutcome) => void;
}

export interface Worker {
  readonly workerId: string;
  /** Claims what is due now (up to the free capacity), runs it, and resolves with how many jobs ran. */
  runOnce(): Promise<number>;
  /**
   * Stops claiming and resolves when every running job has finished; with `deadlineMs`, at the
   * latest then: jobs still running get their lease released, so another worker takes them at once.
   */
  stop(options?: { deadlineMs?: number }): Promise<void>;
}

/** Starts the loop at once. */
export function startWorker(options: WorkerOptions): Worker {
  const worker = createWorker(options);
  worker.start();
  return worker;
}

/** A worker that runs only when `runOnce` is called, until `start`; for `margo-bridge poll` and tests. */
export function createWorker(options: WorkerOptions): Worker & { start(): void } {
  const { queue, handlers, concurrency, leaseMs, pollIntervalMs, backoff } = options;
  if (
    !(concurrency >= 1 && leaseMs > 0 && pollIntervalMs > 0 && backoff.baseMs > 0 && backoff.maxMs >= backoff.baseMs)
  ) {
    throw new RangeError('startWorker: concurrency >= 1, leaseMs > 0, pollIntervalMs > 0, 0 < backoff.baseMs <= maxMs');
  }
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const workerId = options.workerId ?? crypto.randomUUID();
  const batchSize = options.batchSize ?? 256;
  const batchKinds = (Object.keys(handlers) as JobKind[]).filter(
    (kind) => (handlers[kind] as BatchableJobHandler | undefined)?.batch !== undefined,
  );
  const kinds = (Object.keys(handlers) as JobKind[]).filter((kind) => !batchKinds.includes(kind));
  const running = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  /** Jobs whose leases this worker keeps, until they settle. */
  const leased = new Map<Job, ReturnType<typeof setInterval>>();

  /** Renews the leases of `jobs` every leaseMs/3 until the returned stop function is called. */
  function keepLeases(jobs: readonly Job[]): () => void {
    const renewal = setInterval(() => {
      for (const job of jobs) {
        queue.renew(job.id, workerId, leaseMs).then(
          (held) => {
            if (!held) logger.warn({ jobId: job.id, kind: job.kind }, 'job lease lost; another worker may run it');
          },
          (error: unknown) => logger.error({ jobId: job.id, error: describeError(error) }, 'job lease renewal failed'),
        );
      }
    }, leaseMs / 3);
    for (const job of jobs) leased.set(job, renewal);
    return () => {
      clearInterval(renewal);
      for (const job of jobs) leased.delete(job);
    };
  }

  /** Gives up the jobs still running: no more renewals, and their leases end now. */
  async function releaseLeases(): Promise<void> {
    const jobs = [...leased.entries()];
    leased.clear();
    for (const [, renewal] of jobs) clearInterval(renewal);
    await Promise.all(
      jobs.map(([job]) =>
        queue.renew(job.id, workerId, 0).catch((error: unknown) => {
          logger.error({ jobId: job.id, error: describeError(error) }, 'releasing a job lease failed');
        }),
      ),
    );
    if (jobs.length > 0) logger.warn({ workerId, jobs: jobs.length }, 'stopped before jobs finished; leases released');
  }

  async function run(job: Job): Promise<void> {
    const started = clock();
    const release = keepLeases([job]);
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new Error(`no handler for job kind '${job.kind}'`);
      await handler(job);
    } catch (error) {
      await settle(job, { error }, started);
      return;
    } finally {
      release();
    }
    await settle(job, null, started);
  }

  async function runBatch(kind: JobKind, jobs: Job[]): Promise<void> {
    const started = clock();
    const release = keepLeases(jobs);
    let errors: unknown[];
    try {
      errors = await (handlers[kind] as BatchableJobHandler).batch!(jobs);
    } catch (error) {
      errors = jobs.map(() => error);
    } finally {
      release();
    }
    const done: Job[] = [];
    for (const [index, job] of jobs.entries()) {
      const error = index < errors.length ? errors[index] : new Error('the batch handler gave no result for this job');
      if (error === null) done.push(job);
      else await settle(job, { error }, started);
    }
    // The jobs that succeeded are marked done with one statement, not one each.
    try {
      await queue.completeMany(
        done.map((job) => job.id),
        workerId,
      );
    } catch (error) {
      for (const job of done) await settle(job, { error }, started);
      return;
    }
    for (const job of done) options.onOutcome?.({ job, outcome: 'done', durationMs: clock() - started });
  }

  /** Records a job's outcome: done, retry later with backoff and jitter, or dead. */
  async function settle(job: Job, failure: { error: unknown } | null, started: number): Promise<void> {
    let outcome: JobOutcome['outcome'] = 'done';
    if (failure === null) {
      try {
        await queue.complete(job.id, workerId);
      } catch (error) {
        failure = { error };
      }
    }
    if (failure !== null) {
      const { error } = failure;
      const retry = failureAction(error) === 'retry' && job.attempts < job.maxAttempts;
      const retryAt = retry ? clock() + backoffDelay(job.attempts, backoff, random) : null;
      const message = describeError(error);
      outcome = retry ? 'retry' : 'dead';
      const fields = { jobId: job.id, kind: job.kind, attempts: job.attempts, retryAt, error: message };
      if (retry) logger.warn(fields, 'job failed; will retry');
      else logger.error(fields, 'job failed; dead letter');
      try {
        await queue.fail(job.id, message, retryAt, workerId);
      } catch (failError) {
        // The lease runs out and the job is claimed again: at-least-once holds.
        logger.error({ jobId: job.id, error: describeError(failError) }, 'could not record job failure');
      }
    }
    options.onOutcome?.({ job, outcome, durationMs: clock() - started });
  }

  function track(job: Job, work: Promise<void> = run(job)): Promise<void> {
    const promise = work.catch((error: unknown) => {
      logger.error({ jobId: job.id, error: describeError(error) }, 'job bookkeeping failed');
    });
    running.add(promise);
    promise.finally(() => {
      running.delete(promise);
      wake?.();
    });
    return promise;
  }

  /** Starts what is due, within the free slots: batches first, then single jobs. */
  async function claimAndStart(): Promise<{ running: Promise<void>[]; jobs: number }> {
    const started: Promise<void>[] = [];
    let jobs = 0;
    for (const kind of batchKinds) {
      if (concurrency - running.size <= 0) break;
      const batch = await queue.claim(workerId, batchSize, leaseMs, [kind]);
      if (batch.length === 0) continue;
      started.push(track(batch[0]!, runBatch(kind, batch)));
      jobs += batch.length;
    }
    const free = concurrency - running.size;
    if (free > 0 && kinds.length > 0) {
      const claimed = await queue.claim(workerId, free, leaseMs, kinds);
      started.push(...claimed.map((job) => track(job)));
      jobs += claimed.length;
    }
    return { running: started, jobs };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function loopBody(): Promise<void> {
    while (!stopping) {
      let started = 0;
      try {
        started = (await claimAndStart()).jobs;
      } catch (error) {
        logger.error({ workerId, error: describeError(error) }, 'claiming jobs failed');
      }
      if (stopping) break;
      // Full: wait for a slot (a finishing job wakes us). Found work with slots left: claim again.
      // Nothing due: wait a poll interval.
      if (running.size >= concurrency) await sleep(pollIntervalMs * 10);
      else if (started === 0) await sleep(pollIntervalMs);
    }
  }

  return {
    workerId,
    start() {
      if (loop === undefined && !stopping) loop = loopBody();
    },
    async runOnce() {
      const started = await claimAndStart();
      await Promise.all(started.running);
      return started.jobs;
    },
    async stop(options = {}) {
      stopping = true;
      wake?.();
      const finished = (async () => {
        await loop;
        await Promise.all([...running]);
      })();
      if (options.deadlineMs === undefined) return finished;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), options.deadlineMs);
      });
      const outcome = await Promise.race([finished, late]);
      if (timer !== undefined) clearTimeout(timer);
      if (outcome === 'late') await releaseLeases();
    },
  };
}
