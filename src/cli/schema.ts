/** `margo-bridge schema`: prints the JSON Schema of margo.yaml for editors. */
import { descriptionJsonSchema } from '../margo/index.js';
import { type CliIo, type Command, EXIT_OK, EXIT_USAGE } from './command.js';

const help = `Usage: margo-bridge schema

Prints the JSON Schema (draft 2020-12) of the Margo application description, generated from
the same model margo-bridge validates with. Save it and point your editor at it, for example
with a first line '# yaml-language-server: $schema=./margo.schema.json' in margo.yaml.
The schema checks structure only; run 'margo-bridge validate' for cross-references, shape rules
and placeholders.
`;

async function run(args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) {
    io.stderr(`margo-bridge schema: unexpected argument ${args.join(' ')}\n${help}`);
    return EXIT_USAGE;
  }
  io.stdout(`${JSON.stringify(descriptionJsonSchema(), null, 2)}\n`);
  return EXIT_OK;
}

export const schemaCommand: Command = { name: 'schema', summary: 'print the JSON Schema of margo.yaml', help, run };
