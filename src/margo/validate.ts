/**
 * `validateDocument`: one YAML text in, one report out. Parses safely (yaml.ts), detects the
 * shape (detect.ts), checks the structure against the raw zod schema, applies the rules that
 * need the shape or several fields (rules/), and normalises descriptions into `Description`.
 */
import { validateDeployment } from './application-deployment.js';
import { detectShape, isRecord } from './detect.js';
import { IssueList } from './issues.js';
import type { DocumentReport } from './model.js';
import { normaliseDescription } from './normalise.js';
import { rawDescriptionSchema } from './raw-schema.js';
import { checkDescriptionRules, type RuleOptions } from './rules/index.js';
import { parseYaml } from './yaml.js';
import { reportZodIssues } from './zod-issues.js';

/** `options.fileExists` enables the check that catalog files exist in the package. */
export function validateDocument(text: string, options: RuleOptions = {}): DocumentReport {
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const errors = parsed.problems.map((problem) => ({
      severity: 'error' as const,
      code: 'PARSE',
      message: problem.message,
      path: '',
      pointer: '',
      line: problem.line,
      column: problem.column,
    }));
    return { kind: 'unparseable', shape: null, valid: false, description: null, errors, warnings: [] };
  }
  const issues = new IssueList(parsed.locate);
  const detection = detectShape(parsed.value);
  if (detection.kind === 'not-margo' || detection.kind === 'unsupported') {
    issues.error(detection.kind === 'not-margo' ? 'NOT_MARGO' : 'UNSUPPORTED_SHAPE', [], detection.message);
    const kind = detection.kind === 'not-margo' ? 'not-margo' : 'description';
    return { kind, shape: null, valid: false, description: null, errors: issues.errors, warnings: issues.warnings };
  }
  if (detection.kind === 'deployment') {
    const shape = validateDeployment(parsed.value as Record<string, unknown>, issues);
    return {
      kind: 'deployment',
      shape,
      valid: issues.errors.length === 0,
      description: null,
      errors: issues.errors,
      warnings: issues.warnings,
    };
  }
  const raw = parsed.value;
  if (!isRecord(raw)) throw new Error('unreachable: detection accepted a non-mapping');
  renameLegacyKeys(raw, issues);
  const structure = rawDescriptionSchema.safeParse(raw);
  if (!structure.success) reportZodIssues(structure.error.issues, raw, issues, rawDescriptionSchema);
  const description = normaliseDescription(raw, detection.shape, parsed.sourceText);
  checkDescriptionRules(raw, detection.shape, description, issues, options);
  return {
    kind: 'description',
    shape: detection.shape,
    valid: issues.errors.length === 0,
    description,
    errors: issues.errors,
    warnings: issues.warnings,
  };
}

/** the pre-draft table spells `datatype`; accept it as `dataType` with a warning. */
function renameLegacyKeys(raw: Record<string, unknown>, issues: IssueList): void {
  const configuration = raw.configuration;
  if (!isRecord(configuration) || !Array.isArray(configuration.schema)) return;
  configuration.schema.forEach((entry: unknown, index: number) => {
    if (!isRecord(entry) || entry.datatype === undefined || entry.dataType !== undefined) return;
    entry.dataType = entry.datatype;
    delete entry.datatype;
    issues.warning(
      'LEGACY_SPELLING',
      ['configuration', 'schema', index, 'datatype'],
      "'datatype' is the pre-draft spelling; write 'dataType'",
      'key',
    );
  });
}
