/** The public surface of the Margo domain (pure: no I/O, runs on Node and Workers). */
export { deploymentJsonSchema } from './deployment-schema.js';
export { descriptionJsonSchema } from './json-schema.js';
export * from './model.js';
export { chooseDescriptionFile, DEFAULT_DESCRIPTION_FILE, type DescriptionChoice, isYamlFileName } from './package.js';
export { parseComposePointer, parseHelmPointer } from './pointer.js';
export { type CompiledRegex, compileRegex, type RegexResult } from './regex.js';
export type { RuleOptions as ValidateOptions } from './rules/index.js';
export { validateDocument } from './validate.js';
export { parseValuesFile, validateValues } from './values.js';
