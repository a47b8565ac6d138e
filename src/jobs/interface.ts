/**
 * A durable job queue. Delivery is at-least-once: handlers must be idempotent.
 * Enqueueing inside `Store.transaction` makes it atomic with the state change that causes it.
 */

export type JobKind = 'poll' | 'ingest' | 'delivery' | 'propose' | 'track' | 'upgrade';

export interface JobInput {
  kind: JobKind;
  payload: Record<string, unknown>;
  /** Jobs with the same key that are still pending or running are not enqueued twice. */
  dedupeKey?: string;
  /** Earliest start, epoch milliseconds; default now. */
  runAt?: number;
  maxAttempts?: number;
}

export type JobState = 'pending' | 'running' | 'done' | 'dead';

export interface Job {
  id: string;
  kind: JobKind;
  payload: Record<string, unknown>;
  dedupeKey: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface JobQueue {
  enqueue(job: JobInput): Promise<Job>;
  /**
   * `enqueue` for many jobs, with one multi-row statement in the common case; results in input
   * order, deduplicated as `enqueue` does (also between inputs sharing a key).
   */
  enqueueMany(jobs: JobInput[]): Promise<Job[]>;
  /**
   * Claim up to `limit` due jobs with a lease; a crashed worker's job is claimable again after the lease ends.
   * With `kinds`, only jobs of those kinds (a worker claims only what it has handlers for).
   */
  claim(workerId: string, limit: number, leaseMs: number, kinds?: JobKind[]): Promise<Job[]>;
  /**
   * Marks a running job done. With `workerId`, only while that worker still holds the lease
   * (a worker whose lease ran out must not finish a job another worker has claimed since).
   */
  complete(jobId: string, workerId?: string): Promise<void>;
  /** `complete` for many jobs in one statement (a batch that succeeded). */
  completeMany(jobIds: readonly string[], workerId?: string): Promise<void>;
  /**
   * Retry later with backoff, or move to `dead` when attempts are used up or `retryAt` is null.
   * `workerId` guards the lease as in `complete`.
   */
  fail(jobId: string, error: string, retryAt: number | null, workerId?: string): Promise<void>;
  /** Extends the lease of a running job; false when the worker no longer holds it. */
  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  /**
   * Moves a pending job's start to `runAt` (a stand-by job held back while its work is done
   * elsewhere); false when it is not pending any more (a worker has it, or it ended).
   */
  postpone(jobId: string, runAt: number): Promise<boolean>;
  get(jobId: string): Promise<Job | undefined>;
  /**
   * Newest first; `limit` defaults to 100 and is capped at 1000; `beforeId` continues a list after
   * its last item (cursor pagination).
   */
  list(filter: { state?: JobState; kind?: JobKind; limit?: number; beforeId?: string }): Promise<Job[]>;
  /**
   * Number of pending, running and dead jobs per kind and state (for metrics): a bounded query.
   * Done jobs are counted by the workers' `margo_bridge_jobs_total{outcome="done"}` instead.
   */
  counts(): Promise<{ kind: JobKind; state: JobState; count: number }[]>;
  /** Deletes done jobs last updated before `before` (epoch ms); dead jobs are kept. Returns how many. */
  purge(before: number): Promise<number>;
}
