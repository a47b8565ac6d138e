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
import type { Services } from '../services.js';
import type { DeliveryRecord, RegistryRecord, Store } from '../store/interface.js';
import { repositoryKey, withoutUrlCredentials } from '../urls.js';
import { type Delivery, type DeliveryKind, deliveryKinds, isForge } from '../webhooks/delivery.js';
import { repositoriesOfDelivery, trackPullRequestDelivery } from './deployments/track.js';
import { pollJob, pollKey } from './poll.js';

/** What a handler decided; `jobId` is the job it caused (shown in the operator's list). */
export interface DeliveryOutcome {
  result: 'handled' | 'ignored';
  jobId?: string;
}

/**
 * Shared by the deliveries handled in one transaction (a claimed batch), so that the second
 * delivery about a repository reuses what the first looked up and enqueued: every delivery of the
 * batch arrived before the transaction began, so a poll that was waiting then serves them all.
 */
export interface HandlingContext {
  /** Registries by the delivery's URL list. */
  registries: Map<string, RegistryRecord[]>;
  /** The poll job each registry's deliveries join, by registry id. */
  polls: Map<string, Job>;
}

export function newHandlingContext(): HandlingContext {
  return { registries: new Map(), polls: new Map() };
}

export type DeliveryHandler = (
  services: Services,
  tx: Store,
  delivery: Delivery,
  context: HandlingContext,
) => Promise<DeliveryOutcome>;

/** Registry event recorded for each delivery that asked a registry to look now. */
export const WEBHOOK_EVENT = 'WEBHOOK_RECEIVED';

/**
 * A new tag or release: the payload is trusted for nothing but "look now". Every registry whose
 * URL matches the payload's repository (clone or web URL) gets an immediate poll; the poll lists
 * tags from the registry itself.
 */
