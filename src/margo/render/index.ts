/** Rendering of desired state: pure, template texts come in from outside (see templates-node.ts). */
export { quoteEnvValue, writeEnvFile } from './env-file.js';
export { contentHash, type RenderedFile } from './hash.js';
export { defaultLayout, type Layout } from './layout.js';
export {
  type RenderedDeployment,
  type RenderFormat,
  type RenderOptions,
  renderDeployment,
  renderFormats,
} from './render.js';
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
