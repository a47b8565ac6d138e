/**
 * The `propose` job: turns one recorded proposal into a branch and a pull request (or review
 * record) through the repository's provider. Idempotent: a proposal that is no longer `pending`
 * is left alone, the provider adopts a branch or pull request it finds (after a crash between the
 * push and the pull request), and the desired state is rendered again from what was recorded, on
 * the base branch as it is now (a base that moved meanwhile is built upon).
 */
import type { ProposalStatus, ProposeResult } from '../../deploy/interface.js';
import { BridgeError } from '../../errors.js';
import type { Job, JobInput } from '../../jobs/interface.js';
import { describeError, failureAction } from '../../jobs/retry.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, DeploymentRepositoryRecord, ProposalRecord } from '../../store/deployment-records.js';
import { deployableVersion, liveProposal, type PreparedChange, prepareDeployment, prepareRemoval } from './prepare.js';
import { commitMessage, type ProposalSubject, proposalBody, proposalMarker, proposalTitle } from './proposal-text.js';
import { whileRenewing } from './renewing.js';
import { getDeploymentRepository, providerOf } from './repositories.js';
import { hiddenParameters, openValues } from './sensitive.js';
import { sealChange } from './sops-files.js';
import { settle } from './track.js';
import { upgradeSummary } from './upgrade-text.js';

/**
 * The job that makes sure a recorded proposal is carried out. The request that recorded it runs
 * it at once itself and holds the job back while it does (answer.ts `carryOut`), so both do not
 * race; the job then serves restarts and retries.
 */
export function proposeJob(services: Services, proposalId: string): JobInput {
  return {
    kind: 'propose',
    payload: { proposalId },
    dedupeKey: `propose:${proposalId}`,
    runAt: services.clock.now() + services.config.jobs.leaseSeconds * 1000,
    maxAttempts: services.config.jobs.maxAttempts,
  };
}

/** Branch of a deployment's proposals: `margo-bridge/<target>/<name>`. */
export function proposalBranch(deployment: Pick<DeploymentRecord, 'target' | 'name'>): string {
  return `${BRANCH_PREFIX}${deployment.target}/${deployment.name}`;
}

export const BRANCH_PREFIX = 'margo-bridge/';

export async function handleProposeJob(services: Services, job: Job): Promise<void> {
  const proposalId = job.payload.proposalId;
  if (typeof proposalId !== 'string') {
    throw new BridgeError('BAD_REQUEST', `job ${job.id} (propose) has no string payload field 'proposalId'`);
  }
  try {
    await runProposal(services, proposalId);
  } catch (error) {
    // The last attempt of a job that keeps failing: the proposal fails with the reason, for a retry.
    if (job.attempts >= job.maxAttempts) await markFailed(services, proposalId, error);
    throw error;
  }
}

/**
 * Carries out a pending proposal; returns it as it is afterwards. Errors that trying again cannot
 * fix (wrong credentials, a description that no longer renders) fail the proposal with their
 * reason; the others are thrown, and the job tries again.
 */
export async function runProposal(
  services: Services,
  proposalId: string,
  /** The request's own rendering, when the request runs its proposal itself (saves rendering again). */
  prepared?: PreparedChange,
): Promise<ProposalRecord> {
  const pending = await services.store.proposals.get(proposalId);
  if (!pending) throw new BridgeError('NOT_FOUND', `no proposal with id ${proposalId}`);
  if (pending.state !== 'pending') return pending;
  return withProposalLease(services, pending.deploymentId, () => runHoldingLease(services, proposalId, prepared));
}

/**
 * Runs `work` holding the deployment's proposal lease (its proposals share one branch, so one at
 * a time is carried out, across requests, workers and processes), renewed every third of a lease.
 * CONFLICT while another holds it: the job tries again later, a request leaves it to the job.
 */
