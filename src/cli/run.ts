import type { CliIo, Command } from './command.js';
import { describeFailure, EXIT_OK, EXIT_USAGE } from './exit.js';

/** Each entry loads its command on demand, so `validate` never loads the service's dependencies. */
const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  fetch: async () => (await import('./fetch.js')).fetchCommand,
  'check-values': async () => (await import('./check-values.js')).checkValuesCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  render: async () => (await import('./render.js')).renderCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  poll: async () => (await import('./poll.js')).pollCommand,
};

function overview(): string {
  const names = Object.keys(commands).join(', ');
  return `margo-bridge <command> [options]\n\nCommands: ${names}\nRun 'margo-bridge <command> --help' for a command's options, 'margo-bridge --version' for the version.\n`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout((await import('./version.js')).versionText());
    return EXIT_OK;
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
  try {
    return await command.run(args, io);
  } catch (error) {
    const failure = describeFailure(error);
    if (!failure) throw error;
    const synopsis =
      failure.exitCode === EXIT_USAGE
        ? `\nUsage: ${command.help.split('\n')[0]?.replace(/^Usage: /, '')}\nRun 'margo-bridge ${name} --help' for details.\n`
        : '';
    io.stderr(`margo-bridge ${name}: ${failure.message}\n${synopsis}`);
    return failure.exitCode;
  }
}
