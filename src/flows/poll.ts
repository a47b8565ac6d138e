/**
 * Polling a registry: list its releases (nothing is fetched when no tag changed), compare with
 * the tags already ingested, enqueue one ingest job per new release, mark versions whose tag was
 * deleted or moved (version-marks.ts; the first ingested commit is kept, D-10), and schedule the next poll: the registry's
 * interval with jitter after success, a capped exponential backoff after failures.
 * One poll per registry at a time, by construction: the poll lease in the database (see
 * `pollRegistry`); polls run as jobs with the dedupe key `poll:<registryId>` so they do not pile up.
 */
import { BridgeError } from '../errors.js';
import type { Job, JobInput } from '../jobs/interface.js';
import { describeError } from '../jobs/retry.js';
import type { Release } from '../registry/interface.js';
import { compileTagFilter } from '../registry/tags.js';
import type { Services } from '../services.js';
import type { RegistryRecord } from '../store/interface.js';
import { withoutUrlCredentials } from '../urls.js';
import { connectionFor } from './connection.js';
import { markChanges, markEventKind, markMetricLabel } from './version-marks.js';

/** Enqueues an immediate poll; a poll already waiting or running for the registry is reused. */
export async function requestPoll(services: Services, registryId: string): Promise<Job> {
  return services.store.jobs.enqueue(pollJob(services, registryId));
}

/** The poll job of a registry; deduplicated by `pollKey` unless another key is given. */
export function pollJob(services: Services, registryId: string, dedupeKey = pollKey(registryId)): JobInput {
  return { kind: 'poll', payload: { registryId }, dedupeKey, maxAttempts: services.config.jobs.maxAttempts };
}

export function pollKey(registryId: string): string {
  return `poll:${registryId}`;
}

export type PollResult =
  | { outcome: 'unchanged' | 'new'; newReleases: string[]; movedTags: string[] }
  | { outcome: 'failed'; code: string; message: string }
  | { outcome: 'missing' }
  /** Another poll of the registry was running: it polls once more when it ends, instead of this one. */
  | { outcome: 'deferred' };

/**
 * Polls a registry under its poll lease, whoever calls (a job of any key, `margo-bridge poll`,
 * another process): two polls of one registry never overlap. A poll that finds the lease held
 * does not run; it leaves "poll again" for the holder, which polls once more right after (a
 * webhook's "look now" may come after the holder listed tags). The lease runs for the job lease
 * and is renewed while the poll lasts; a crashed holder's lease ends by itself, and its job or the
 * scheduler polls again.
 */
export async function pollRegistry(services: Services, registryId: string): Promise<PollResult> {
  const { store, clock } = services;
  const owner = crypto.randomUUID();
  const leaseMs = services.config.jobs.leaseSeconds * 1000;
  const lease = await store.registries.acquirePollLease(registryId, owner, clock.now(), clock.now() + leaseMs);
  if (lease === 'missing') return { outcome: 'missing' };
  if (lease === 'held') {
    services.logger.debug({ registryId }, 'poll deferred: another poll of this registry is running');
    return { outcome: 'deferred' };
  }
  const renewal = setInterval(() => {
    store.registries.renewPollLease(registryId, owner, clock.now() + leaseMs).then(
      (held) => {
        if (!held) services.logger.warn({ registryId }, 'poll lease lost while polling');
      },
      (error: unknown) => services.logger.warn({ registryId, err: describeError(error) }, 'poll lease renewal failed'),
    );
  }, leaseMs / 3);
  try {
    for (;;) {
      const result = await pollOnce(services, registryId);
      if ((await store.registries.releasePollLease(registryId, owner, clock.now() + leaseMs)) !== 'again') {
        return result;
      }
    }
  } catch (error) {
    // Let go (twice when "again" was asked: the job's retry or the scheduler polls later).
    const released = await store.registries.releasePollLease(registryId, owner, clock.now()).catch(() => 'lost');
    if (released === 'again')
      await store.registries.releasePollLease(registryId, owner, clock.now()).catch(() => 'lost');
    throw error;
  } finally {
    clearInterval(renewal);
  }
}