const lookNow: DeliveryHandler = async (services, tx, delivery, context) => {
  const urlsKey = delivery.repositoryUrls.join('\n');
  let registries = context.registries.get(urlsKey);
  if (!registries) {
    registries = await matchingRegistries(tx, delivery.repositoryUrls);
    context.registries.set(urlsKey, registries);
  }
  if (registries.length === 0) return { result: 'ignored' };
  let firstJob: string | undefined;
  for (const registry of registries) {
    const caused = context.polls.get(registry.id) ?? (await requestPoll(services, tx, registry));
    context.polls.set(registry.id, caused);
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

/** The poll a delivery joins: the waiting one, or a new one; see below for a running one. */
async function requestPoll(services: Services, tx: Store, registry: RegistryRecord): Promise<Job> {
  const job = await tx.jobs.enqueue(pollJob(services, registry.id));
  // A poll already running may have listed tags before this one was pushed: a second job runs
  // now, finds the poll lease held and has the running poll look once more when it ends.
  if (job.state !== 'running') return job;
  return tx.jobs.enqueue(pollJob(services, registry.id, `${pollKey(registry.id)}:again`));
}

export const deliveryHandlers: Partial<Record<DeliveryKind, DeliveryHandler>> = {
  tag: lookNow,
  release: lookNow,
  // A pull request of a deployment repository: read its state back from the provider.
  'pull-request': (services, tx, delivery) => trackPullRequestDelivery(services, tx, delivery),
};

/** Whether deliveries of this kind get a job; the others are recorded as ignored. */
export function hasDeliveryHandler(kind: DeliveryKind): boolean {
  return deliveryHandlers[kind] !== undefined;
}

/**
 * Checked at receipt, inside the batch's transaction, for deliveries of a kind with a handler:
 * whether the handler could do anything. One that could not (a tag push for a repository no
 * registry watches, the usual case for organisation-wide hooks) is stored `ignored` at once with
 * no job, exactly what its job would have recorded: one query per distinct repository per batch
 * instead of a claim, a transaction and a completion per delivery. A registry created after the
 * receipt's commit does not see the delivery, as it would not if the job had run first.
 */
const deliveryRelevance: Partial<Record<DeliveryKind, (tx: Store, urls: readonly string[]) => Promise<boolean>>> = {
  tag: watched,
  release: watched,
  'pull-request': async (tx, urls) => (await repositoriesOfDelivery(tx, urls)).length > 0,
};

async function watched(tx: Store, urls: readonly string[]): Promise<boolean> {
  return (await matchingRegistries(tx, urls)).length > 0;
}

/** For each stored payload of a pending delivery (a normalised `Delivery`): does it still need its job? */
export async function needDeliveryJobs(tx: Store, payloads: readonly Record<string, unknown>[]): Promise<boolean[]> {
  // Deliveries of one batch mostly name the same few repositories: ask once per kind and URL list.
  const answers = new Map<string, boolean>();
  const needed: boolean[] = [];
  for (const payload of payloads) {
    const kind = payload.kind as DeliveryKind;
    const relevant = deliveryRelevance[kind];
    if (!relevant) {
      needed.push(true);
      continue;
    }
    const urls = Array.isArray(payload.repositoryUrls)
      ? payload.repositoryUrls.filter((url): url is string => typeof url === 'string')
      : [];
    const key = `${kind}\n${urls.join('\n')}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = await relevant(tx, urls);
      answers.set(key, answer);
    }
    needed.push(answer);
  }
  return needed;
}

export function deliveryJobPayload(record: DeliveryRecord): Record<string, unknown> {
  return { deliveryRecordId: record.id };
}

/** The `delivery` job handler. */
export async function handleDeliveryJob(services: Services, job: Job): Promise<void> {
  await handleDelivery(services, recordIdOf(job));
}

/**
 * The `delivery` jobs a worker claimed together, handled in one transaction (one commit instead
 * of one per delivery), each delivery in its own savepoint so that one already handled by another
 * run rolls back only its own effects. Resolves per job: null when handled (or skipped as done
 * before), else that job's error. When the shared transaction fails, each delivery is handled
 * again alone, so one failing delivery cannot fail the others.
 */
export async function handleDeliveryJobs(services: Services, jobs: readonly Job[]): Promise<(unknown | null)[]> {
  const ids = jobs.map((job) => {
    try {
      return recordIdOf(job);
    } catch (error) {
      return error instanceof BridgeError
        ? error
        : new BridgeError('BAD_REQUEST', withoutUrlCredentials(String(error)));
    }
  });
  const valid = ids.filter((id): id is string => typeof id === 'string');
  let handled: (Handled | undefined)[];
  try {
    handled = await services.store.transaction(async (tx) => {
      const context = newHandlingContext();
      const results: (Handled | undefined)[] = [];
      for (const id of valid) {
        const result = await tx
          .transaction((inner) => handleIn(services, inner, id, context))
          .catch((error) => {
            // Its savepoint rolled back: a poll it enqueued is gone, so the next one asks again.
            context.polls.clear();
            return skipAlreadyHandled(error);
          });
        results.push(result);
      }
      return results;
    });
  } catch {
    // One after the other, as the receiver's own fallback: each in its own transaction.
    const errors: unknown[] = [];
    for (const id of ids) {
      errors.push(
        typeof id === 'string'
          ? await handleDelivery(services, id).then(
              () => null,
              (error: unknown) => error,
            )
          : id,
      );
    }
    return errors;
  }
  for (const result of handled) if (result) recordHandled(services, result);
  return ids.map((id) => (typeof id === 'string' ? null : id));
}

function recordIdOf(job: Job): string {
  const id = job.payload.deliveryRecordId;
  if (typeof id !== 'string') {
    throw new BridgeError('BAD_REQUEST', `job ${job.id} (delivery) has no string payload field 'deliveryRecordId'`);
  }
  return id;
}

interface Handled {
  record: DeliveryRecord;
  delivery: Delivery;
  outcome: DeliveryOutcome;
  handledAt: number;
}

/** Handles one pending delivery inside `tx`; undefined when it is no longer pending. */
async function handleIn(
  services: Services,
  tx: Store,
  recordId: string,
  context: HandlingContext = newHandlingContext(),
): Promise<Handled | undefined> {
  const record = await tx.deliveries.get(recordId);
  if (record?.result !== 'pending') return undefined;
  const delivery = toDelivery(record);
  const handler = deliveryHandlers[delivery.kind];
  const outcome: DeliveryOutcome = handler ? await handler(services, tx, delivery, context) : { result: 'ignored' };
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
}

function skipAlreadyHandled(error: unknown): undefined {
  if (error instanceof AlreadyHandled) return undefined;
  throw error;
}

export async function handleDelivery(services: Services, recordId: string): Promise<DeliveryRecord | undefined> {
  const handled = await services.store.transaction((tx) => handleIn(services, tx, recordId)).catch(skipAlreadyHandled);
  if (!handled) return undefined;
  recordHandled(services, handled);
  const { record, outcome, handledAt } = handled;
  return { ...record, result: outcome.result, handledAt, jobId: outcome.jobId ?? record.jobId };
}

/** Metrics and the log line, after the commit. */
function recordHandled(services: Services, { record, delivery, outcome, handledAt }: Handled): void {
  const metrics = services.metrics.webhooks;
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
    cloneUrl: typeof payload.cloneUrl === 'string' ? payload.cloneUrl : null,
    ref: typeof payload.ref === 'string' ? payload.ref : null,
    deleted: payload.deleted === true,
  };
}