async function withProposalLease<T>(services: Services, deploymentId: string, work: () => Promise<T>): Promise<T> {
  const { deployments } = services.store;
  const leaseMs = services.config.jobs.leaseSeconds * 1000;
  const owner = crypto.randomUUID();
  const at = services.clock.now();
  if (!(await deployments.acquireProposalLease(deploymentId, owner, at, at + leaseMs))) {
    throw new BridgeError(
      'CONFLICT',
      `another proposal of deployment ${deploymentId} is being carried out now; this one follows it`,
    );
  }
  const renew = () => deployments.renewProposalLease(deploymentId, owner, services.clock.now() + leaseMs);
  const failed = (error: unknown) =>
    services.logger.warn({ deploymentId, error: describeError(error) }, 'could not renew a proposal lease');
  try {
    return await whileRenewing(leaseMs / 3, renew, failed, work);
  } finally {
    await deployments.releaseProposalLease(deploymentId, owner);
  }
}

/** `runProposal` once the lease is held: the proposal is read again, it may have changed meanwhile. */
async function runHoldingLease(
  services: Services,
  proposalId: string,
  prepared: PreparedChange | undefined,
): Promise<ProposalRecord> {
  const { store } = services;
  const proposal = await store.proposals.get(proposalId);
  if (!proposal) throw new BridgeError('NOT_FOUND', `no proposal with id ${proposalId}`);
  if (proposal.state !== 'pending') return proposal;
  const deployment = await store.deployments.get(proposal.deploymentId);
  if (!deployment) throw new BridgeError('NOT_FOUND', `no deployment with id ${proposal.deploymentId}`);
  const history = await store.proposals.listByDeployment(deployment.id);
  if (history[0] && history[0].id !== proposal.id) {
    return store.proposals.update(proposal.id, { state: 'superseded' });
  }
  const repository = await getDeploymentRepository(services, deployment.repositoryId);
  const reusable = prepared?.hash === proposal.contentHash ? prepared : undefined;
  try {
    const result = await carryOut(services, repository, deployment, proposal, liveProposal(history), reusable);
    return await recordResult(services, deployment, proposal, result);
  } catch (error) {
    if (failureAction(error) === 'dead') return markFailed(services, proposal.id, error);
    throw error;
  }
}

async function carryOut(
  services: Services,
  repository: DeploymentRepositoryRecord,
  deployment: DeploymentRecord,
  proposal: ProposalRecord,
  live: ProposalRecord | undefined,
  rendered: PreparedChange | undefined,
): Promise<ProposeResult> {
  const provider = await providerOf(services, repository);
  const values = await openValues(services.secretBox, proposal);
  const { description } = await deployableVersion(services, deployment.applicationId, proposal.version);
  let change: { files: { path: string; content: string }[]; owned: string[]; deletions: string[] };
  let warnings: { code: string; message: string }[] = [];
  let resolvedValues: Record<string, unknown> = values;
  let sensitive: ProposalSubject['sensitive'];
  if (proposal.action === 'remove') {
    change = await prepareRemoval(services, repository, deployment);
  } else {
    const prepared =
      rendered ??
      (await prepareDeployment(services, repository, {
        applicationId: deployment.applicationId,
        version: proposal.version,
        profile: proposal.profile,
        target: deployment.target,
        namespace: proposal.namespace,
        name: deployment.name,
        values,
        deploymentId: deployment.id,
      }));
    const sealed = await sealChange({
      repository,
      resolved: prepared.resolved,
      hidden: hiddenParameters(description, proposal.sensitive),
      change: prepared.change,
      now: services.clock.now(),
    });
    change = sealed.change;
    sensitive = { mode: sealed.mode, parameters: sealed.parameters };
    warnings = prepared.resolved.warnings;
    resolvedValues = Object.fromEntries(prepared.resolved.parameters.map((p) => [p.name, dataText(p.value)]));
  }
  const subject: ProposalSubject = {
    action: proposal.action,
    deploymentId: deployment.id,
    applicationId: deployment.applicationId,
    applicationName: description.metadata.name,
    version: proposal.version,
    ...(live && live.action !== 'remove' && live.version !== proposal.version ? { previousVersion: live.version } : {}),
    profile: proposal.profile,
    target: deployment.target,
    namespace: proposal.namespace,
    name: deployment.name,
    values: resolvedValues,
    hidden: hiddenParameters(description, proposal.sensitive),
    warnings,
    ...(sensitive ? { sensitive } : {}),
    ...catalogueLink(services, deployment.applicationId, proposal.version),
  };
  if (proposal.action === 'upgrade') {
    subject.upgrade = await upgradeSummary(
      services,
      deployment,
      proposal,
      description,
      resolvedValues,
      subject.catalogueUrl,
    );
  }
  const title = proposalTitle(subject, repository.titlePattern);
  return provider.propose({
    branch: proposal.branch,
    base: repository.baseBranch,
    files: change.files,
    owned: change.owned,
    deletions: change.deletions,
    commitMessage: commitMessage(title, subject),
    author: repository.commitAuthor,
    title,
    body: proposalBody(subject),
    marker: proposalMarker(deployment.id),
    labels: repository.labels,
  });
}

