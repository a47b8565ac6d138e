/**
 * The configuration on Workers: the same schema as on Node, read from the Worker's bindings
 * (variables and secrets under the same names as the environment variables, plus the YAML of
 * `margo-bridge.yaml` in MARGO_BRIDGE_CONFIG_YAML). What Workers cannot do is refused here, all
 * problems at once, when the entry's module is evaluated (runtime/worker.ts): the Worker does not start.
 */
import { parse } from 'yaml';
import { resolveConfig } from '../../config/resolve.js';
import type { Config } from '../../config/schema.js';
import { BridgeError } from '../../errors.js';

/** The variable holding the YAML text of `margo-bridge.yaml` (Workers have no files). */
export const CONFIG_YAML_VARIABLE = 'MARGO_BRIDGE_CONFIG_YAML';

export function workerConfig(bindings: object): Config {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindings)) if (typeof value === 'string') env[name] = value;
  let file: unknown;
  const yaml = env[CONFIG_YAML_VARIABLE];
  if (yaml !== undefined && yaml.trim() !== '') {
    try {
      file = parse(yaml, { prettyErrors: true }) ?? {};
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new BridgeError('CONFIG_INVALID', `${CONFIG_YAML_VARIABLE}: not valid YAML: ${reason}`);
    }
  }
  const config = resolveConfig({ file, fileName: CONFIG_YAML_VARIABLE, env });
  const problems = unsupportedOnWorkers(config);
  if (problems.length > 0) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `this configuration needs the container (Workers cannot do it):\n  ${problems.join('\n  ')}`,
      { problems },
    );
  }
  return withinEdgeMemory(config);
}

/** Bytes of unverified webhook bodies held at once on Workers: one largest body (the schema's minimum). */
export const EDGE_BODY_BUDGET = 25 * 1024 * 1024;

/**
 * One object has 128 MB for everything: one job besides the polls at a time (an ingest holds its
 * pack in memory storage, at most 12 MiB: registry.ts) and one largest webhook body being verified.
 */
function withinEdgeMemory(config: Config): Config {
  return {
    ...config,
    jobs: { ...config.jobs, concurrency: 1 },
    webhooks: {
      ...config.webhooks,
      unverifiedBodyBudget: Math.min(config.webhooks.unverifiedBodyBudget, EDGE_BODY_BUDGET),
    },
  };
}

/** Settings Workers cannot honour, each with its path and the reason. */
export function unsupportedOnWorkers(config: Config): string[] {
  const problems: string[] = [];
  if (config.secretKey === undefined) {
    problems.push(
      'MARGO_BRIDGE_SECRET_KEY: required on Workers (there is no data directory for a key file); set it with `wrangler secret put`',
    );
  }
  if (config.adminToken === undefined) {
    problems.push(
      'MARGO_BRIDGE_ADMIN_TOKEN: required on Workers (a generated token would have to be printed to the logs); set it with `wrangler secret put`',
    );
  }
  if (config.databaseUrl !== undefined) {
    problems.push(
      'DATABASE_URL: Workers reach PostgreSQL through a Hyperdrive binding named HYPERDRIVE (wrangler.toml, `wrangler hyperdrive create`), not a connection URL',
    );
  }
  if (config.allowPrivateNetworks) {
    problems.push('allowPrivateNetworks: Workers reach only public addresses, and cannot resolve names to check them');
  }
  config.registries.forEach((registry, index) => {
    for (const key of ['caCert', 'clientCert', 'clientKey'] as const) {
      if (registry[key] !== undefined) {
        problems.push(
          `registries[${index}] (${registry.name}).${key}: Workers cannot use a private CA or client certificate`,
        );
      }
    }
  });
  config.deploymentRepositories.forEach((repository, index) => {
    if (repository.provider === 'local') {
      problems.push(`deploymentRepositories[${index}] (${repository.name}): 'local' repositories need a disk`);
    }
    if (repository.provider === 'git') {
      for (const key of ['caCert', 'clientCert', 'clientKey'] as const) {
        if (repository.git[key] !== undefined) {
          problems.push(
            `deploymentRepositories[${index}] (${repository.name}).git.${key}: Workers cannot use a private CA or client certificate`,
          );
        }
      }
    }
  });
  return problems;
}
