/**
 * `margo-bridge render`: renders what End Users will get, from a description and a values file,
 * into a directory laid out as in the deployment repository. Uses the same pure functions as the
 * service, so the bytes are the ones a pull request would carry.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BridgeError, isBridgeError } from '../errors.js';
import { type PreviousDeployment, readPreviousDeployment, resolveDeployment } from '../margo/deployment/index.js';
import { type InputValue, type Issue, parseValuesFile, validateDocument } from '../margo/index.js';
import { type RenderFormat, renderDeployment, renderFormats } from '../margo/render/index.js';
import { loadTemplates } from '../margo/render/templates-node.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './command.js';

const help = `margo-bridge render <description> --profile <helm|compose|profile-id> --target <name> --out <dir> [options]

Resolves End-User values against an application description and writes the desired state
(ApplicationDeployment, Helm values, env files, GitOps manifests) under <dir>, then prints
the paths written, one per line.

Options:
  --values <file>       End-User values: a YAML or JSON mapping parameter -> value
                        (without it, the defaults are used)
  --profile <p>         helm, compose, custom or a deployment profile id
  --target <name>       the device or cluster, a relative path such as plant-a/line-3
  --namespace <ns>      Kubernetes namespace written into the deployment (default: default)
  --format <f>          margo (default), margo-v1, flux or argocd
  --previous <file>     the existing ApplicationDeployment when updating: keeps its id and name
                        and refuses changes to immutable settings
  --templates <dir>     a copy of templates/ to render with instead of the built-in one
  --out <dir>           where to write (the deployment repository's root)

Exit codes: 0 written, 1 invalid description or values (errors on stderr), 2 usage.
`;

const usageCodes = new Set(['PROFILE_NOT_FOUND', 'INVALID_TARGET', 'CONFIG_INVALID', 'UNSAFE_PATH']);

function formatIssue(file: string, issue: Issue): string {
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : file;
  return `${where}: ${issue.severity} ${issue.code}${issue.path ? ` at ${issue.path}` : ''}: ${issue.message}\n`;
}

function reportError(io: CliIo, error: BridgeError): number {
  io.stderr(`margo-bridge render: ${error.code}: ${error.message}\n`);
  const details = error.details as { issues?: { parameter?: string; code: string; message: string }[] } | undefined;
  for (const issue of details?.issues ?? []) {
    io.stderr(`  ${issue.parameter ?? ''}${issue.parameter ? ': ' : ''}${issue.code}: ${issue.message}\n`);
  }
  return usageCodes.has(error.code) ? EXIT_USAGE : EXIT_INVALID;
}

async function readText(io: CliIo, path: string, what: string): Promise<string | null> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    io.stderr(`margo-bridge render: cannot read ${what} ${path} (${reason})\n`);
    return null;
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(args);
  } catch (error) {
    io.stderr(`margo-bridge render: ${(error as Error).message}\n\n${help}`);
    return EXIT_USAGE;
  }
  const { values: options, positionals } = parsed;
  const missing = ['profile', 'target', 'out'].filter((name) => options[name as keyof typeof options] === undefined);
  if (positionals.length !== 1 || missing.length > 0) {
    const problem =
      positionals.length !== 1
        ? 'give exactly one description file'
        : `missing ${missing.map((m) => `--${m}`).join(', ')}`;
    io.stderr(`margo-bridge render: ${problem}\n\n${help}`);
    return EXIT_USAGE;
  }
  const format = (options.format ?? 'margo') as RenderFormat;
  if (!renderFormats.includes(format)) {
    io.stderr(`margo-bridge render: unknown --format '${format}'; use ${renderFormats.join(', ')}\n`);
    return EXIT_USAGE;
  }

  const descriptionFile = positionals[0] as string;
  const descriptionText = await readText(io, descriptionFile, 'description');
  if (descriptionText === null) return EXIT_USAGE;
  const report = validateDocument(descriptionText);
  for (const warning of report.warnings) io.stderr(formatIssue(descriptionFile, warning));
  if (report.kind !== 'description' || !report.valid || !report.description) {
    for (const error of report.errors) io.stderr(formatIssue(descriptionFile, error));
    if (report.kind !== 'description') io.stderr(`${descriptionFile}: not an application description\n`);
    return EXIT_INVALID;
  }

  let values: Record<string, InputValue> = {};
  if (options.values !== undefined) {
    const valuesText = await readText(io, options.values, 'values file');
    if (valuesText === null) return EXIT_USAGE;
    const parsedValues = parseValuesFile(valuesText, options.values);
    if (parsedValues.errors.length > 0) {
      for (const error of parsedValues.errors) io.stderr(formatIssue(options.values, error));
      return EXIT_INVALID;
    }
    values = parsedValues.values;
  }

  try {
    let previous: PreviousDeployment | undefined;
    if (options.previous !== undefined) {
      const previousText = await readText(io, options.previous, 'previous deployment');
      if (previousText === null) return EXIT_USAGE;
      previous = readPreviousDeployment(previousText);
    }
    const templates = await loadTemplates(
      options.templates === undefined ? undefined : resolve(io.cwd, options.templates),
    );
    const resolved = resolveDeployment({
      description: report.description,
      profile: options.profile as string,
      target: options.target as string,
      namespace: options.namespace ?? 'default',
      values,
      ...(previous ? { previous } : {}),
      newId: randomUUID,
    });
    for (const warning of resolved.warnings) io.stderr(`warning ${warning.code}: ${warning.message}\n`);
    if ((format === 'flux' || format === 'argocd') && resolved.profile.type !== 'helm') {
      io.stderr(
        `note: --format ${format} adds manifests for Helm components only; profile ${resolved.profile.id} is ${resolved.profile.type}\n`,
      );
    }
    const rendered = await renderDeployment(resolved, { format, templates });
    const out = resolve(io.cwd, options.out as string);
    for (const file of rendered.files) {
      const path = join(out, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
      io.stdout(`${path}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    if (isBridgeError(error)) return reportError(io, error);
    throw error;
  }
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      values: { type: 'string' },
      profile: { type: 'string' },
      target: { type: 'string' },
      namespace: { type: 'string' },
      format: { type: 'string' },
      previous: { type: 'string' },
      templates: { type: 'string' },
      out: { type: 'string' },
    },
  });
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'Render the desired state of a deployment (ApplicationDeployment, values, env, GitOps) into a folder',
  help,
  run,
};