/** A resolved value as text for the body (Data may be a Decimal with its digits). */
function dataText(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'toString' in value) {
    return String(value);
  }
  return value;
}

function catalogueLink(services: Services, applicationId: string, version: string): { catalogueUrl?: string } {
  const base = services.config.publicUrl;
  if (base === undefined) return {};
  return {
    catalogueUrl: `${base.replace(/\/+$/, '')}/api/v1/applications/${encodeURIComponent(applicationId)}/versions/${encodeURIComponent(version)}`,
  };
}

async function recordResult(
  services: Services,
  deployment: DeploymentRecord,
  proposal: ProposalRecord,
  result: ProposeResult,
): Promise<ProposalRecord> {
  const { store } = services;
  if (!result.proposal) {
    // Unchanged and nothing open: the base branch holds exactly this already.
    const updated = await store.proposals.update(proposal.id, { state: 'unchanged', outcome: result.outcome });
    await store.deployments.update(deployment.id, {
      state: proposal.action === 'remove' ? 'removed' : 'merged',
      failureReason: null,
    });
    return updated;
  }
  const status: ProposalStatus = result.proposal;
  const updated = await store.proposals.update(proposal.id, {
    state: 'proposed',
    outcome: result.outcome,
    number: status.number ?? null,
    url: status.url,
    commit: status.commit,
    failureReason: null,
  });
  // Earlier proposals of the deployment that were still open are replaced by this one; later
  // ones (recorded while this one was carried out) follow it and stay as they are.
  const history = await store.proposals.listByDeployment(deployment.id);
  for (const earlier of history.slice(history.findIndex((entry) => entry.id === proposal.id) + 1)) {
    if (earlier.state === 'proposed' || earlier.state === 'pending') {
      await store.proposals.update(earlier.id, { state: 'superseded' });
    }
  }
  await store.deployments.update(deployment.id, { state: 'proposed', failureReason: null });
  services.logger.info(
    { deploymentId: deployment.id, proposalId: proposal.id, outcome: result.outcome, number: status.number ?? null },
    'proposal made',
  );
  // A provider may report it merged or closed at once (an adopted proposal): settle as tracking would.
  return status.state === 'open' ? updated : settle(services, updated, status);
}

async function markFailed(services: Services, proposalId: string, error: unknown): Promise<ProposalRecord> {
  const reason = describeError(error);
  const proposal = await services.store.proposals.update(proposalId, { state: 'failed', failureReason: reason });
  await services.store.deployments.update(proposal.deploymentId, { state: 'failed', failureReason: reason });
  services.logger.warn({ proposalId, deploymentId: proposal.deploymentId, reason }, 'proposal failed');
  return proposal;
}
