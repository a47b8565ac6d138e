/**
 * The worker loop: claims due jobs (up to `concurrency` at once), runs their handlers, renews
 * each lease while its handler runs, and records the outcome: done, retry later with backoff
 * and jitter, or dead (see retry.ts for which errors are retried). Web-standard timers only.
 *
 * Lease: renewed every leaseMs/3 while a handler runs, so a live worker keeps its job however
 * long it takes; a crashed worker's job becomes claimable leaseMs after its last renewal.
 */
import type { Job, JobHandler, JobKind, JobQueue } from './interface.js';
import { type Backoff, backoffDelay, describeError, failureAction } from './retry.js';

/** The subset of pino's API the worker uses. */
export interface WorkerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

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
  logger?: WorkerLogger;
  /** Epoch milliseconds for retry times; must agree with the queue's clock. Default Date.now. */
  clock?: () => number;
  /** Jitter source, [0, 1). Default Math.random. */
  random?: () => number;
  /** Lease holder name; default a random UUID. */
  workerId?: string;
  /** Called after each job, for metrics. */
  onOutcome?: (outcome: JobOutcome) => void;
}

export interface Worker {
  readonly workerId: string;
  /** Claims what is due now (up to the free capacity), runs it, and resolves with how many jobs ran. */
  runOnce(): Promise<number>;
  /** Stops claiming and resolves when every running job has finished. */
  stop(): Promise<void>;
}

const silentLogger: WorkerLogger = { info() {}, warn() {}, error() {} };

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
  const kinds = Object.keys(handlers) as JobKind[];
  const running = new Set<Promise<void>>();
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function run(job: Job): Promise<void> {
    const started = clock();
    const renewal = setInterval(() => {
      queue.renew(job.id, workerId, leaseMs).then(
        (held) => {
          if (!held) logger.warn({ jobId: job.id, kind: job.kind }, 'job lease lost; another worker may run it');
        },
        (error: unknown) => logger.error({ jobId: job.id, error: describeError(error) }, 'job lease renewal failed'),
      );
    }, leaseMs / 3);
    let outcome: JobOutcome['outcome'];
    try {
      const handler = handlers[job.kind];
      if (!handler) throw new Error(`no handler for job kind '${job.kind}'`);
      await handler(job);
      await queue.complete(job.id, workerId);
      outcome = 'done';
    } catch (error) {
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
    } finally {
      clearInterval(renewal);
    }
    options.onOutcome?.({ job, outcome, durationMs: clock() - started });
  }

  function track(job: Job): Promise<void> {
    const promise = run(job).catch((error: unknown) => {
      logger.error({ jobId: job.id, error: describeError(error) }, 'job bookkeeping failed');
    });
    running.add(promise);
    promise.finally(() => {
      running.delete(promise);
      wake?.();
    });
    return promise;
  }

  async function claimAndStart(): Promise<Promise<void>[]> {
    const free = concurrency - running.size;
    if (free <= 0 || kinds.length === 0) return [];
    const jobs = await queue.claim(workerId, free, leaseMs, kinds);
    return jobs.map(track);
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
        started = (await claimAndStart()).length;
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
      await Promise.all(started);
      return started.length;
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await Promise.all([...running]);
    },
  };
}
