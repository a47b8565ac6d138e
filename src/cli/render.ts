/**
 * `margo-bridge render`: renders what End Users will get, from a description and a values file,
 * into a directory laid out as in the deployment repository. Uses the same pure functions as the
 * service, so the bytes are the ones a pull request would carry.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isBridgeError } from '../errors.js';
import { type PreviousDeployment, readPreviousDeployment, resolveDeployment } from '../margo/deployment/index.js';
import { type InputValue, type Issue, parseValuesFile, validateDocument } from '../margo/index.js';
import { renderDeployment } from '../margo/render/index.js';
import { loadTemplates } from '../margo/render/node/templates.js';
import { expectPositionals, parseArguments, UsageError } from './args.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK } from './command.js';
import { byPosition, formatFinding } from './findings.js';
import { readUserFile, resolveInput } from './read-input.js';
import { chooseFormat, formatHelp } from './render-formats.js';
import { previousInOut, writeRendering } from './render-out.js';

/** The synopsis README.md and docs/rendering.md show too (a test keeps the three equal). */
export const renderSynopsis = `margo-bridge render <description-or-package-dir> --profile <helm|compose|custom|profile-id> --target <name> --out <dir>
    [--values <file>] [--namespace <ns>] [--format margo-v1|margo-v1alpha1|flux|argocd] [--previous <file>] [--templates <dir>]`;

const help = `Usage: ${renderSynopsis}

Resolves End-User values against an application description and writes the desired state
(ApplicationDeployment, Helm values, env files, GitOps manifests) under <dir>, then prints
the paths written, one per line. <description> may be a package directory, as for validate.

Options:
  --profile <p>         helm, compose, custom or a deployment profile id
  --target <name>       the device or cluster, a relative path such as plant-a/line-3
  --out <dir>           where to write (the deployment repository's root); files margo-bridge
                        wrote there before for this deployment and no longer renders are removed
  --values <file>       End-User values: a YAML or JSON mapping parameter -> value
                        (without it, the defaults are used)
  --namespace <ns>      Kubernetes namespace written into the deployment (default: default)
${formatHelp}  --previous <file>     the existing ApplicationDeployment when updating: keeps its id and name
                        and refuses changes to immutable settings (default: the one already
                        in <dir> for this application and target, if any)
  --templates <dir>     a copy of templates/ to render with instead of the built-in one

Findings are printed as validate prints them: file:line:column: error|warning CODE: message.
Exit codes: 0 written, 1 invalid description or values (errors on stderr), 2 usage.
`;

const options = {
  values: { type: 'string' },
  profile: { type: 'string' },
  target: { type: 'string' },
  namespace: { type: 'string' },
  format: { type: 'string' },
  previous: { type: 'string' },
  templates: { type: 'string' },
  out: { type: 'string' },
} as const;

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new UsageError(`missing --${name}`);
  return value;
}

/** --out may be missing (it is created) or a directory, never a file. */
function checkOut(out: string, arg: string): void {
  try {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${arg} is a file; give a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
}

interface ValuesInput {
  file: string;
  values: Record<string, InputValue>;
  positions: Record<string, { line: number; column: number }>;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArguments(args, options);
  expectPositionals(parsed.positionals, 1, 1, 'the description (a file or package directory)');
  const given = parsed.options;
  const profile = required(given.profile, 'profile');
  const target = required(given.target, 'target');
  const outArg = required(given.out, 'out');
  const out = resolve(io.cwd, outArg);
  checkOut(out, outArg);

  const input = resolveInput(parsed.positionals[0] as string, io.cwd);
  if (!input.ok) {
    io.stderr(
      formatFinding(input.file, {
        severity: 'error',
        code: input.code,
        message: input.message,
        path: '',
        line: 0,
        column: 0,
      }),
    );
    return EXIT_INVALID;
  }
  const report = validateDocument(input.text);
  const format = chooseFormat(given.format, report.shape);
  for (const issue of byPosition([...report.errors, ...report.warnings])) io.stderr(formatFinding(input.file, issue));
  if (report.kind !== 'description' || !report.valid || !report.description) {
    if (report.kind !== 'description') io.stderr(`${input.file}: not an application description\n`);
    return EXIT_INVALID;
  }

  let values: ValuesInput = { file: input.file, values: {}, positions: {} };
  if (given.values !== undefined) {
    const parsedValues = parseValuesFile(readUserFile(given.values, io.cwd, 'values file'));
    if (parsedValues.errors.length > 0) {
      for (const error of byPosition(parsedValues.errors)) io.stderr(formatFinding(given.values, error));
      return EXIT_INVALID;
    }
    values = { file: given.values, ...parsedValues };
  }

  let previous: PreviousDeployment | undefined;
  if (given.previous !== undefined) {
    previous = readPreviousDeployment(readUserFile(given.previous, io.cwd, 'previous deployment'));
  } else {
    // A folder written before keeps its id: its ApplicationDeployment is the previous one.
    previous = await previousInOut(out, { target, applicationId: report.description.id });
  }
  const templates = await loadTemplates(given.templates === undefined ? undefined : resolve(io.cwd, given.templates));
  let resolved: ReturnType<typeof resolveDeployment>;
  try {
    resolved = resolveDeployment({
      description: report.description,
      profile,
      target,
      namespace: given.namespace ?? 'default',
      values: values.values,
      ...(previous ? { previous } : {}),
      newId: randomUUID,
    });
  } catch (error) {
    if (!isBridgeError(error, 'INVALID_VALUES') && !isBridgeError(error, 'IMMUTABLE_SETTING')) throw error;
    io.stderr(`margo-bridge render: ${error.code}: ${error.message}\n`);
    const details = error.details as { issues?: { parameter: string; code: string; message: string }[] } | undefined;
    const findings: Issue[] = (details?.issues ?? []).map((issue) => ({
      severity: 'error',
      code: issue.code,
      message: issue.message,
      path: issue.parameter,
      ...(values.positions[issue.parameter] ?? { line: 0, column: 0 }),
    }));
    for (const finding of byPosition(findings)) io.stderr(formatFinding(values.file, finding));
    return EXIT_INVALID;
  }
  for (const warning of resolved.warnings) {
    const at = warning.parameter ? values.positions[warning.parameter] : undefined;
    io.stderr(
      formatFinding(at ? values.file : input.file, {
        severity: 'warning',
        code: warning.code,
        message: warning.message,
        path: warning.parameter ?? '',
        ...(at ?? { line: 0, column: 0 }),
      }),
    );
  }
  if ((format === 'flux' || format === 'argocd') && resolved.profile.type !== 'helm') {
    io.stderr(
      `note: --format ${format} adds manifests for Helm components only; profile ${resolved.profile.id} is ${resolved.profile.type}\n`,
    );
  }
  const rendered = await renderDeployment(resolved, { format, templates });
  for (const path of await writeRendering(out, rendered, resolved.target)) io.stdout(`${path}\n`);
  return EXIT_OK;
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'render the desired state of a deployment (ApplicationDeployment, values, env, GitOps) into a folder',
  help,
  run,
};
