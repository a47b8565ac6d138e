/**
 * Job kind → flow. The workers (jobs/worker.ts) run these; each handler is idempotent because
 * delivery is at-least-once. Other modules add their kinds here (webhooks: `delivery`).
 */
import { BridgeError } from '../errors.js';
import type { Job, JobHandler, JobKind } from '../jobs/interface.js';
import type { JobOutcome } from '../jobs/worker.js';
import type { Services } from '../services.js';
import { handleDeliveryJob, handleDeliveryJobs } from './deliveries.js';
import { handleProposeJob } from './deployments/propose.js';
import { handleTrackJob } from './deployments/track.js';
import { handleUpgradeJob } from './deployments/upgrade.js';
import { type IngestPayload, ingestRelease } from './ingest.js';
import { pollRegistry } from './poll.js';

export type HandlerMap = Partial<Record<JobKind, JobHandler>>;

export function createHandlers(services: Services): HandlerMap {
  return {
    poll: async (job) => {
      await pollRegistry(services, stringField(job, 'registryId'));
    },
    ingest: async (job) => {
      await ingestRelease(services, ingestPayload(job));
    },
    // Claimed and handled many at a time: one transaction for a whole batch of deliveries.
    delivery: Object.assign((job: Job) => handleDeliveryJob(services, job), {
      batch: (jobs: Job[]) => handleDeliveryJobs(services, jobs),
    }),
    propose: (job) => handleProposeJob(services, job),
    track: (job) => handleTrackJob(services, job),
    upgrade: (job) => handleUpgradeJob(services, job),
  };
}

/** Splits the map: polls get their own worker so that their concurrency is bounded separately. */
export function splitHandlers(handlers: HandlerMap): { polls: HandlerMap; others: HandlerMap } {
  const { poll, ...others } = handlers;
  return { polls: poll ? { poll } : {}, others };
}

/** The workers' `onOutcome`: job counts and latencies by kind and outcome. */
export function jobMetrics(services: Services): (outcome: JobOutcome) => void {
  return ({ job, outcome, durationMs }) => {
    services.metrics.jobs.inc({ kind: job.kind, outcome });
    services.metrics.jobDuration.observe({ kind: job.kind, outcome }, durationMs / 1000);
  };
}

function ingestPayload(job: Job): IngestPayload {
  return {
    registryId: stringField(job, 'registryId'),
    tag: stringField(job, 'tag'),
    commit: stringField(job, 'commit'),
    version: stringField(job, 'version'),
  };
}

function stringField(job: Job, key: string): string {
  const value = job.payload[key];
  if (typeof value !== 'string') {
    throw new BridgeError('BAD_REQUEST', `job ${job.id} (${job.kind}) has no string payload field '${key}'`);
  }
  return value;
}
