/**
 * Reads the configuration for the Node runtime: `MARGO_BRIDGE_CONFIG` (or `--config`) names the
 * YAML file; without it `./margo-bridge.yaml` is used when it exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BridgeError } from '../../errors.js';
import { resolveConfig } from '../resolve.js';
import type { Config } from '../schema.js';

export interface LoadOptions {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Explicit file path (from the command line); wins over MARGO_BRIDGE_CONFIG. */
  configPath?: string;
}

export function loadConfig(options: LoadOptions): { config: Config; configPath: string | undefined } {
  const explicit = options.configPath ?? options.env.MARGO_BRIDGE_CONFIG;
  const configPath =
    explicit !== undefined && explicit !== ''
      ? path.resolve(options.cwd, explicit)
      : existsSync(path.join(options.cwd, 'margo-bridge.yaml'))
        ? path.join(options.cwd, 'margo-bridge.yaml')
        : undefined;
  let file: unknown;
  if (configPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (error) {
      throw new BridgeError('CONFIG_INVALID', `cannot read configuration file ${configPath}: ${reason(error)}`);
    }
    try {
      file = parse(text, { prettyErrors: true }) ?? {};
    } catch (error) {
      throw new BridgeError('CONFIG_INVALID', `${configPath}: not valid YAML: ${reason(error)}`);
    }
  }
  const config = resolveConfig({ file, fileName: configPath ?? 'margo-bridge.yaml', env: options.env });
  return { config: { ...config, dataDir: path.resolve(options.cwd, config.dataDir) }, configPath };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
