import { loadConfig } from '../config/load.js';
import { isBridgeError } from '../errors.js';
import { buildRuntime, startService } from '../runtime/node.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './command.js';

const help = `margo-bridge serve [--demo] [--config PATH]

Starts the HTTP API, the job workers and the registry poll scheduler; stops gracefully on
SIGTERM or SIGINT. Settings come from environment variables and margo-bridge.yaml
(docs/configuration.md): PORT (8787), HOST (127.0.0.1), MARGO_BRIDGE_DATA_DIR (./data),
DATABASE_URL, MARGO_BRIDGE_CONFIG, MARGO_BRIDGE_ADMIN_TOKEN, MARGO_BRIDGE_SECRET_KEY,
MARGO_BRIDGE_ALLOW_PRIVATE_NETWORKS, MARGO_BRIDGE_POLL_INTERVAL, MARGO_BRIDGE_WEBHOOK_SECRET.

Options:
  --demo          also serve the example package in examples/demo-package from a local
                  Git repository on 127.0.0.1 and pre-configure it as the registry 'demo'
  --config PATH   the configuration file (default: MARGO_BRIDGE_CONFIG, else ./margo-bridge.yaml)
`;

export interface ParsedServeArgs {
  demo: boolean;
  configPath: string | undefined;
}

export function parseServeArgs(args: string[]): ParsedServeArgs | string {
  const parsed: ParsedServeArgs = { demo: false, configPath: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--demo') parsed.demo = true;
    else if (arg === '--config') {
      const value = args[++i];
      if (value === undefined) return '--config needs a path';
      parsed.configPath = value;
    } else if (arg.startsWith('--config=')) parsed.configPath = arg.slice('--config='.length);
    else return `unknown option '${arg}'`;
  }
  return parsed;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service (HTTP API, workers, poll scheduler)',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const parsed = parseServeArgs(args);
    if (typeof parsed === 'string') {
      io.stderr(`margo-bridge serve: ${parsed}\n\n${help}`);
      return EXIT_USAGE;
    }
    let service: Awaited<ReturnType<typeof startService>>;
    try {
      const { config } = loadConfig({ env: io.env, cwd: io.cwd, configPath: parsed.configPath });
      const runtime = await buildRuntime(config, { demo: parsed.demo });
      service = await startService(runtime);
    } catch (error) {
      if (isBridgeError(error)) {
        io.stderr(`margo-bridge serve: ${error.message}\n`);
        return EXIT_INVALID;
      }
      throw error;
    }
    io.stderr(banner(service.url, service.runtime.generatedAdminToken, service.runtime.demo?.url));
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        service.stop().then(resolve, resolve);
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    return EXIT_OK;
  },
};

function banner(url: string, token: string | undefined, demoUrl: string | undefined): string {
  const lines = [
    '',
    `  margo-bridge is running at ${url}`,
    `  API documentation:  ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
  ];
  if (token === undefined) {
    lines.push('  Admin token: the one printed at the first start, or MARGO_BRIDGE_ADMIN_TOKEN when set.');
  } else {
    lines.push(`  Admin token (shown once; keep it, or set MARGO_BRIDGE_ADMIN_TOKEN):`, `      ${token}`);
  }
  if (demoUrl !== undefined) {
    lines.push(
      `  Demonstration registry 'demo': ${demoUrl}`,
      `  The catalogue (the demo application appears within seconds):`,
      `      curl -H "Authorization: Bearer ${token ?? '<admin token>'}" ${url}/api/v1/applications`,
    );
  }
  lines.push('  Stop with Ctrl-C.', '');
  return `${lines.join('\n')}\n`;
}
