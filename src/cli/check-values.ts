/** `margo-bridge check-values`: checks an End User's values file against an application description. */
import { parseValuesFile, validateDocument, validateValues } from '../margo/index.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './command.js';
import { resolveInput } from './read-input.js';

const help = `Usage: margo-bridge check-values <description> <values.yaml|values.json> [--json]

Checks a values file (a mapping from parameter name to value) against the settings of an
application description: data types, allowEmpty, lengths, regexMatch, ranges, precision,
options; unknown parameter names are errors. Numbers are judged as written (1.50 has two
decimal places). <description> may be a package directory.

Output: one line per problem, 'file: error CODE: parameter: message'.
  --json   print { valid, errors: [{ parameter, code, message }] } instead

Exit status: 0 valid, 1 invalid (values or description), 2 usage error.
`;

interface ValueError {
  parameter: string;
  code: string;
  message: string;
}

async function run(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--json');
  const positional = args.filter((arg) => !arg.startsWith('-'));
  if (unknown.length > 0 || positional.length !== 2) {
    io.stderr(
      `${unknown.length > 0 ? `margo-bridge check-values: unknown option ${unknown.join(', ')}\n` : ''}${help}`,
    );
    return EXIT_USAGE;
  }
  const [descriptionArg = '', valuesArg = ''] = positional;
  const descriptionInput = resolveInput(descriptionArg, io.cwd);
  const valuesInput = resolveInput(valuesArg, io.cwd);
  for (const input of [descriptionInput, valuesInput]) {
    if (!input.ok && input.code === 'USAGE') {
      io.stderr(`margo-bridge check-values: ${input.message}\n`);
      return EXIT_USAGE;
    }
  }
  const errors: ValueError[] = [];
  let file = valuesArg;
  if (!descriptionInput.ok) {
    errors.push({
      parameter: '',
      code: descriptionInput.code,
      message: `${descriptionArg}: ${descriptionInput.message}`,
    });
  } else if (!valuesInput.ok) {
    errors.push({ parameter: '', code: valuesInput.code, message: valuesInput.message });
  } else {
    file = valuesInput.file;
    const report = validateDocument(descriptionInput.text);
    if (report.kind !== 'description' || !report.valid || !report.description) {
      for (const issue of report.errors) {
        errors.push({
          parameter: '',
          code: issue.code,
          message: `${descriptionInput.file}:${issue.line}:${issue.column}: ${issue.message}`,
        });
      }
      if (report.kind !== 'description') {
        errors.push({
          parameter: '',
          code: 'NOT_MARGO',
          message: `${descriptionInput.file} is not an application description`,
        });
      }
    } else {
      const parsed = parseValuesFile(valuesInput.text, valuesInput.file);
      for (const issue of parsed.errors)
        errors.push({ parameter: issue.path, code: issue.code, message: issue.message });
      if (parsed.errors.length === 0) errors.push(...validateValues(report.description, parsed.values).issues);
    }
  }
  if (json) io.stdout(`${JSON.stringify({ valid: errors.length === 0, errors }, null, 2)}\n`);
  else
    for (const error of errors)
      io.stdout(`${file}: error ${error.code}: ${error.parameter ? `${error.parameter}: ` : ''}${error.message}\n`);
  return errors.length === 0 ? EXIT_OK : EXIT_INVALID;
}

export const checkValuesCommand: Command = {
  name: 'check-values',
  summary: 'check an End-User values file against an application description',
  help,
  run,
};
