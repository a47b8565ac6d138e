/**
 * margo-bridge as a real child process (`bin/margo-bridge.js serve --config FILE`), for the crash
 * test and the webhook benchmark: started, waited for until it prints its URL, killed or stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentVariables } from '../../src/config/env.js';

const bin = fileURLToPath(new URL('../../bin/margo-bridge.js', import.meta.url));

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (the banner, crash output). */
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Writes `config` as margo-bridge.yaml (JSON is YAML) into `dir` and returns its path. */
export async function writeServiceConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'margo-bridge.yaml');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

export async function startServiceProcess(configFile: string, timeoutMs = 30_000): Promise<ServiceProcess> {
  const env = { ...process.env };
  // The configuration file alone decides: no variable of the calling environment leaks in.
  for (const name of Object.keys(environmentVariables)) delete env[name];
  delete env.MARGO_BRIDGE_CONFIG;
  const child = spawn(process.execPath, [bin, 'serve', '--config', configFile], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`margo-bridge did not start within ${timeoutMs} ms:\n${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /margo-bridge is running at (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`margo-bridge exited with ${code} before it started:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
