/**
 * The job workers of one service, the same on Node and Workers: polls have their own worker (at
 * most `polling.concurrency` at once), every other kind shares one (`jobs.concurrency`). Created,
 * not started: Node starts their loops, the Workers object runs them when the Queue wakes it.
 */
import { createHandlers, jobMetrics, splitHandlers } from '../flows/handlers.js';
import { createWorker, type Worker } from '../jobs/worker.js';
import type { Services } from '../services.js';

export function createJobWorkers(services: Services): (Worker & { start(): void })[] {
  const { config } = services;
  const handlers = splitHandlers(createHandlers(services));
  const options = {
    queue: services.store.jobs,
    leaseMs: config.jobs.leaseSeconds * 1000,
    pollIntervalMs: config.jobs.pollIntervalMs,
    backoff: { baseMs: 5000, maxMs: 600_000 },
    logger: services.logger,
    clock: services.clock.now,
    random: services.random,
    onOutcome: jobMetrics(services),
  };
  return [
    createWorker({ ...options, handlers: handlers.polls, concurrency: config.polling.concurrency }),
    createWorker({ ...options, handlers: handlers.others, concurrency: config.jobs.concurrency }),
  ];
}
