/**
 * Handling stored deliveries (the `delivery` jobs). Event kind → handler: supporting a new kind
 * of event is one entry in `deliveryHandlers`, not a new receiver. Kinds without a handler are
 * recorded as `ignored` at receipt and get no job.
 *
 * Set-based: the jobs a worker claimed together are handled in one transaction with a fixed
 * number of statements whatever their number (read the deliveries, look up the registries of
 * all their repositories, enqueue one poll per registry, add the events, finish them all), not
 * a savepoint and five statements each (docs/webhooks.md, "Handling in batches").
 *
 * Exactly once: the handlers' effects and the deliveries' new results commit in one transaction,
 * and a delivery whose result is no longer `pending` is skipped, so a job run twice (the queue
 * is at-least-once) or a redelivered id does nothing the second time. Two runs at the same time
 * (Postgres) both see `pending`; `deliveries.finishMany` moves each on only once, and a run that
 * finished fewer than it handled rolls back all its effects and starts again, now skipping what
 * the other run finished.
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
 * Decides every pending delivery of its kind in a batch at once (set-based statements inside the
 * batch's transaction); outcomes in input order. Every delivery of the batch arrived before the
 * transaction began, so a poll that was waiting then serves them all.
 */
export type DeliveryHandler = (
  services: Services,
  tx: Store,
  deliveries: readonly Delivery[],
) => Promise<DeliveryOutcome[]>;

/** Registry event recorded for each delivery that asked a registry to look now. */
export const WEBHOOK_EVENT = 'WEBHOOK_RECEIVED';

/**
 * A new tag or release: the payload is trusted for nothing but "look now". Every registry whose
 * URL matches the payload's repository (clone or web URL) gets an immediate poll; the poll lists
 * tags from the registry itself. One lookup for the whole batch, one poll per registry, one
 * multi-row insert of the events.
 */
const lookNow: DeliveryHandler = async (services, tx, deliveries) => {
  const matched = await matchingRegistries(
    tx,
    deliveries.map((delivery) => delivery.repositoryUrls),
  );
  const polls = await requestPolls(services, tx, [...new Map(matched.flat().map((r) => [r.id, r])).values()]);
  await tx.events.addMany(
    deliveries.flatMap((delivery, index) =>
      matched[index]!.map((registry) => ({
        registryId: registry.id,
        kind: WEBHOOK_EVENT,
        tag: delivery.ref,
        detail: {
          forge: delivery.forge,
          deliveryId: delivery.deliveryId,
          event: delivery.event,
          pollJobId: polls.get(registry.id)!.id,
        },
      })),
    ),
  );
  return matched.map((registries): DeliveryOutcome => {
    const first = registries[0];
    return first ? { result: 'handled', jobId: polls.get(first.id)!.id } : { result: 'ignored' };
  });
};

/** The poll each registry's deliveries join, by registry id: the waiting one, or a new one; see below for a running one. */
async function requestPolls(services: Services, tx: Store, registries: RegistryRecord[]): Promise<Map<string, Job>> {
  const polls = new Map<string, Job>();
  if (registries.length === 0) return polls;
  const jobs = await tx.jobs.enqueueMany(registries.map((registry) => pollJob(services, registry.id)));
  for (const [index, registry] of registries.entries()) polls.set(registry.id, jobs[index]!);
  // A poll already running may have listed tags before these were pushed: a second job runs
  // now, finds the poll lease held and has the running poll look once more when it ends.
  const running = registries.filter((registry) => polls.get(registry.id)!.state === 'running');
  if (running.length === 0) return polls;
  const again = await tx.jobs.enqueueMany(
    running.map((registry) => pollJob(services, registry.id, `${pollKey(registry.id)}:again`)),
  );
  for (const [index, registry] of running.entries()) polls.set(registry.id, again[index]!);
  return polls;
}

/** A pull request of a deployment repository: read its state back from the provider, one at a time (rare). */
const trackPullRequests: DeliveryHandler = async (services, tx, deliveries) => {
  const outcomes: DeliveryOutcome[] = [];
  for (const delivery of deliveries) outcomes.push(await trackPullRequestDelivery(services, tx, delivery));
  return outcomes;
};

