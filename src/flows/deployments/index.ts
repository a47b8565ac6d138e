/** Deployments: what the HTTP routes and the web pages call (no HTTP needed). */

/** The settings schema of the API and margo-bridge.yaml, for the web form (ui/ may not import config/). */
export {
  deploymentRepositoryPatchSchema,
  deploymentRepositorySchema,
} from '../../config/deployment-repositories.js';
export * from '../../store/deployment-records.js';
export { upgradePolicies } from '../../store/deployment-records.js';
export { type DeploymentAnswer, getDeployment } from './answer.js';
export { type Preview, previewDeployment } from './preview.js';
export { handleProposeJob, runProposal } from './propose.js';
export { removeDeployment, retryDeployment } from './remove.js';
export {
  createDeploymentRepository,
  type DeploymentRepositoryPatch,
  type DeploymentRepositorySettings,
  deleteDeploymentRepository,
  findDeploymentRepository,
  getDeploymentRepository,
  listDeploymentRepositories,
  updateDeploymentRepository,
} from './repositories.js';
export { approveProposal, closeProposal, type MergeMethod } from './review.js';
export { createDeployment, type DeploymentChange, type DeploymentRequest, updateDeployment } from './submit.js';
export { enqueueProposalChecks, handleTrackJob, trackPullRequestDelivery } from './track.js';
export {
  type DeploymentQuery,
  type DeploymentView,
  deploymentRepositoryView,
  deploymentView,
  deploymentWithHistory,
  listDeployments,
  type ProposalView,
  proposalView,
} from './views.js';
