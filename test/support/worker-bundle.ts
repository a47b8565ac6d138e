/**
 * Builds the Workers bundle the way `npm run build:worker` does (`wrangler deploy --dry-run`,
 * no account needed) and measures it: Workers refuse a Worker above their size limit, and the
 * project's goal is 1 MiB gzipped.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The goal of issue 14, stricter than Workers' own limits (3 MiB free, 10 MiB paid, gzipped). */
export const WORKER_GZIP_LIMIT = 1024 * 1024;

export interface WorkerBundle {
  bytes: number;
  gzipBytes: number;
  /** Node modules the bundle still imports (served by workerd under nodejs_compat). */
  nodeImports: string[];
  /** wrangler's own output (bindings, sizes). */
  log: string;
}

/**
 * Builds the bundle into `outdir` (worker.js and the templates beside it) from the top-level
 * wrangler.toml or `config`; returns wrangler's output (the bindings it would deploy).
 */
export function buildWorkerInto(outdir: string, config?: string): Promise<string> {
  const args = ['deploy', '--dry-run', '--outdir', outdir, ...(config ? ['--config', config] : [])];
  return run(path.join(ROOT, 'node_modules/.bin/wrangler'), args);
}

export async function buildWorkerBundle(): Promise<WorkerBundle> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'worker-bundle-'));
  try {
    const log = await buildWorkerInto(outdir);
    const code = await readFile(path.join(outdir, 'worker.js'));
    const text = code.toString('utf8');
    const nodeImports = [...text.matchAll(/(?:from|import\(|require\()\s*"((?:node:)?[a-z_/]+)"/g)]
      .map((match) => match[1]!)
      .filter((name) => name.startsWith('node:') || NODE_BARE.has(name));
    return {
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      nodeImports: [...new Set(nodeImports)].sort(),
      log,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

const NODE_BARE = new Set([
  'buffer',
  'crypto',
  'events',
  'fs',
  'path',
  'stream',
  'util',
  'os',
  'net',
  'tls',
  'http',
  'https',
  'zlib',
]);

async function run(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`wrangler failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}