export const deliveryHandlers: Partial<Record<DeliveryKind, DeliveryHandler>> = {
  tag: lookNow,
  release: lookNow,
  'pull-request': trackPullRequests,
};

/** Whether deliveries of this kind get a job; the others are recorded as ignored. */
export function hasDeliveryHandler(kind: DeliveryKind): boolean {
  return deliveryHandlers[kind] !== undefined;
}

/** For each URL list of a batch's deliveries: whether its handler could do anything. */
type Relevance = (tx: Store, urlLists: readonly (readonly string[])[]) => Promise<boolean[]>;

/**
 * Checked at receipt, inside the batch's transaction, for deliveries of a kind with a handler:
 * whether the handler could do anything. One that could not (a tag push for a repository no
 * registry watches, the usual case for organisation-wide hooks) is stored `ignored` at once with
 * no job, exactly what its job would have recorded: one registry lookup per batch for its tag
 * pushes and releases instead of a claim, a transaction and a completion per delivery. A registry
 * created after the receipt's commit does not see the delivery, as it would not if the job had run first.
 */

const deliveryRelevance: Partial<Record<DeliveryKind, Relevance>> = {
  tag: watched,
  release: watched,
  'pull-request': async (tx, urlLists) => {
    const answers: boolean[] = [];
    for (const urls of urlLists) answers.push((await repositoriesOfDelivery(tx, urls)).length > 0);
    return answers;
  },
};

async function watched(tx: Store, urlLists: readonly (readonly string[])[]): Promise<boolean[]> {
  return (await matchingRegistries(tx, urlLists)).map((registries) => registries.length > 0);
}

/** For each stored payload of a pending delivery (a normalised `Delivery`): does it still need its job? */
export async function needDeliveryJobs(tx: Store, payloads: readonly Record<string, unknown>[]): Promise<boolean[]> {
  const needed = payloads.map(() => true);
  // Kinds sharing a check (tag and release) are asked together.
  const byCheck = new Map<Relevance, number[]>();
  for (const [index, payload] of payloads.entries()) {
    const check = deliveryRelevance[payload.kind as DeliveryKind];
    if (!check) continue;
    const indexes = byCheck.get(check) ?? [];
    indexes.push(index);
    byCheck.set(check, indexes);
  }
  for (const [check, indexes] of byCheck) {
    const answers = await check(
      tx,
      indexes.map((index) => {
        const urls = payloads[index]!.repositoryUrls;
        return Array.isArray(urls) ? urls.filter((url): url is string => typeof url === 'string') : [];
      }),
    );
    indexes.forEach((index, position) => {
      needed[index] = answers[position]!;
    });
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
 * The `delivery` jobs a worker claimed together, handled in one transaction. Resolves per job:
 * null when handled (or skipped as done before), else that job's error. A delivery whose stored
 * payload cannot be read fails its own job only; when the shared transaction fails (a database
 * error), each delivery is handled again alone, so one failing delivery cannot fail the others.
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
  const valid = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
  let failed: Map<string, unknown>;
  try {
    const batch = await handleInTransaction(services, valid);
    for (const handled of batch.handled) recordHandled(services, handled);
    failed = batch.failed;
  } catch {
    // One after the other, as the receiver's own fallback: each in its own transaction.
    failed = new Map();
    for (const id of valid) {
      const error = await handleDelivery(services, id).then(
        () => null,
        (error: unknown) => error,
      );
      if (error !== null) failed.set(id, error);
    }
  }
  return ids.map((id) => (typeof id === 'string' ? (failed.get(id) ?? null) : id));
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

interface BatchResult {
  handled: Handled[];
  /** Deliveries whose stored payload could not be read, by record id: left pending, their jobs fail. */
  failed: Map<string, unknown>;
}

/** Attempts at a batch that lost a race (its deliveries finished by another run meanwhile). */
const RACE_ATTEMPTS = 3;

async function handleInTransaction(services: Services, recordIds: readonly string[]): Promise<BatchResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await services.store.transaction((tx) => handleIn(services, tx, recordIds));
    } catch (error) {
      // Rolled back: the next attempt reads which deliveries are still pending.
      if (!(error instanceof AlreadyHandled) || attempt >= RACE_ATTEMPTS) throw error;
    }
  }
}

