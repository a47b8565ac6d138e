/** Rendering of desired state: pure, template texts come in from outside (see node/templates.ts). */

export { unifiedDiff } from './diff.js';
export { quoteEnvValue, writeEnvFile } from './env-file.js';
export { contentHash, type RenderedFile } from './hash.js';
export {
  deploymentsPresent,
  type Manifest,
  readManifest,
  type TargetDeployment,
  type TargetIndexInput,
  targetIndex,
  targetIndexPaths,
} from './kustomize.js';
export {
  type DeploymentPlace,
  defaultLayout,
  deploymentFilePath,
  deploymentFolder,
  KUSTOMIZATION_FILE,
  type Layout,
  MANIFEST_FILE,
  NAMESPACES_FILE,
  targetFolder,
} from './layout.js';
export {
  type RenderedDeployment,
  type RenderFormat,
  type RenderOptions,
  type RepositoryRenderInput,
  renderDeployment,
  renderFormats,
  renderForRepository,
} from './render.js';
export { type ChangeInput, deploymentChange, type RepositoryChange, removalChange } from './repository.js';
export {
  compileTemplate,
  compileTemplates,
  type Template,
  type TemplateName,
  type Templates,
  type TemplateTexts,
  templateNames,
  templateVariables,
} from './template.js';
export { writeYaml } from './yaml-writer.js';
