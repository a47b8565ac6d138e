/**
 * The environment variables of margo-bridge (a fixed contract used by deployment scripts) and the
 * configuration keys they set. Values arrive as strings and are converted here, so a bad value is
 * reported with the variable's name.
 */
import { BridgeError } from '../errors.js';

type Converter = (raw: string, variable: string) => unknown;

const text: Converter = (raw) => raw;
const integer: Converter = (raw, variable) => {
  if (!/^\d+$/.test(raw.trim())) throw invalid(variable, `'${raw}' is not a whole number`);
  return Number.parseInt(raw, 10);
};
const boolean: Converter = (raw, variable) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no', ''].includes(value)) return false;
  throw invalid(variable, `'${raw}' is not true or false`);
};
const list: Converter = (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** Variable → configuration path and converter. Secrets are never echoed in errors. */
export const environmentVariables: Record<string, { path: string[]; convert: Converter; secret?: boolean }> = {
  PORT: { path: ['port'], convert: integer },
  HOST: { path: ['host'], convert: text },
  MARGO_BRIDGE_DATA_DIR: { path: ['dataDir'], convert: text },
  DATABASE_URL: { path: ['databaseUrl'], convert: text, secret: true },
  MARGO_BRIDGE_ADMIN_TOKEN: { path: ['adminToken'], convert: text, secret: true },
  MARGO_BRIDGE_SECRET_KEY: { path: ['secretKey'], convert: text, secret: true },
  MARGO_BRIDGE_ALLOW_PRIVATE_NETWORKS: { path: ['allowPrivateNetworks'], convert: boolean },
  MARGO_BRIDGE_POLL_INTERVAL: { path: ['polling', 'interval'], convert: integer },
  MARGO_BRIDGE_WEBHOOK_SECRET: { path: ['webhooks', 'secrets'], convert: list, secret: true },
  MARGO_BRIDGE_LOG_LEVEL: { path: ['logLevel'], convert: text },
  MARGO_BRIDGE_SHUTDOWN_TIMEOUT: { path: ['shutdownTimeout'], convert: integer },
  MARGO_BRIDGE_MAX_PACK_BYTES: { path: ['ingest', 'maxPackBytes'], convert: integer },
  MARGO_BRIDGE_POLL_CONCURRENCY: { path: ['polling', 'concurrency'], convert: integer },
  MARGO_BRIDGE_JOB_CONCURRENCY: { path: ['jobs', 'concurrency'], convert: integer },
};

function invalid(variable: string, problem: string): BridgeError {
  const secret = environmentVariables[variable]?.secret === true;
  return new BridgeError('CONFIG_INVALID', `environment variable ${variable}: ${secret ? 'invalid value' : problem}`, {
    source: 'environment',
    variable,
  });
}

/** The configuration keys set by `env`, as a nested object; empty variables count as unset. */
export function readEnvironment(env: Record<string, string | undefined>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [variable, { path, convert }] of Object.entries(environmentVariables)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    setPath(result, path, convert(raw, variable));
  }
  return result;
}

/** The variable that sets a configuration path, when there is one. */
export function variableFor(path: (string | number)[]): string | undefined {
  const key = path.join('.');
  for (const [variable, entry] of Object.entries(environmentVariables)) {
    if (entry.path.join('.') === key) return variable;
  }
  return undefined;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}