/** Kinds without a handler: nothing to do. */
const ignoreAll: DeliveryHandler = async (_services, _tx, deliveries) => deliveries.map(() => ({ result: 'ignored' }));

/** Handles the still pending deliveries of `recordIds` inside `tx`, those of each handler at once. */
async function handleIn(services: Services, tx: Store, recordIds: readonly string[]): Promise<BatchResult> {
  const failed = new Map<string, unknown>();
  const byHandler = new Map<DeliveryHandler, { record: DeliveryRecord; delivery: Delivery }[]>();
  for (const record of await tx.deliveries.getMany(recordIds)) {
    if (record.result !== 'pending') continue;
    try {
      const delivery = toDelivery(record);
      const handler = deliveryHandlers[delivery.kind] ?? ignoreAll;
      const group = byHandler.get(handler) ?? [];
      group.push({ record, delivery });
      byHandler.set(handler, group);
    } catch (error) {
      failed.set(record.id, error);
    }
  }
  const handledAt = services.clock.now();
  const handled: Handled[] = [];
  for (const [handler, group] of byHandler) {
    const outcomes = await handler(
      services,
      tx,
      group.map((item) => item.delivery),
    );
    for (const [index, item] of group.entries()) handled.push({ ...item, outcome: outcomes[index]!, handledAt });
  }
  if (handled.length === 0) return { handled, failed };
  const finished = await tx.deliveries.finishMany(
    handled.map(({ record, outcome }) => ({
      id: record.id,
      result: outcome.result,
      handledAt,
      ...(outcome.jobId !== undefined ? { jobId: outcome.jobId } : {}),
    })),
  );
  // Another run (Postgres, READ COMMITTED: both read `pending`) finished some first: throwing
  // rolls this run's effects back, so they happen once.
  if (finished.size < handled.length) throw new AlreadyHandled();
  return { handled, failed };
}

/** Handles one delivery in its own transaction; undefined when it was no longer pending. */
export async function handleDelivery(services: Services, recordId: string): Promise<DeliveryRecord | undefined> {
  const { handled, failed } = await handleInTransaction(services, [recordId]);
  if (failed.has(recordId)) throw failed.get(recordId);
  const [first] = handled;
  if (!first) return undefined;
  recordHandled(services, first);
  const { record, outcome, handledAt } = first;
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

/**
 * For each URL list, the registries whose URL key matches one of its URLs (in URL order, then by
 * id): one query for all lists.
 */
async function matchingRegistries(tx: Store, urlLists: readonly (readonly string[])[]): Promise<RegistryRecord[][]> {
  // Deliveries of a batch mostly name the same few repositories: each URL is parsed once.
  const keyOf = new Map<string, string | null>();
  const keyLists = urlLists.map((urls) => {
    const keys = new Set<string>();
    for (const url of urls) {
      let key = keyOf.get(url);
      if (key === undefined) {
        try {
          key = repositoryKey(url);
        } catch {
          key = null; // A URL that does not parse matches no registry.
        }
        keyOf.set(url, key);
      }
      if (key !== null) keys.add(key);
    }
    return [...keys];
  });
  const byKey = new Map<string, RegistryRecord[]>();
  for (const registry of await tx.registries.findByUrlKeys([...new Set(keyLists.flat())])) {
    byKey.set(registry.urlKey, [...(byKey.get(registry.urlKey) ?? []), registry]);
  }
  return keyLists.map((keys) => [
    ...new Map(keys.flatMap((key) => byKey.get(key) ?? []).map((registry) => [registry.id, registry])).values(),
  ]);
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
