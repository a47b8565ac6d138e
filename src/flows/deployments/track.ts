/**
 * Learning what became of proposals: from `pull_request` webhook deliveries of a deployment
 * repository (a `track` job per pull request; the payload is trusted for nothing but "look now":
 * the state is read from the provider), from a periodic check of open proposals (one list call
 * per repository), and from the local approve and close actions (review.ts), which all end in
 * `settle`.
 */
import type { ProposalStatus } from '../../deploy/interface.js';
import { BridgeError } from '../../errors.js';
import type { Job, JobInput } from '../../jobs/interface.js';
import type { Services } from '../../services.js';
import type { DeploymentRepositoryRecord, ProposalRecord } from '../../store/deployment-records.js';
import type { Store } from '../../store/interface.js';
import { repositoryKey } from '../../urls.js';
import type { Delivery } from '../../webhooks/delivery.js';
import { getDeploymentRepository, providerOf } from './repositories.js';

/**
 * Records a provider's status of a proposal, and the deployment's state with it: merged (a merged
 * removal removes the deployment), closed, or still open (a new head commit).
 */
export async function settle(
  services: Services,
  proposal: ProposalRecord,
  status: ProposalStatus | undefined,
): Promise<ProposalRecord> {
  const { store } = services;
  const state = status === undefined ? 'closed' : status.state === 'open' ? 'proposed' : status.state;
  if (state === proposal.state && (status === undefined || status.commit === proposal.commit)) return proposal;
  const updated = await store.proposals.update(proposal.id, {
    state,
    ...(status ? { commit: status.commit, url: status.url } : {}),
    ...(status?.mergeCommit ? { mergeCommit: status.mergeCommit } : {}),
  });
  const [newest] = await store.proposals.listByDeployment(proposal.deploymentId);
  // Only the newest proposal speaks for the deployment; an older one closed after it was superseded says nothing.
  const reopened = state === 'proposed' && proposal.state === 'closed';
  if (newest?.id === proposal.id && (state !== 'proposed' || reopened)) {
    const deploymentState =
      state === 'merged' ? (proposal.action === 'remove' ? 'removed' : 'merged') : reopened ? 'proposed' : 'closed';
    await store.deployments.update(proposal.deploymentId, { state: deploymentState, failureReason: null });
    services.logger.info(
      { deploymentId: proposal.deploymentId, proposalId: proposal.id, state: deploymentState },
      'deployment proposal settled',
    );
  }
  return updated;
}

/** The `track` job: one pull request (`number`) or every open proposal of a repository. */
export function trackJob(services: Services, repositoryId: string, number?: number): JobInput {
  return {
    kind: 'track',
    payload: number === undefined ? { repositoryId } : { repositoryId, number },
    dedupeKey: number === undefined ? `track:${repositoryId}` : `track:${repositoryId}:${number}`,
    maxAttempts: services.config.jobs.maxAttempts,
  };
}

export async function handleTrackJob(services: Services, job: Job): Promise<void> {
  const { repositoryId, number } = job.payload;
  if (typeof repositoryId !== 'string') {
    throw new BridgeError('BAD_REQUEST', `job ${job.id} (track) has no string payload field 'repositoryId'`);
  }
  const repository = await services.store.deploymentRepositories.get(repositoryId);
  if (!repository) return;
  if (typeof number === 'number') await checkPullRequest(services, repository, number);
  else await checkRepository(services, repository);
}

/** The records of one pull request, read back from the provider. */
export async function checkPullRequest(
  services: Services,
  repository: DeploymentRepositoryRecord,
  number: number,
): Promise<void> {
  // A closed one may come back: forges send `reopened` deliveries.
  const records = (await services.store.proposals.findByNumber(repository.id, number)).filter(
    (record) => record.state === 'proposed' || record.state === 'closed',
  );
  if (records.length === 0) return;
  const provider = await providerOf(services, repository);
  const status = await provider.getProposal({ branch: records[0]!.branch, number });
  for (const record of records) await settle(services, record, status);
}

/**
 * The periodic check: one list call for the repository's open proposals; a recorded open proposal
 * missing from the list was merged or closed, which one more call per such proposal tells.
 */
export async function checkRepository(services: Services, repository: DeploymentRepositoryRecord): Promise<void> {
  const open = await services.store.proposals.listByState(repository.id, ['proposed']);
  if (open.length === 0) return;
  const provider = await providerOf(services, repository);
  const listed = await provider.listOpenProposals('margo-bridge/');
  const byKey = new Map(listed.map((status) => [keyOf(status), status]));
  for (const record of open) {
    const found = byKey.get(keyOf({ branch: record.branch, number: record.number ?? undefined }));
    if (found) await settle(services, record, found);
    else {
      const ref = { branch: record.branch, ...(record.number !== null ? { number: record.number } : {}) };
      await settle(services, record, await provider.getProposal(ref));
    }
  }
}

function keyOf(ref: { branch: string; number?: number | undefined }): string {
  return ref.number !== undefined ? `#${ref.number}` : ref.branch;
}

/** Enqueues the periodic check of every repository with open proposals (deduplicated per repository). */
export async function enqueueProposalChecks(services: Services): Promise<number> {
  const open = await services.store.proposals.listByState(null, ['proposed']);
  const repositories = [...new Set(open.map((record) => record.repositoryId))];
  if (repositories.length === 0) return 0;
  await services.store.jobs.enqueueMany(repositories.map((id) => trackJob(services, id)));
  return repositories.length;
}

/** The deployment repositories a delivery's URLs name. */
export async function repositoriesOfDelivery(
  tx: Store,
  urls: readonly string[],
): Promise<DeploymentRepositoryRecord[]> {
  const found = new Map<string, DeploymentRepositoryRecord>();
  for (const url of urls) {
    let key: string;
    try {
      key = repositoryKey(url);
    } catch {
      continue;
    }
    for (const record of await tx.deploymentRepositories.findByUrlKey(key)) found.set(record.id, record);
  }
  return [...found.values()];
}

/**
 * Delivery handler for `pull-request` deliveries (flows/deliveries.ts): a `track` job for the pull
 * request in each deployment repository the delivery names.
 */
export async function trackPullRequestDelivery(
  services: Services,
  tx: Store,
  delivery: Delivery,
): Promise<{ result: 'handled' | 'ignored'; jobId?: string }> {
  const number = delivery.ref === null ? Number.NaN : Number(delivery.ref);
  if (!Number.isInteger(number) || number <= 0) return { result: 'ignored' };
  const repositories = await repositoriesOfDelivery(tx, delivery.repositoryUrls);
  if (repositories.length === 0) return { result: 'ignored' };
  let jobId: string | undefined;
  for (const repository of repositories) {
    const job = await tx.jobs.enqueue(trackJob(services, repository.id, number));
    jobId ??= job.id;
  }
  return { result: 'handled', ...(jobId !== undefined ? { jobId } : {}) };
}

/** For review.ts and the API: the repository a proposal belongs to, with its provider. */
export async function proposalProvider(services: Services, proposal: ProposalRecord) {
  const repository = await getDeploymentRepository(services, proposal.repositoryId);
  return { repository, provider: await providerOf(services, repository) };
}
