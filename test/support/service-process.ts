/**
 * margo-bridge as a real child process, for the crash tests, the demo test and the webhook
 * benchmark. Two ways to start it:
 * - `startServiceProcess(configFile)`: `bin/margo-bridge.js serve --config FILE` (the compiled CLI
 *   when built, as users run it), resolved once it prints its URL;
 * - `spawnService(args, env)`: `node --import tsx src/cli/main.ts …` (the sources under test, never
 *   a stale build), with its JSON log lines parsed as they arrive.
 * Only the configuration a test gives reaches the service: the calling environment's margo-bridge
 * variables are removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { environmentVariables } from '../../src/config/env.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/margo-bridge.js', import.meta.url));

export interface ServiceChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the process wrote to stderr so far (the banner, crash output). */
  stderr(): string;
  /** Sends `signal` unless the process has already ended; resolves with its exit code. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Started with `startServiceProcess`: `url` is where it listens. */
export interface ServiceProcess extends ServiceChild {
  url: string;
}

/** Started with `spawnService`: its log lines, and a wait for one of them. */
export interface LoggedService extends ServiceChild {
  lines: Record<string, unknown>[];
  waitFor(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function launch(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdout: 'pipe' | 'ignore' },
): ServiceChild {
  const inherited: Record<string, string | undefined> = { ...process.env };
  for (const name of [...Object.keys(environmentVariables), 'MARGO_BRIDGE_CONFIG']) delete inherited[name];
  const child = spawn(process.execPath, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...inherited, ...options.env },
    stdio: ['ignore', options.stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Writes `config` as margo-bridge.yaml (JSON is YAML) into `dir` and returns its path. */
export async function writeServiceConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'margo-bridge.yaml');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * A fresh directory (named from `prefix`) holding `config` as margo-bridge.yaml, and the
 * environment a spawned `serve` needs for it: any free port, data below the directory, `adminToken`,
 * and `databaseUrl` when given (SQLite otherwise).
 */
export async function serviceEnvironment(
  prefix: string,
  config: Record<string, unknown>,
  options: { adminToken: string; databaseUrl?: string },
): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const env: Record<string, string> = {
    PORT: '0',
    MARGO_BRIDGE_DATA_DIR: join(dir, 'data'),
    MARGO_BRIDGE_CONFIG: await writeServiceConfig(dir, config),
    MARGO_BRIDGE_ADMIN_TOKEN: options.adminToken,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  };
  return { dir, env };
}

export async function startServiceProcess(configFile: string, timeoutMs = 30_000): Promise<ServiceProcess> {
  const service = launch([bin, 'serve', '--config', configFile], { stdout: 'ignore' });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`margo-bridge did not start within ${timeoutMs} ms:\n${service.stderr()}`)),
      timeoutMs,
    );
    // Registered after launch's own listener, so stderr() already holds this chunk.
    service.child.stderr?.on('data', () => {
      const match = /margo-bridge is running at (\S+)/.exec(service.stderr());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void service.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`margo-bridge exited with ${code} before it started:\n${service.stderr()}`));
    });
  });
  return { ...service, url };
}

export function spawnService(args: string[], env: Record<string, string>): LoggedService {
  const service = launch(['--import', 'tsx', 'src/cli/main.ts', ...args], { env, cwd: repoRoot, stdout: 'pipe' });
  const lines: Record<string, unknown>[] = [];
  const waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  createInterface({ input: service.child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (line.msg === waiter.message) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  return {
    ...service,
    lines,
    waitFor(message, timeoutMs = 30_000) {
      const seen = lines.find((line) => line.msg === message);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${message}' log line within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          message,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}
