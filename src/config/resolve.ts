/**
 * Merges the parsed configuration file and the environment (the environment wins) and validates
 * the result with the one schema. Errors name each bad key with its path and where it came from.
 */
import type { z } from 'zod';
import { BridgeError } from '../errors.js';
import { readEnvironment, variableFor } from './env.js';
import { type Config, configSchema } from './schema.js';

export interface ConfigSources {
  /** The parsed YAML file (any value: it is validated here); undefined when there is no file. */
  file?: unknown;
  /** Name shown in errors, e.g. the file's path. */
  fileName?: string;
  env: Record<string, string | undefined>;
}

export function resolveConfig(sources: ConfigSources): Config {
  const fileName = sources.fileName ?? 'margo-bridge.yaml';
  const file = sources.file ?? {};
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw new BridgeError('CONFIG_INVALID', `${fileName}: the top level must be a mapping of keys`, {
      source: fileName,
    });
  }
  const fromEnv = readEnvironment(sources.env);
  const merged = mergeDeep(file as Record<string, unknown>, fromEnv);
  const parsed = configSchema.safeParse(merged);
  if (parsed.success) {
    const names = new Set<string>();
    for (const registry of parsed.data.registries) {
      if (names.has(registry.name)) {
        throw new BridgeError('CONFIG_INVALID', `${fileName}: registries: the name '${registry.name}' is used twice`);
      }
      names.add(registry.name);
    }
    return parsed.data;
  }
  const problems = parsed.error.issues.map((issue) => describeIssue(issue, fileName, fromEnv));
  throw new BridgeError('CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, { problems });
}

function describeIssue(issue: z.core.$ZodIssue, fileName: string, fromEnv: Record<string, unknown>): string {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${fileName}: ${[...path, key].join('.')}: unknown key`).join('\n  ');
  }
  const variable = variableFor(path);
  const source = variable !== undefined && hasPath(fromEnv, path) ? `environment variable ${variable}` : fileName;
  const where = path.length > 0 ? path.join('.') : '(top level)';
  return `${source}: ${where}: ${issue.message}`;
}

function hasPath(value: Record<string, unknown>, path: (string | number)[]): boolean {
  let node: unknown = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return true;
}

function mergeDeep(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    if (isPlainObject(current) && isPlainObject(value)) result[key] = mergeDeep(current, value);
    else result[key] = value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
