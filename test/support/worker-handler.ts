import type pg from 'pg';
import type { JobHandler } from '../../src/jobs/interface.js';

/** A job handler that records (job id, worker) and takes a little time, like real work. */
export function recordingHandler(pool: pg.Pool, worker: string): JobHandler {
  return async (job) => {
    await pool.query('insert into handled (job_id, worker) values ($1, $2)', [job.id, worker]);
    await new Promise((resolve) => setTimeout(resolve, 2));
  };
}
