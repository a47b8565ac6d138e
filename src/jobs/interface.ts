/**
 * A durable job queue. Delivery is at-least-once: handlers must be idempotent.
 * Enqueueing inside `Store.transaction` makes it atomic with the state change that causes it.
 */

export type JobKind = 'poll' | 'ingest' | 'delivery';

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
  /** Claim up to `limit` due jobs with a lease; a crashed worker's job is claimable again after the lease ends. */
  claim(workerId: string, limit: number, leaseMs: number): Promise<Job[]>;
  complete(jobId: string): Promise<void>;
  /** Retry later with backoff, or move to `dead` when attempts are used up. */
  fail(jobId: string, error: string, retryAt: number | null): Promise<void>;
  get(jobId: string): Promise<Job | undefined>;
  list(filter: { state?: JobState; kind?: JobKind; limit?: number }): Promise<Job[]>;
}
