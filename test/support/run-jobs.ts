/**
 * Runs the jobs that are due now, as the service's workers would, until none is left (bounded):
 * for tests that drive a harness without workers (delivery → track → settle).
 */
import { createHandlers } from '../../src/flows/handlers.js';
import type { JobKind } from '../../src/jobs/interface.js';
import type { Services } from '../../src/services.js';

export async function runDueJobs(services: Services, kinds?: JobKind[], rounds = 20): Promise<number> {
  const handlers = createHandlers(services);
  const wanted = kinds ?? (Object.keys(handlers) as JobKind[]);
  let ran = 0;
  for (let round = 0; round < rounds; round++) {
    const jobs = await services.store.jobs.claim('test-runner', 10, 60_000, wanted);
    if (jobs.length === 0) return ran;
    for (const job of jobs) {
      try {
        await handlers[job.kind]!(job);
        await services.store.jobs.complete(job.id, 'test-runner');
      } catch (error) {
        await services.store.jobs.fail(job.id, String(error), null, 'test-runner');
      }
      ran++;
    }
  }
  return ran;
}
