/** Deployments: what the HTTP routes and the web pages call (no HTTP needed). */

export * from '../../store/deployment-records.js';
export { type Preview, previewDeployment } from './preview.js';
export { handleProposeJob, runProposal } from './propose.js';
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
export {
  createDeployment,
  type DeploymentAnswer,
  type DeploymentChange,
  type DeploymentRequest,
  getDeployment,
  removeDeployment,
  retryDeployment,
  updateDeployment,
} from './submit.js';
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
