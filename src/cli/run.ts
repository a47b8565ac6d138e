import type { CliIo, Command } from './command.js';
import { EXIT_OK, EXIT_USAGE } from './command.js';

/** Each entry loads its command on demand, so `validate` never loads the service's dependencies. */
const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  'check-values': async () => (await import('./check-values.js')).checkValuesCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  render: async () => (await import('./render.js')).renderCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  poll: async () => (await import('./poll.js')).pollCommand,
};

function overview(): string {
  const names = Object.keys(commands).join(', ');
  return `margo-bridge <command> [options]\n\nCommands: ${names}\nRun 'margo-bridge <command> --help' for a command's options.\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`margo-bridge: unknown command '${name}'\n${overview()}`);
    return EXIT_USAGE;
  }
  const command = await load();
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(command.help);
    return EXIT_OK;
  }
  return command.run(args, io);
}
