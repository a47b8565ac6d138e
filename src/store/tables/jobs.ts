/**
 * The job queue in the store's database (SQLite or Postgres), on the same Kysely executor as
 * the store, so `enqueue` inside `Store.transaction` commits or rolls back with the state change.
 *
 * Claiming is one UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING: atomic on SQLite (one
 * writer), and on Postgres the inner SELECT takes `FOR UPDATE SKIP LOCKED` so concurrent
 * workers in several processes never claim the same row.
 */
import { sql } from 'kysely';
import { BridgeError } from '../../errors.js';
import type { Job, JobInput, JobKind, JobQueue, JobState } from '../../jobs/interface.js';
import type { TableContext } from '../context.js';
import { newId } from '../ids.js';
import { insertInChunks, MAX_ROWS_PER_INSERT } from '../insert-chunks.js';
import { num, toJob } from '../rows.js';

export const DEFAULT_MAX_ATTEMPTS = 5;
/**
 * `state IN ('pending', 'running')` as literal SQL, as in the partial index `jobs_dedupe_active`:
 * with bound parameters SQLite cannot tell that the index applies and scans every pending job.
 */
const ACTIVE_STATES = sql<boolean>`state in ('pending', 'running')`;
/** lastError is for people reading the API; a stack trace or a huge message is cut here. */
const MAX_ERROR_LENGTH = 2000;

