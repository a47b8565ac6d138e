/**
 * One poll round without background workers (`margo-bridge poll`, tests, benchmarks). It polls the
 * named registries directly: the per-registry poll lease (`pollRegistry`) keeps it from polling a
 * registry that a running service is polling at the same moment. Then the queued jobs (ingests)
 * run until none is due.
 */
import { createWorker } from '../jobs/worker.js';
import type { Services } from '../services.js';
import { type HandlerMap, jobMetrics, splitHandlers } from './handlers.js';
import { pollRegistry } from './poll.js';

export interface RoundSummary {
  /** Polls this round ran (a failed one counts here and in `failed`). */
  polled: number;
  /**
   * Registries not polled because another process held their poll lease at that moment; that
   * process polls once more when it ends (see `pollRegistry`), so nothing is missed.
   */
  deferred: string[];
  /** Registries deleted before their poll. */
  missing: string[];
  failed: { registryId: string; code: string; message: string }[];
  newReleases: number;
  /** Jobs other than polls that ran (ingests, deliveries). */
  jobsRun: number;
}

export async function pollRound(
  services: Services,
  handlers: HandlerMap,
  options: { registryIds: string[]; concurrency: number },
): Promise<RoundSummary> {
  const summary: RoundSummary = { polled: 0, deferred: [], missing: [], failed: [], newReleases: 0, jobsRun: 0 };
  await eachLimited(options.registryIds, options.concurrency, async (registryId) => {
    const result = await pollRegistry(services, registryId);
    if (result.outcome === 'deferred') summary.deferred.push(registryId);
    else if (result.outcome === 'missing') summary.missing.push(registryId);
    else {
      summary.polled += 1;
      if (result.outcome === 'failed') summary.failed.push({ registryId, code: result.code, message: result.message });
      if (result.outcome === 'new') summary.newReleases += result.newReleases.length;
    }
  });
  summary.jobsRun = await drainJobs(services, splitHandlers(handlers).others, services.config.jobs.concurrency);
  return summary;
}

/** Runs due jobs of the handled kinds until none is left; failed ones stay queued for their retry time. */
export async function drainJobs(services: Services, handlers: HandlerMap, concurrency: number): Promise<number> {
  const { jobs } = services.config;
  const worker = createWorker({
    queue: services.store.jobs,
    handlers,
    concurrency,
    leaseMs: jobs.leaseSeconds * 1000,
    pollIntervalMs: jobs.pollIntervalMs,
    backoff: { baseMs: 1000, maxMs: 300_000 },
    logger: services.logger,
    clock: services.clock.now,
    random: services.random,
    onOutcome: jobMetrics(services),
  });
  let total = 0;
  for (;;) {
    const ran = await worker.runOnce();
    if (ran === 0) return total;
    total += ran;
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(lanes);
}
