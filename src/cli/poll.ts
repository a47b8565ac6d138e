import { loadConfig } from '../config/node/load.js';
import { createHandlers } from '../flows/handlers.js';
import { pollRound } from '../flows/round.js';
import { buildRuntime } from '../runtime/node/index.js';
import { expectPositionals, parseArguments } from './args.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK } from './command.js';

const help = `Usage: margo-bridge poll [--registry NAME]... [--config PATH]

Runs one poll round and exits, for external schedulers (cron, Kubernetes CronJob): lists the
releases of every registry (or only the named ones), ingests the new ones, and prints a summary.
Uses the same settings and database as 'serve'. Exit code 1 when a registry could not be polled.
A registry that another process is polling at that moment is not polled again but reported as
deferred (exit code 0): that process polls it once more when it is done.
`;

export const pollCommand: Command = {
  name: 'poll',
  summary: 'poll every registry once, ingest new releases, and exit',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { options, positionals } = parseArguments(args, {
      registry: { type: 'string', multiple: true },
      config: { type: 'string' },
    });
    expectPositionals(positionals, 0, 0, '');
    const names = options.registry;
    const configPath = options.config;
    const { config } = loadConfig({ env: io.env, cwd: io.cwd, configPath });
    const runtime = await buildRuntime(config);
    try {
      const { services } = runtime;
      const registries = await services.store.registries.list();
      const unknown = names.filter((name) => !registries.some((registry) => registry.name === name));
      if (unknown.length > 0) {
        io.stderr(`margo-bridge poll: no registry named ${unknown.map((name) => `'${name}'`).join(', ')}\n`);
        return EXIT_INVALID;
      }
      const demo = registries.filter((registry) => registry.demo && names.includes(registry.name));
      if (demo.length > 0) {
        io.stderr(
          `margo-bridge poll: '${demo[0]?.name}' is the demonstration registry; only serve --demo (npm start) serves it\n`,
        );
        return EXIT_INVALID;
      }
      // The demonstration registry is served only while `serve --demo` runs (runtime/demo-state.ts).
      const selected =
        names.length === 0 ? registries.filter((r) => !r.demo) : registries.filter((r) => names.includes(r.name));
      const summary = await pollRound(services, createHandlers(services), {
        registryIds: selected.map((registry) => registry.id),
        concurrency: config.polling.concurrency,
      });
      const byId = new Map(selected.map((registry) => [registry.id, registry.name]));
      io.stdout(
        `polled ${summary.polled} registries: ${summary.newReleases} new releases, ${summary.jobsRun} jobs run, ${summary.failed.length} failed, ${summary.deferred.length} deferred\n`,
      );
      for (const failure of summary.failed) {
        io.stdout(`  ${byId.get(failure.registryId)}: ${failure.code}: ${failure.message}\n`);
      }
      for (const registryId of summary.deferred) {
        io.stdout(`  ${byId.get(registryId)}: deferred: another process is polling it and polls once more when done\n`);
      }
      for (const registryId of summary.missing) {
        io.stdout(`  ${byId.get(registryId)}: deleted while the round ran; not polled\n`);
      }
      return summary.failed.length === 0 ? EXIT_OK : EXIT_INVALID;
    } finally {
      await runtime.close();
    }
  },
};
