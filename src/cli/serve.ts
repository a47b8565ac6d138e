import { loadConfig } from '../config/node/load.js';
import type { AdminToken } from '../runtime/admin-token.js';
import { buildRuntime, startService } from '../runtime/node/index.js';
import { expectPositionals, parseArguments } from './args.js';
import { type CliIo, type Command, EXIT_OK } from './command.js';

const help = `Usage: margo-bridge serve [--demo] [--config PATH]

Starts the HTTP API, the job workers and the registry poll scheduler; stops gracefully on
SIGTERM or SIGINT. Settings come from environment variables and margo-bridge.yaml
(docs/configuration.md): PORT (8787), HOST (127.0.0.1), MARGO_BRIDGE_DATA_DIR (./data),
DATABASE_URL, MARGO_BRIDGE_CONFIG, MARGO_BRIDGE_ADMIN_TOKEN, MARGO_BRIDGE_SECRET_KEY,
MARGO_BRIDGE_ALLOW_PRIVATE_NETWORKS, MARGO_BRIDGE_POLL_INTERVAL, MARGO_BRIDGE_WEBHOOK_SECRET.

The first start on an empty database prints an admin token once. A lost token is regained by
starting with MARGO_BRIDGE_ADMIN_TOKEN set to a new secret: it is an admin token too.

Options:
  --demo          also serve the example package in examples/demo-package from a local
                  Git repository on 127.0.0.1 and pre-configure it as the registry 'demo';
                  a start without --demo does not poll that registry
  --config PATH   the configuration file (default: MARGO_BRIDGE_CONFIG, else ./margo-bridge.yaml)

Exit status: 0 after a graceful stop, 1 when the service cannot start (port in use, database
unreachable), 2 for a usage or configuration error.
`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the service (HTTP API, workers, poll scheduler)',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { options, positionals } = parseArguments(args, {
      demo: { type: 'boolean' },
      config: { type: 'string' },
    });
    expectPositionals(positionals, 0, 0, '');
    const { config } = loadConfig({ env: io.env, cwd: io.cwd, configPath: options.config });
    const runtime = await buildRuntime(config, { demo: options.demo });
    let service: Awaited<ReturnType<typeof startService>>;
    try {
      service = await startService(runtime);
    } catch (error) {
      await runtime.close();
      throw error;
    }
    io.stderr(banner(service.url, service.adminToken, runtime.demo?.url));
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

/** What to tell about the admin token, and the `export TOKEN=…` line the README's curl examples use. */
function tokenLines(adminToken: AdminToken): string[] {
  switch (adminToken.source) {
    case 'generated':
      return [
        '  Admin token, generated now and shown only this once (keep it):',
        `      export TOKEN=${adminToken.token}`,
      ];
    case 'environment':
      return [
        '  Admin token: the value of MARGO_BRIDGE_ADMIN_TOKEN.',
        '      export TOKEN="$MARGO_BRIDGE_ADMIN_TOKEN"',
      ];
    case 'earlier':
      return [
        '  Admin token: the one printed when this database was first started (it is not stored in clear).',
        '  Lost it? Restart with MARGO_BRIDGE_ADMIN_TOKEN=<a new secret>: that value is then an admin token too.',
        '      export TOKEN=<your admin token>',
      ];
  }
}

/** The demo deployment request the banner and README propose. */
const DEMO_DEPLOYMENT =
  '{"repository":"local","applicationId":"com-northstartida-hello-world","version":"1.0","profile":"helm","target":"demo-cluster","values":{"greeting":"Hi"}}';

export function banner(url: string, adminToken: AdminToken, demoUrl: string | undefined): string {
  const lines = [
    '',
    `  margo-bridge is running at ${url}`,
    `  API documentation:  ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
    ...tokenLines(adminToken),
  ];
  if (demoUrl !== undefined) {
    lines.push(
      `  Demonstration registry 'demo': ${demoUrl}`,
      '  The catalogue (the demo application appears within seconds):',
      `      curl -H "Authorization: Bearer $TOKEN" ${url}/api/v1/applications`,
      "  Propose the demo application to the 'local' deployment repository (ID keeps the answer's id):",
      `      ANSWER=$(curl -sS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${url}/api/v1/deployments \\`,
      `        -d '${DEMO_DEPLOYMENT}'); echo "$ANSWER"`,
      `      ID=$(echo "$ANSWER" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d '"' -f 4)`,
      '  Approve it (merges into main):',
      `      curl -X POST -H "Authorization: Bearer $TOKEN" ${url}/api/v1/deployments/$ID/approve`,
      '  Clone what a GitOps controller watches (any API token is the password):',
      `      git clone ${url.replace('://', '://token:$TOKEN@')}/git/local.git`,
    );
  }
  lines.push('  Stop with Ctrl-C.', '');
  return `${lines.join('\n')}\n`;
}
