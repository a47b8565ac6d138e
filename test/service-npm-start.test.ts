/**
 * `npm start` under a process manager: SIGTERM to npm must stop the service too (the start
 * script hands the process over to node with exec, so the signal reaches it), never leave it
 * serving as an orphan.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentVariables } from '../src/config/env.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (npm → node, or npm → sh → node). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    // ps exits 1 when there are none.
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('npm start', () => {
  let dir: string | undefined;
  let started: number[] = [];

  afterAll(async () => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops the service when npm gets SIGTERM', { timeout: 90_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'mb-npm-start-'));
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of [...Object.keys(environmentVariables), 'MARGO_BRIDGE_CONFIG', 'NODE_OPTIONS']) delete env[name];
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...env, PORT: '0', MARGO_BRIDGE_DATA_DIR: join(dir, 'data'), MARGO_BRIDGE_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    npm.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    started = [npm.pid ?? 0];
    const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    const listening = await new Promise<{ url: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen within 60 s:\n${stderr}`)), 60_000);
      npm.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start ended with ${code} before it listened:\n${stderr}`));
      });
      createInterface({ input: npm.stdout }).on('line', (text) => {
        if (!text.startsWith('{')) return;
        const line = JSON.parse(text) as { msg?: string; url?: string };
        if (line.msg === 'margo-bridge listening' && line.url !== undefined) {
          clearTimeout(timer);
          resolve({ url: line.url });
        }
      });
    });
    const below = descendants(npm.pid ?? 0);
    started = [npm.pid ?? 0, ...below];
    expect(below.length).toBeGreaterThan(0);
    expect((await fetch(`${listening.url}/healthz`)).ok).toBe(true);
    // The service's default young generation (docs/limits.md "Reading packages"), set where NODE_OPTIONS is unset.
    const environments = below.map((pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'));
    expect(environments.some((variables) => variables.includes('NODE_OPTIONS=--max-semi-space-size=1'))).toBe(true);

    npm.kill('SIGTERM');
    await Promise.race([npmExited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    expect(await until(() => below.every((pid) => !alive(pid)), 30_000)).toBe(true);
    await expect(fetch(`${listening.url}/healthz`)).rejects.toThrow();
  });
});
