/**
 * Removing a deployment (a proposal that deletes its folder and its entry in the target's index;
 * one never on the base branch is removed at once) and retrying a failed request.
 */
import { BridgeError } from '../../errors.js';
import type { Services } from '../../services.js';
import {
  answerOf,
  carryOut,
  closeOpen,
  type DeploymentAnswer,
  getDeployment,
  isOpen,
  MAX_RACES,
  raceLost,
} from './answer.js';
import { liveProposal } from './prepare.js';
import { proposalBranch, proposeJob } from './propose.js';
import { updateDeployment } from './submit.js';

/** A proposal that deletes the deployment's folder (and its entry in the target's index). */
export async function removeDeployment(services: Services, id: string, actor: string): Promise<DeploymentAnswer> {
  for (let race = 0; race < MAX_RACES; race++) {
    const current = await getDeployment(services, id);
    if (current.state === 'removed') {
      return { deployment: current, proposal: undefined, files: [], created: false, unchanged: true };
    }
    const proposals = await services.store.proposals.listByDeployment(current.id);
    const [newest] = proposals;
    if (newest?.action === 'remove' && isOpen(newest)) {
      return answerOf(services, current.id, newest.id, undefined, false);
    }
    const live = liveProposal(proposals);
    if (!live || live.action === 'remove') {
      // Never on the base branch: nothing to remove there; an open proposal is closed instead.
      if (newest?.state === 'proposed') await closeOpen(services, newest);
      const fresh = await getDeployment(services, id);
      if (!(await services.store.deployments.update(fresh.id, { state: 'removed' }, fresh.revision))) continue;
      return {
        deployment: await getDeployment(services, id),
        proposal: undefined,
        files: [],
        created: false,
        unchanged: true,
      };
    }
    const recorded = await services.store.transaction(async (tx) => {
      if (!(await tx.deployments.update(current.id, { state: 'pending', failureReason: null }, current.revision))) {
        return undefined;
      }
      const proposal = await tx.proposals.create({
        deploymentId: current.id,
        repositoryId: current.repositoryId,
        action: 'remove',
        version: current.version,
        profile: current.profile,
        namespace: current.namespace,
        values: {},
        sealedValues: null,
        sensitive: current.sensitive,
        contentHash: 'removed',
        files: [],
        branch: proposalBranch(current),
        state: 'pending',
        requestedBy: actor,
        requestedAt: services.clock.now(),
      });
      return { proposal, standBy: await tx.jobs.enqueue(proposeJob(services, proposal.id)) };
    });
    if (!recorded) continue;
    return carryOut(services, current, recorded, undefined, false);
  }
  throw raceLost();
}

/** Proposes the deployment's last request again after a failure. */
export async function retryDeployment(services: Services, id: string, actor: string): Promise<DeploymentAnswer> {
  const current = await getDeployment(services, id);
  const [newest] = await services.store.proposals.listByDeployment(id);
  if (current.state !== 'failed' || newest?.state !== 'failed') {
    throw new BridgeError('CONFLICT', `deployment ${id} is ${current.state}; only a failed proposal can be retried`);
  }
  await services.store.proposals.update(newest.id, { state: 'superseded' });
  if (newest.action === 'remove') return removeDeployment(services, id, actor);
  return updateDeployment(services, id, { version: newest.version, profile: newest.profile }, actor);
}
