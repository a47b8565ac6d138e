/**
 * Handling a stored delivery (the `delivery` job). Event kind → handler: supporting a new kind
 * of event (deployment pull requests, later) is one entry in `deliveryHandlers`, not a new
 * receiver. Kinds without a handler are recorded as `ignored` at receipt and get no job.
 *
 * Exactly once: the handler's effects and the delivery's new result commit in one transaction,
 * and a delivery whose result is no longer `pending` is skipped, so a job run twice (the queue
 * is at-least-once) or a redelivered id does nothing the second time. Two runs at the same time
 * (Postgres) both see `pending`; `deliveries.finish` moves it on only once, and the run it tells
 * "no" rolls back its effects.
 */
import { BridgeError } from '../errors.js';
import type { Job } from '../jobs/interface.js';
import { repositoryKey } from '../registry/url.js';
import type { Services } from '../services.js';
import type { DeliveryRecord, RegistryRecord, Store } from '../store/interface.js';
import { type Delivery, type DeliveryKind, deliveryKinds, isForge } from '../webhooks/delivery.js';
import { pollKey } from './registries.js';
import { webhookMetrics } from './webhook-metrics.js';

/** What a handler decided; `jobId` is the job it caused (shown in the operator's list). */
export interface DeliveryOutcome {
  result: 'handled' | 'ignored';
  jobId?: string;
}

export type DeliveryHandler = (services: Services, tx: Store, delivery: Delivery) => Promise<DeliveryOutcome>;

/** Registry event recorded for each delivery that asked a registry to look now. */
export const WEBHOOK_EVENT = 'WEBHOOK_RECEIVED';

/**
 * A new tag or release: the payload is trusted for nothing but "look now". Every registry whose
 * URL matches the payload's repository (clone or web URL) gets an immediate poll; the poll lists
 * tags from the registry itself.
 */
const lookNow: DeliveryHandler = async (services, tx, delivery) => {
  const registries = await matchingRegistries(tx, delivery.repositoryUrls);
  if (registries.length === 0) return { result: 'ignored' };
  let firstJob: string | undefined;
  for (const registry of registries) {
    const job = await tx.jobs.enqueue({
      kind: 'poll',
      payload: { registryId: registry.id },
      dedupeKey: pollKey(registry.id),
      maxAttempts: services.config.jobs.maxAttempts,
    });
    // A poll already running may have listed tags before this one was pushed: a second job runs
    // now, finds the poll lease held and has the running poll look once more when it ends.
    const caused =
      job.state === 'running'
        ? await tx.jobs.enqueue({
            kind: 'poll',
            payload: { registryId: registry.id },
            dedupeKey: `${pollKey(registry.id)}:again`,
            maxAttempts: services.config.jobs.maxAttempts,
          })
        : job;
    firstJob ??= caused.id;
    await tx.events.add({
      registryId: registry.id,
      kind: WEBHOOK_EVENT,
      tag: delivery.ref,
      detail: { forge: delivery.forge, deliveryId: delivery.deliveryId, event: delivery.event, pollJobId: caused.id },
    });
  }
  return { result: 'handled', ...(firstJob !== undefined ? { jobId: firstJob } : {}) };
};

export const deliveryHandlers: Partial<Record<DeliveryKind, DeliveryHandler>> = {
  tag: lookNow,
  release: lookNow,
};

/** Whether deliveries of this kind get a job; the others are recorded as ignored. */
export function hasDeliveryHandler(kind: DeliveryKind): boolean {
  return deliveryHandlers[kind] !== undefined;
}

export function deliveryJobPayload(record: DeliveryRecord): Record<string, unknown> {
  return { deliveryRecordId: record.id };
}

/** The `delivery` job handler. */
export async function handleDeliveryJob(services: Services, job: Job): Promise<void> {
  const id = job.payload.deliveryRecordId;
  if (typeof id !== 'string') {
    throw new BridgeError('BAD_REQUEST', `job ${job.id} (delivery) has no string payload field 'deliveryRecordId'`);
  }
  await handleDelivery(services, id);
}

export async function handleDelivery(services: Services, recordId: string): Promise<DeliveryRecord | undefined> {
  const { store } = services;
  const metrics = webhookMetrics(services.metrics);
  const handled = await store
    .transaction(async (tx) => {
      const record = await tx.deliveries.get(recordId);
      if (record?.result !== 'pending') return undefined;
      const delivery = toDelivery(record);
      const handler = deliveryHandlers[delivery.kind];
      const outcome: DeliveryOutcome = handler ? await handler(services, tx, delivery) : { result: 'ignored' };
      const handledAt = services.clock.now();
      const finished = await tx.deliveries.finish(record.id, {
        result: outcome.result,
        handledAt,
        ...(outcome.jobId !== undefined ? { jobId: outcome.jobId } : {}),
      });
      // Another run of this job (Postgres, READ COMMITTED: both read `pending`) finished it
      // first: throwing rolls this run's effects back, so they happen once.
      if (!finished) throw new AlreadyHandled();
      return { record, delivery, outcome, handledAt };
    })
    .catch((error: unknown) => {
      if (error instanceof AlreadyHandled) return undefined;
      throw error;
    });
  if (!handled) return undefined;
  const { record, delivery, outcome, handledAt } = handled;
  metrics.handled.inc({ forge: record.forge, event: record.event, result: outcome.result });
  metrics.handlingSeconds.observe({ forge: record.forge, kind: delivery.kind }, (handledAt - record.receivedAt) / 1000);
  services.logger.info(
    {
      forge: record.forge,
      deliveryId: record.deliveryId,
      event: record.event,
      kind: delivery.kind,
      result: outcome.result,
      jobId: outcome.jobId ?? null,
    },
    'webhook delivery handled',
  );
  return { ...record, result: outcome.result, handledAt, jobId: outcome.jobId ?? record.jobId };
}

class AlreadyHandled extends Error {}

async function matchingRegistries(tx: Store, urls: readonly string[]): Promise<RegistryRecord[]> {
  const keys = new Set<string>();
  for (const url of urls) {
    try {
      keys.add(repositoryKey(url));
    } catch {
      // A URL that does not parse matches no registry.
    }
  }
  const found = new Map<string, RegistryRecord>();
  for (const key of keys) {
    for (const registry of await tx.registries.findByUrlKey(key)) found.set(registry.id, registry);
  }
  return [...found.values()];
}

/** The stored payload is the normalised delivery; a row written by something else is a clear error. */
function toDelivery(record: DeliveryRecord): Delivery {
  const payload = record.payload;
  const kind = payload.kind;
  const urls = payload.repositoryUrls;
  if (
    typeof kind !== 'string' ||
    !(deliveryKinds as readonly string[]).includes(kind) ||
    !Array.isArray(urls) ||
    !isForge(record.forge)
  ) {
    throw new BridgeError('INTERNAL', `delivery ${record.id} has no normalised payload`);
  }
  return {
    forge: record.forge,
    deliveryId: record.deliveryId,
    event: record.event,
    action: record.action,
    kind: kind as DeliveryKind,
    repositoryUrls: urls.filter((url): url is string => typeof url === 'string'),
    ref: typeof payload.ref === 'string' ? payload.ref : null,
    deleted: payload.deleted === true,
  };
}