/** The `jobs` table as the `JobQueue` (`jobs/interface.ts`); `executor` is the store's database or its open transaction. */
export function jobQueue({ db: executor, dialect, now }: TableContext): JobQueue {
  function toRow(input: JobInput, at: number) {
    const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new BridgeError('BAD_REQUEST', `job maxAttempts must be a positive integer, got ${maxAttempts}`);
    }
    return {
      id: newId(at),
      kind: input.kind,
      payload: JSON.stringify(input.payload),
      dedupe_key: input.dedupeKey ?? null,
      state: 'pending',
      attempts: 0,
      max_attempts: maxAttempts,
      run_at: input.runAt ?? at,
      last_error: null,
      locked_by: null,
      locked_until: null,
      created_at: at,
      updated_at: at,
    };
  }

  async function insertOrFindActive(input: JobInput): Promise<Job> {
    const db = executor();
    const row = toRow(input, now());
    // A key that is already pending or running makes the insert a no-op; the caller gets that job.
    // The loop covers the race where the existing job finishes between our insert and our read.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await db
        .insertInto('jobs')
        .values(row)
        .onConflict((oc) =>
          oc.column('dedupe_key').where(sql.ref('state'), 'in', sql`('pending', 'running')`).doNothing(),
        )
        .returningAll()
        .executeTakeFirst();
      if (inserted) return toJob(inserted);
      const existing = await db
        .selectFrom('jobs')
        .selectAll()
        .where('dedupe_key', '=', row.dedupe_key)
        .where(ACTIVE_STATES)
        .executeTakeFirst();
      if (existing) return toJob(existing);
    }
    throw new BridgeError('INTERNAL', `could not enqueue job with dedupe key '${row.dedupe_key}'`);
  }

  /**
   * One INSERT … VALUES (…),(…) per chunk: the rows it returns are the new jobs. An input whose key
   * was active (or repeated in the chunk) goes through `insertOrFindActive`, which finds that job.
   */
  async function enqueueMany(inputs: JobInput[]): Promise<Job[]> {
    const db = executor();
    const at = now();
    const rows = inputs.map((input) => toRow(input, at));
    const jobs: Job[] = [];
    await insertInChunks(
      rows,
      // Only the ids come back: a new job holds exactly the row given (no payload to parse again).
      (chunk) =>
        db
          .insertInto('jobs')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('dedupe_key').where(sql.ref('state'), 'in', sql`('pending', 'running')`).doNothing(),
          )
          .returning('id')
          .execute(),
      async (chunk, start, newIds) => {
        // Inputs whose key was active: one query finds those jobs; a key whose job ended meanwhile
        // is enqueued again by `insertOrFindActive`.
        const keys = chunk
          .filter((row) => !newIds.has(row.id) && row.dedupe_key !== null)
          .map((row) => row.dedupe_key!);
        const active = new Map<string, Job>();
        if (keys.length > 0) {
          const rows = await db
            .selectFrom('jobs')
            .selectAll()
            .where('dedupe_key', 'in', [...new Set(keys)])
            .where(ACTIVE_STATES)
            .execute();
          for (const row of rows) active.set(row.dedupe_key!, toJob(row));
        }
        for (const [offset, row] of chunk.entries()) {
          const input = inputs[start + offset]!;
          const found = row.dedupe_key === null ? undefined : active.get(row.dedupe_key);
          jobs.push(
            newIds.has(row.id)
              ? { ...toJob({ ...row, payload: 'null' }), payload: structuredClone(input.payload) }
              : (found ?? (await insertOrFindActive(input))),
          );
        }
      },
    );
    return jobs;
  }

  return {
    enqueue: insertOrFindActive,
    enqueueMany,

    async claim(workerId, limit, leaseMs, kinds) {
      const db = executor();
      if (limit <= 0 || kinds?.length === 0) return [];
      const at = now();
      // Leases that ran out go back to pending (their run_at is old, so they come first), or to
      // dead on the last attempt: such a job was crashing or stalling its workers. Two simple
      // statements instead of one claim with OR, so each can use an index ((state, locked_until) and
      // (state, run_at, id)) however many done jobs the table holds.
      await db
        .updateTable('jobs')
        .set({
          state: sql<string>`case when attempts >= max_attempts then 'dead' else 'pending' end`,
          last_error: sql<string>`case when attempts >= max_attempts
            then 'lease expired on the last attempt (worker stopped or crashed)'
            else 'lease expired (worker stopped or crashed)' end`,
          locked_by: null,
          locked_until: null,
          updated_at: at,
        })
        .where('state', '=', 'running')
        .where('locked_until', '<=', at)
        .execute();
      let due = db
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'pending')
        .where('run_at', '<=', at)
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit);
      if (kinds !== undefined) due = due.where('kind', 'in', kinds);
      if (dialect === 'postgres') due = due.forUpdate().skipLocked();
      const rows = await db
        .updateTable('jobs')
        .set((eb) => ({
          state: 'running',
          locked_by: workerId,
          locked_until: at + leaseMs,
          attempts: eb('attempts', '+', 1),
          updated_at: at,
        }))
        .where('id', 'in', due)
        .returningAll()
        .execute();
      return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || a.id.localeCompare(b.id));
    },

    async complete(jobId, workerId) {
      const db = executor();
      let query = db
        .updateTable('jobs')
        .set({ state: 'done', locked_by: null, locked_until: null, updated_at: now() })
        .where('id', '=', jobId)
        .where('state', '=', 'running');
      if (workerId !== undefined) query = query.where('locked_by', '=', workerId);
      await query.execute();
    },

    async completeMany(jobIds, workerId) {
      const db = executor();
      for (let start = 0; start < jobIds.length; start += MAX_ROWS_PER_INSERT) {
        let query = db
          .updateTable('jobs')
          .set({ state: 'done', locked_by: null, locked_until: null, updated_at: now() })
          .where('id', 'in', jobIds.slice(start, start + MAX_ROWS_PER_INSERT))
          .where('state', '=', 'running');
        if (workerId !== undefined) query = query.where('locked_by', '=', workerId);
        await query.execute();
      }
    },

    async fail(jobId, error, retryAt, workerId) {
      const db = executor();
      const message = error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH)}…` : error;
      const state =
        retryAt === null
          ? sql<string>`'dead'`
          : sql<string>`case when attempts >= max_attempts then 'dead' else 'pending' end`;
      let query = db
        .updateTable('jobs')
        .set({
          state,
          run_at: retryAt ?? sql<number>`run_at`,
          last_error: message,
          locked_by: null,
          locked_until: null,
          updated_at: now(),
        })
        .where('id', '=', jobId)
        .where('state', '=', 'running');
      if (workerId !== undefined) query = query.where('locked_by', '=', workerId);
      await query.execute();
    },

    async renew(jobId, workerId, leaseMs) {
      const db = executor();
      const at = now();
      const result = await db
        .updateTable('jobs')
        .set({ locked_until: at + leaseMs, updated_at: at })
        .where('id', '=', jobId)
        .where('state', '=', 'running')
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return num(result.numUpdatedRows) > 0;
    },

    async postpone(jobId, runAt) {
      const db = executor();
      const result = await db
        .updateTable('jobs')
        .set({ run_at: runAt, updated_at: now() })
        .where('id', '=', jobId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return num(result.numUpdatedRows) > 0;
    },

    async get(jobId) {
      const db = executor();
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async list(filter) {
      const db = executor();
      const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
      let query = db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit);
      if (filter.state) query = query.where('state', '=', filter.state);
      if (filter.kind) query = query.where('kind', '=', filter.kind);
      if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
      return (await query.execute()).map(toJob);
    },

    async counts() {
      const db = executor();
      const rows = await db
        .selectFrom('jobs')
        .select(['kind', 'state', (eb) => eb.fn.countAll<number | string>().as('count')])
        // Live jobs only, through the state index: done jobs pile up between purges (one per poll).
        .where('state', 'in', ['pending', 'running', 'dead'])
        .groupBy(['kind', 'state'])
        .orderBy('kind')
        .orderBy('state')
        .execute();
      return rows.map((row) => ({ kind: row.kind as JobKind, state: row.state as JobState, count: num(row.count) }));
    },

    async purge(before) {
      const db = executor();
      const result = await db
        .deleteFrom('jobs')
        .where('state', '=', 'done')
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return num(result.numDeletedRows);
    },
  };
}
