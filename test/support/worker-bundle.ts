/**
 * Builds the Workers bundle the way `npm run build:worker` does (`wrangler deploy --dry-run`,
 * no account needed) and measures it: Workers refuse a Worker above their size limit, and the
 * project's goal is 1 MiB gzipped.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

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

export async function buildWorkerBundle(): Promise<WorkerBundle> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'worker-bundle-'));
  try {
    const log = await run(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir]);
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

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`wrangler exited with ${code}:\n${output}`));
    });
  });
}
