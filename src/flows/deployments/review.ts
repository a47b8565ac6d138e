/**
 * The review actions margo-bridge offers itself: approve (merge; only providers that have `merge`,
 * i.e. `local`: on a forge the reviewers merge there) and close (any provider).
 */
import { BridgeError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { DeploymentRecord, ProposalRecord } from '../../store/deployment-records.js';
import { getDeployment } from './answer.js';
import { proposalProvider, settle } from './track.js';

export type MergeMethod = 'fast-forward' | 'merge-commit';

export async function approveProposal(
  services: Services,
  deploymentId: string,
  actor: string,
  method: MergeMethod = 'merge-commit',
): Promise<DeploymentRecord> {
  const proposal = await openProposal(services, deploymentId);
  const { repository, provider } = await proposalProvider(services, proposal);
  if (!provider.merge) {
    throw new BridgeError(
      'CONFLICT',
      `deployment repository '${repository.name}' (${repository.provider}) is reviewed on the forge: merge the proposal there${proposal.url ? ` (${proposal.url})` : ''}`,
    );
  }
  const status = await provider.merge(refOf(proposal), method);
  await settle(services, proposal, status);
  services.logger.info({ deploymentId, proposalId: proposal.id, actor, method }, 'proposal approved');
  return getDeployment(services, deploymentId);
}

export async function closeProposal(
  services: Services,
  deploymentId: string,
  actor: string,
): Promise<DeploymentRecord> {
  const proposal = await openProposal(services, deploymentId);
  const { provider } = await proposalProvider(services, proposal);
  const status = await provider.close(refOf(proposal));
  await settle(services, proposal, status);
  services.logger.info({ deploymentId, proposalId: proposal.id, actor }, 'proposal closed');
  return getDeployment(services, deploymentId);
}

async function openProposal(services: Services, deploymentId: string): Promise<ProposalRecord> {
  await getDeployment(services, deploymentId);
  const [newest] = await services.store.proposals.listByDeployment(deploymentId);
  if (newest?.state !== 'proposed') {
    throw new BridgeError(
      'CONFLICT',
      `deployment ${deploymentId} has no open proposal${newest ? ` (its newest is ${newest.state})` : ''}`,
    );
  }
  return newest;
}

function refOf(proposal: ProposalRecord): { branch: string; number?: number } {
  return { branch: proposal.branch, ...(proposal.number !== null ? { number: proposal.number } : {}) };
}
