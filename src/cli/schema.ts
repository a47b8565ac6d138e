/** `margo-bridge schema`: prints the JSON Schema of margo.yaml (or of an ApplicationDeployment) for editors. */
import { deploymentJsonSchema, descriptionJsonSchema } from '../margo/index.js';
import { expectPositionals, parseArguments, UsageError } from './args.js';
import { type CliIo, type Command, EXIT_OK } from './command.js';

const help = `Usage: margo-bridge schema [--kind description|deployment]

Prints a JSON Schema (draft 2020-12) generated from the same model margo-bridge validates with:
  --kind description   the application description, margo.yaml (the default)
  --kind deployment    the ApplicationDeployment files render writes and validate reads

Save it and point your editor at it, for example with a first line
'# yaml-language-server: $schema=./margo.schema.json' in margo.yaml. Every property has a
description, shown on hover. The schema accepts what validate accepts structurally: unknown keys
are allowed (validate warns about them); cross-references, shape rules and placeholders need
'margo-bridge validate'.
`;

const schemas = { description: descriptionJsonSchema, deployment: deploymentJsonSchema };

async function run(args: string[], io: CliIo): Promise<number> {
  const { options, positionals } = parseArguments(args, { kind: { type: 'string' } });
  expectPositionals(positionals, 0, 0, '');
  const kind = options.kind ?? 'description';
  if (kind !== 'description' && kind !== 'deployment') {
    throw new UsageError(`unknown --kind '${kind}'; use description or deployment`);
  }
  io.stdout(`${JSON.stringify(schemas[kind](), null, 2)}\n`);
  return EXIT_OK;
}

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of margo.yaml or of an ApplicationDeployment',
  help,
  run,
};