async function pollOnce(services: Services, registryId: string): Promise<PollResult> {
  const { store, logger, metrics } = services;
  const registry = await store.registries.get(registryId);
  if (!registry) return { outcome: 'missing' };
  const log = logger.child({ registry: registry.name, registryId });
  const at = services.clock.now();

  let releases: Release[];
  try {
    releases = await services.registryReader.listReleases(await connectionFor(services.secretBox, registry));
  } catch (error) {
    const code = error instanceof BridgeError ? error.code : 'INTERNAL';
    // Stored, logged and returned: a registry URL quoted in the message loses its credentials.
    const message =
      error instanceof BridgeError ? withoutUrlCredentials(error.message) : 'unexpected error while listing releases';
    const failures = registry.consecutiveFailures + 1;
    const nextPollAt = at + Math.round(backoffSeconds(services, registry, failures) * 1000);
    await store.registries.recordPoll(registryId, {
      at,
      error: `${code}: ${message}`,
      nextPollAt,
      consecutiveFailures: failures,
    });
    metrics.polls.inc({ result: 'failed' });
    metrics.registryErrors.inc({ registry: registry.name, code });
    log.warn({ code, failures, nextPollAt: new Date(nextPollAt).toISOString() }, `poll failed: ${message}`);
    if (!(error instanceof BridgeError)) log.error({ err: describeError(error) }, 'unexpected poll error');
    return { outcome: 'failed', code, message };
  }

  const [ingested, marks] = await Promise.all([store.versions.tags(registryId), store.versions.marks(registryId)]);
  const fresh = releases.filter((release) => !ingested.has(release.tag));
  const moved = releases.filter((release) => {
    const commit = ingested.get(release.tag);
    return commit !== undefined && commit !== release.commit;
  });
  const changes = markChanges(ingested, marks, releases, selectedTags(registry), at);

  await store.transaction(async (tx) => {
    for (const release of fresh) {
      await tx.jobs.enqueue({
        kind: 'ingest',
        payload: { registryId, tag: release.tag, commit: release.commit, version: release.version },
        dedupeKey: `ingest:${registryId}:${release.tag}`,
        maxAttempts: services.config.jobs.maxAttempts,
      });
    }
    // A deleted or moved tag marks its version; the version and deployments on it are kept (issue 15).
    for (const change of changes) {
      await tx.versions.setMark(registryId, change.tag, change.to);
      await tx.events.add({
        registryId,
        kind: markEventKind(change),
        tag: change.tag,
        detail: {
          ingestedCommit: change.ingestedCommit,
          ...(change.to?.kind === 'moved' ? { currentCommit: change.to.commit } : {}),
          ...(change.to === null && change.from ? { was: change.from.kind } : {}),
        },
      });
    }
    await tx.registries.recordPoll(registryId, {
      at,
      error: null,
      nextPollAt: at + Math.round(jittered(services, registry.pollInterval) * 1000),
      consecutiveFailures: 0,
    });
  });

  for (const change of changes) {
    metrics.versionMarks.inc({ mark: markMetricLabel(change) });
    const detail = { tag: change.tag, ingestedCommit: change.ingestedCommit };
    if (change.to?.kind === 'moved') {
      log.warn({ ...detail, currentCommit: change.to.commit }, 'tag moved; the ingested version is kept');
    } else if (change.to?.kind === 'withdrawn') {
      log.warn(detail, 'tag deleted; the version is marked withdrawn and kept');
    } else {
      log.info(detail, 'tag back at the ingested commit; the version is no longer marked');
    }
  }
  const outcome = fresh.length > 0 ? 'new' : 'unchanged';
  metrics.polls.inc({ result: outcome });
  log.debug({ releases: releases.length, new: fresh.length, moved: moved.length }, 'poll done');
  return { outcome, newReleases: fresh.map((r) => r.tag), movedTags: moved.map((r) => r.tag) };
}

/** Enqueues a poll job for every registry due now; returns how many were due. */
export async function enqueueDuePolls(services: Services, limit = 1000): Promise<number> {
  const due = await services.store.registries.due(services.clock.now(), limit);
  // One batch of multi-row statements, deduplicated like requestPoll, instead of an INSERT per registry.
  if (due.length > 0) await services.store.jobs.enqueueMany(due.map((registry) => pollJob(services, registry.id)));
  return due.length;
}

/** The registry's tag filter (it compiled: the listing just used it). */
function selectedTags(registry: RegistryRecord): (tag: string) => boolean {
  return compileTagFilter({
    ...(registry.tagPattern !== null ? { tagPattern: registry.tagPattern } : {}),
    ...(registry.semverRange !== null ? { semverRange: registry.semverRange } : {}),
  });
}

function jittered(services: Services, seconds: number): number {
  const spread = services.config.polling.jitter;
  return seconds * (1 - spread + 2 * spread * services.random());
}

/** interval × 2^failures, capped at polling.maxBackoff (never below the interval), with jitter. */
export function backoffSeconds(services: Services, registry: RegistryRecord, failures: number): number {
  const cap = Math.max(services.config.polling.maxBackoff, registry.pollInterval);
  const delay = Math.min(registry.pollInterval * 2 ** Math.min(failures, 20), cap);
  return jittered(services, delay);
}
