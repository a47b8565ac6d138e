import { loadConfig } from '../config/load.js';
import { isBridgeError } from '../errors.js';
import { createHandlers } from '../flows/handlers.js';
import { pollRound } from '../flows/round.js';
import { buildRuntime } from '../runtime/node.js';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './command.js';

const help = `margo-bridge poll [--registry NAME]... [--config PATH]

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
    const names: string[] = [];
    let configPath: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const value = args[i + 1];
      if ((arg === '--registry' || arg === '--config') && value === undefined) {
        io.stderr(`margo-bridge poll: ${arg} needs a value\n\n${help}`);
        return EXIT_USAGE;
      }
      if (arg === '--registry') names.push(args[++i]!);
      else if (arg === '--config') configPath = args[++i]!;
      else {
        io.stderr(`margo-bridge poll: unknown option '${arg}'\n\n${help}`);
        return EXIT_USAGE;
      }
    }
    try {
      const { config } = loadConfig({ env: io.env, cwd: io.cwd, configPath });
      const runtime = await buildRuntime(config, { generateAdminToken: false });
      try {
        const { services } = runtime;
        const registries = await services.store.registries.list();
        const unknown = names.filter((name) => !registries.some((registry) => registry.name === name));
        if (unknown.length > 0) {
          io.stderr(`margo-bridge poll: no registry named ${unknown.map((name) => `'${name}'`).join(', ')}\n`);
          return EXIT_INVALID;
        }
        const selected = names.length === 0 ? registries : registries.filter((r) => names.includes(r.name));
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
          io.stdout(
            `  ${byId.get(registryId)}: deferred: another process is polling it and polls once more when done\n`,
          );
        }
        for (const registryId of summary.missing) {
          io.stdout(`  ${byId.get(registryId)}: deleted while the round ran; not polled\n`);
        }
        return summary.failed.length === 0 ? EXIT_OK : EXIT_INVALID;
      } finally {
        await runtime.close();
      }
    } catch (error) {
      if (isBridgeError(error)) {
        io.stderr(`margo-bridge poll: ${error.message}\n`);
        return EXIT_INVALID;
      }
      throw error;
    }
  },
};
