/** `margo-bridge validate`: checks application descriptions (and deployments); a stable contract for scripts. */
import { type Issue, validateDocument } from '../margo/index.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './command.js';
import { resolveInput } from './read-input.js';

const help = `Usage: margo-bridge validate <file-or-package-dir>... [--json]

Validates Margo application descriptions (shapes V1 to V5) and ApplicationDeployment files.
A directory is a package root: its margo.yaml, or else the one YAML file in it that is an
application description.

Output: one line per problem, 'file:line:column: error|warning CODE: message'.
  --json   print an array of { file, valid, shape, errors, warnings } instead

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

function line(file: string, issue: Issue): string {
  return `${file}:${issue.line}:${issue.column}: ${issue.severity} ${issue.code}: ${issue.message}${issue.path ? ` (at ${issue.path})` : ''}\n`;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--json');
  const targets = args.filter((arg) => !arg.startsWith('-'));
  if (unknown.length > 0 || targets.length === 0) {
    io.stderr(`${unknown.length > 0 ? `margo-bridge validate: unknown option ${unknown.join(', ')}\n` : ''}${help}`);
    return EXIT_USAGE;
  }
  const inputs = targets.map((target) => resolveInput(target, io.cwd));
  const missing = inputs.filter((input) => !input.ok && input.code === 'USAGE');
  if (missing.length > 0) {
    for (const input of missing) if (!input.ok) io.stderr(`margo-bridge validate: ${input.message}\n`);
    return EXIT_USAGE;
  }
  const reports: FileReport[] = inputs.map((input) => {
    if (!input.ok) {
      const issue: Issue = {
        severity: 'error',
        code: input.code,
        message: input.message,
        path: '',
        line: 0,
        column: 0,
      };
      return { file: input.file, valid: false, shape: null, errors: [issue], warnings: [] };
    }
    const report = validateDocument(input.text, { fileExists: input.fileExists });
    return {
      file: input.file,
      valid: report.valid,
      shape: report.shape,
      errors: report.errors,
      warnings: report.warnings,
    };
  });
  if (json) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
  else {
    for (const report of reports) {
      for (const issue of [...report.errors, ...report.warnings].sort(
        (a, b) => a.line - b.line || a.column - b.column,
      )) {
        io.stdout(line(report.file, issue));
      }
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
