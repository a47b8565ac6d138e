/** `margo-bridge check-values`: checks an End User's values file against an application description. */
import { type Issue, parseValuesFile, validateDocument, validateValues } from '../margo/index.js';
import { expectPositionals, parseArguments } from './args.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK } from './command.js';
import { byPosition, formatFinding } from './findings.js';
import { readUserFile, resolveInput } from './read-input.js';

const help = `Usage: margo-bridge check-values <description-or-package-dir> <values.yaml|values.json> [--json]

Checks a values file (a mapping from parameter name to value) against the settings of an
application description: data types, allowEmpty, lengths, regexMatch, ranges, precision,
options; unknown parameter names are errors. Numbers are judged as written (1.50 has two
decimal places). <description> may be a package directory, as for validate.

Output: one line per problem, in the form validate uses:
  file:line:column: error CODE: message (at parameter)
  --json   print { valid, errors: [{ file, line, column, parameter, path, code, message }] }
           instead (parameter is '' for a finding about the description)

Exit status: 0 valid, 1 invalid (values or description), 2 usage error.
`;

interface CheckError {
  file: string;
  line: number;
  column: number;
  /** The parameter a values finding is about; '' for findings about the description. */
  parameter: string;
  /** Where in the file: the parameter, or the dotted path in the description. */
  path: string;
  code: string;
  message: string;
}

function fromIssue(file: string, issue: Issue, parameter: string): CheckError {
  const { line, column, path, code, message } = issue;
  return { file, line, column, parameter, path, code, message };
}

/** The description's problems, or the values file's, or the values' (each only when the one before is fine). */
function check(descriptionArg: string, valuesArg: string, cwd: string): CheckError[] {
  const description = resolveInput(descriptionArg, cwd);
  const valuesText = readUserFile(valuesArg, cwd, 'values file');
  const aboutFile = (file: string, code: string, message: string): CheckError => ({
    file,
    line: 0,
    column: 0,
    parameter: '',
    path: '',
    code,
    message,
  });
  if (!description.ok) return [aboutFile(description.file, description.code, description.message)];
  const report = validateDocument(description.text);
  if (report.kind !== 'description' || !report.description || !report.valid) {
    const errors = byPosition(report.errors).map((issue) => fromIssue(description.file, issue, ''));
    if (report.kind !== 'description') {
      const message = 'this is not an application description; give the description first, then the values file';
      errors.push(aboutFile(description.file, 'NOT_MARGO', message));
    }
    return errors;
  }
  const values = parseValuesFile(valuesText);
  if (values.errors.length > 0) {
    return byPosition(values.errors).map((issue) => fromIssue(valuesArg, issue, issue.path));
  }
  const found = validateValues(report.description, values.values).issues.map((issue) => {
    const position = values.positions[issue.parameter] ?? { line: 0, column: 0 };
    return { file: valuesArg, ...position, path: issue.parameter, ...issue };
  });
  return byPosition(found);
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArguments(args, { json: { type: 'boolean' } });
  expectPositionals(
    positionals,
    2,
    2,
    positionals.length === 0 ? 'the description and the values file' : 'the values file',
  );
  const errors = check(positionals[0] as string, positionals[1] as string, io.cwd);
  if (options.json) io.stdout(`${JSON.stringify({ valid: errors.length === 0, errors }, null, 2)}\n`);
  else {
    for (const error of errors) {
      io.stdout(formatFinding(error.file, { ...error, severity: 'error' }));
    }
  }
  return errors.length === 0 ? EXIT_OK : EXIT_INVALID;
}

export const checkValuesCommand: Command = {
  name: 'check-values',
  summary: 'check an End-User values file against an application description',
  help,
  run,
};
