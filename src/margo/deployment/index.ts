/** Resolution of desired state: description + values + target → ResolvedDeployment (pure). */
export { type BuildInput, buildDeployment, type PreviousDeployment } from './build.js';
export { type Data, type DataMap, Decimal } from './data.js';
export type {
  EnvEntry,
  EnvFile,
  HelmValues,
  ResolutionWarning,
  ResolvedComponent,
  ResolvedDeployment,
  ResolvedParameter,
} from './model.js';
export {
  checkDeploymentName,
  deploymentName,
  MAX_NAME_LENGTH,
  MAX_RELEASE_NAME_LENGTH,
  shortenName,
} from './names.js';
export { readPreviousDeployment } from './previous.js';
export { selectProfile } from './profile.js';
export { type ResolveInput, resolveDeployment } from './resolve.js';
export { checkNamespace, checkTarget, unsafePathReason } from './target.js';
