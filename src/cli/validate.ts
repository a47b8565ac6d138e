/** `margo-bridge validate`: checks application descriptions (and deployments); a stable contract for scripts. */
import { isBridgeError } from '../errors.js';
import { type Issue, validateDocument } from '../margo/index.js';
import { expectPositionals, parseArguments } from './args.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK } from './command.js';
import { byPosition, formatFinding } from './findings.js';
import {
  isOciReference,
  type OciFetchOptions,
  ociFetchOptions,
  ociHelp,
  ociOptionSpecs,
  readOciPackage,
} from './oci-package.js';
import { resolveInput } from './read-input.js';

const help = `Usage: margo-bridge validate <file-or-package-dir-or-oci-reference>... [--json]

Validates Margo application descriptions (shapes V1 to V5, docs/specification.md) and
ApplicationDeployment files. A directory is a package root: its margo.yaml, or else the one
YAML file in it that is an application description; only then are the catalog files
(icon, licenseFile, ...) looked up, as a lone file has no package to look them up in.

An oci:// reference is read from the registry (as 'margo-bridge fetch' reads it) and its
description validated with the catalog files its layers name.

${ociHelp}
Output: one line per problem, sorted by position:
  file:line:column: error|warning CODE: message (at path)
  --json   print an array of { file, valid, shape, errors, warnings } instead (also sorted)

Exit status: 0 every document is valid (warnings allowed), 1 some document is invalid,
2 usage error (unknown option, no arguments, missing file).
`;

interface FileReport {
  file: string;
  valid: boolean;
  shape: string | null;
  errors: Issue[];
  warnings: Issue[];
}

function check(target: string, cwd: string): FileReport {
  const input = resolveInput(target, cwd);
  if (!input.ok) {
    const issue: Issue = { severity: 'error', code: input.code, message: input.message, path: '', line: 0, column: 0 };
    return { file: input.file, valid: false, shape: null, errors: [issue], warnings: [] };
  }
  const report = validateDocument(input.text, input.fileExists ? { fileExists: input.fileExists } : {});
  return {
    file: input.file,
    valid: report.valid,
    shape: report.shape,
    errors: byPosition(report.errors),
    warnings: byPosition(report.warnings),
  };
}

/** The package an OCI registry serves, validated as the service validates it at ingest. */
async function checkOci(reference: string, options: OciFetchOptions, io: CliIo): Promise<FileReport> {
  try {
    const pkg = await readOciPackage(reference, options, io);
    const report = pkg.report ?? validateDocument(pkg.descriptionText);
    return {
      file: `${reference}/${pkg.descriptionPath}`,
      valid: report.valid,
      shape: report.shape,
      errors: byPosition(report.errors),
      warnings: byPosition(report.warnings),
    };
  } catch (error) {
    if (!isBridgeError(error)) throw error;
    const issue: Issue = { severity: 'error', code: error.code, message: error.message, path: '', line: 0, column: 0 };
    return { file: reference, valid: false, shape: null, errors: [issue], warnings: [] };
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArguments(args, { json: { type: 'boolean' }, ...ociOptionSpecs });
  expectPositionals(positionals, 1, Number.POSITIVE_INFINITY, 'a file or package directory to validate');
  const reports: FileReport[] = [];
  for (const target of positionals) {
    reports.push(isOciReference(target) ? await checkOci(target, ociFetchOptions(options), io) : check(target, io.cwd));
  }
  if (options.json) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
  else {
    for (const report of reports) {
      for (const issue of byPosition([...report.errors, ...report.warnings]))
        io.stdout(formatFinding(report.file, issue));
    }
    const invalid = reports.filter((report) => !report.valid).length;
    io.stderr(`${reports.length} checked, ${invalid} invalid\n`);
  }
  return reports.every((report) => report.valid) ? EXIT_OK : EXIT_INVALID;
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate Margo application descriptions and deployments',
  help,
  run,
};
