/**
 * What every change request answers, and the steps they share: run the recorded proposal at once
 * (its job stands by), read the answer back, and the small rules about open proposals and races.
 */
import { BridgeError } from '../../errors.js';
import type { Job } from '../../jobs/interface.js';
import { describeError, failureAction } from '../../jobs/retry.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, ProposalFile, ProposalRecord } from '../../store/deployment-records.js';
import type { PreparedChange } from './prepare.js';
import { runProposal } from './propose.js';
import { whileRenewing } from './renewing.js';
import { getDeploymentRepository, providerOf } from './repositories.js';
import { settle } from './track.js';

export interface DeploymentAnswer {
  deployment: DeploymentRecord;
  /** The proposal serving this request; absent when nothing had to change. */
  proposal: ProposalRecord | undefined;
  /** The deployment's rendered files (paths from the repository root). */
  files: ProposalFile[];
  /** A new deployment was recorded by this request. */
  created: boolean;
  /** The base branch holds this already: no proposal was opened. */
  unchanged: boolean;
}

/** Attempts when concurrent requests for one deployment keep overtaking each other. */
export const MAX_RACES = 5;

export async function getDeployment(services: Services, id: string): Promise<DeploymentRecord> {
  const deployment = await services.store.deployments.get(id);
  if (!deployment) throw new BridgeError('NOT_FOUND', `no deployment with id ${id}`);
  return deployment;
}

/**
 * Runs the recorded proposal now; a failure that a retry may fix leaves it pending for its job.
 * Its job (`standBy`) is held back meanwhile, so that a proposal slower than a job lease is not
 * carried out twice at once (by a worker of this or another process).
 */
export async function carryOut(
  services: Services,
  deployment: DeploymentRecord,
  recorded: { proposal: ProposalRecord; standBy: Job },
  prepared: PreparedChange | undefined,
  created: boolean,
): Promise<DeploymentAnswer> {
  const { proposal, standBy } = recorded;
  try {
    await holdingBack(services, standBy, () => runProposal(services, proposal.id, prepared));
  } catch (error) {
    if (failureAction(error) === 'dead') throw error;
    services.logger.warn(
      {
        deploymentId: deployment.id,
        proposalId: proposal.id,
        code: error instanceof BridgeError ? error.code : 'INTERNAL',
      },
      'proposal deferred to its job',
    );
  }
  return answerOf(services, deployment.id, proposal.id, prepared, created);
}

/**
 * Runs `work` while `job` waits: its start moves one lease ahead now and every third of a lease.
 * A job a worker has already taken (this request took longer than a lease to get here) keeps the
 * work: it is not started here.
 */
async function holdingBack(services: Services, job: Job, work: () => Promise<unknown>): Promise<void> {
  const leaseMs = services.config.jobs.leaseSeconds * 1000;
  const hold = () => services.store.jobs.postpone(job.id, services.clock.now() + leaseMs);
  if (!(await hold())) return;
  const failed = (error: unknown) =>
    services.logger.warn({ jobId: job.id, error: describeError(error) }, 'could not hold back a propose job');
  await whileRenewing(leaseMs / 3, hold, failed, work);
}

export async function answerOf(
  services: Services,
  deploymentId: string,
  proposalId: string,
  prepared: PreparedChange | undefined,
  created: boolean,
): Promise<DeploymentAnswer> {
  const deployment = await getDeployment(services, deploymentId);
  const proposal = await services.store.proposals.get(proposalId);
  return {
    deployment,
    proposal,
    files: prepared ? prepared.digests : (proposal?.files ?? []),
    created,
    unchanged: proposal?.state === 'unchanged',
  };
}

/** Closes an open proposal with its provider and records it closed. */
export async function closeOpen(services: Services, proposal: ProposalRecord): Promise<void> {
  const repository = await getDeploymentRepository(services, proposal.repositoryId);
  const provider = await providerOf(services, repository);
  const ref = { branch: proposal.branch, ...(proposal.number !== null ? { number: proposal.number } : {}) };
  await settle(services, proposal, await provider.close(ref));
}

/** Proposals a repeated request is answered with: still to be made or under review. */
export function isOpen(proposal: ProposalRecord): boolean {
  return proposal.state === 'pending' || proposal.state === 'proposed';
}

export function raceLost(): BridgeError {
  return new BridgeError('CONFLICT', 'the deployment kept changing while this request was made; send it again');
}
