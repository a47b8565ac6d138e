/**
 * Issue 14: the memory of one ingest inside workerd, the runtime of Cloudflare Workers (128 MB per
 * isolate). The Worker bundle that `npm run build:worker` builds runs in Miniflare (workerd
 * 2026-04-26, wrangler.toml's compatibility date and flags, its Durable Object and Queue), against
 * the real test Git server on 127.0.0.1. The release read is the largest Workers allows: a package
 * with an incompressible file, so that its pack is just under the 12 MiB edge limit
 * (EDGE_MAX_PACK_BYTES).
 *
 * workerd has no `process.memoryUsage()`, so memory is measured from outside:
 * - the resident set (VmRSS) of the workerd process, sampled every 20 ms from /proc: the service idle
 *   (started, one small release ingested) and the peak while the large release is ingested;
 * - the Worker isolate's memory (`Runtime.getHeapUsage` over workerd's inspector: V8's heap in use
 *   plus the backing stores of array buffers, where the pack's bytes live), sampled the same way.
 * The RSS covers the whole workerd process (its own code, Miniflare's helper services, the isolate),
 * so its increase, not its total, is the ingest's cost.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { WebSocket } from 'undici';
import { EDGE_MAX_PACK_BYTES } from '../src/runtime/worker/registry.js';
import { startGitServer } from '../test/support/git-server.js';
import { createRegistryRoot, helloPackage, publishRelease, removeRegistryRoot } from '../test/support/registries.js';
import { buildWorkerInto, ROOT } from '../test/support/worker-bundle.js';
import { fmt, printSection } from './lib.js';

const WORKER_NAME = 'margo-bridge';
const ADMIN_TOKEN = 'mb_bench_admin_token_0123456789abcdef';
const INSPECTOR_PORT = 9229 + Math.floor(Math.random() * 1000);
/** The large file: the pack adds its headers and the package's description, a few KiB. */
const LARGE_FILE_BYTES = EDGE_MAX_PACK_BYTES - 64 * 1024;
const SAMPLE_MS = 20;
const MiB = 1024 * 1024;

interface IsolateMemory {
  /** V8's heap in use. */
  heap: number;
  /** Backing stores of array buffers (outside the heap): where the pack's bytes live. */
  buffers: number;
}

interface Sample {
  rss: number;
  isolate: IsolateMemory | null;
}

async function workerdPid(): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
    if (match?.[1] === 'workerd' && Number(match[2]) === process.pid) return Number(entry);
  }
  throw new Error('no workerd child process found');
}

/** VmRSS (resident now) or VmHWM (the highest it has been, between samples too) of `pid`. */
async function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
}

/**
 * The Worker isolate's memory through workerd's inspector: V8's heap in use plus the backing
 * stores of its array buffers (the pack's bytes); null when it cannot be read.
 */
async function isolateReader(): Promise<() => Promise<IsolateMemory | null>> {
  try {
    const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json/list`)).json()) as {
      id: string;
      webSocketDebuggerUrl: string;
    }[];
    const target = targets.find((candidate) => candidate.id === `core:user:${WORKER_NAME}`);
    if (!target) return async () => null;
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    let next = 0;
    const waiting = new Map<number, (value: IsolateMemory | null) => void>();
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        result?: { usedSize?: number; backingStorageSize?: number };
      };
      const heap = message.result?.usedSize;
      const buffers = message.result?.backingStorageSize;
      if (message.id !== undefined)
        waiting.get(message.id)?.(heap === undefined || buffers === undefined ? null : { heap, buffers });
      if (message.id !== undefined) waiting.delete(message.id);
    });
    return () =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ id, method: 'Runtime.getHeapUsage' }));
        setTimeout(() => waiting.delete(id) && resolve(null), 1000);
      });
  } catch {
    return async () => null;
  }
}

async function main(): Promise<void> {
  const outdir = await mkdtemp(join(tmpdir(), 'workerd-memory-'));
  const root = await createRegistryRoot();
  await buildWorkerInto(outdir);
  await publishRelease(root, 'app', 'v1.0.0', await helloPackage('1.0.0'));
  const git = await startGitServer({ root });
  const mf = new Miniflare({
    name: WORKER_NAME,
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'worker.js'),
    modulesRules: [{ type: 'Text', include: ['**/*.yaml'] }],
    compatibilityDate: /compatibility_date = "([^"]+)"/.exec(await readFile(join(ROOT, 'wrangler.toml'), 'utf8'))![1],
    compatibilityFlags: ['nodejs_compat'],
    durableObjects: { BRIDGE: { className: 'BridgeObject', useSQLite: true } },
    queueProducers: { JOBS: { queueName: 'margo-bridge-jobs' } },
    queueConsumers: { 'margo-bridge-jobs': { maxBatchTimeout: 1 } },
    bindings: {
      MARGO_BRIDGE_SECRET_KEY: '0'.repeat(64),
      MARGO_BRIDGE_ADMIN_TOKEN: ADMIN_TOKEN,
      MARGO_BRIDGE_LOG_LEVEL: 'warn',
    },
    inspectorPort: INSPECTOR_PORT,
  });
  try {
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await mf.dispatchFetch(`https://bridge.bench${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    };
    const versionOf = async (id: string, tag: string) => {
      const listed = await api<{ versions: { tag: string; state: string }[] }>(
        'GET',
        `/api/v1/registries/${id}/versions`,
      );
      return listed.versions.find((version) => version.tag === tag);
    };
    const waitForVersion = async (id: string, tag: string, onTick: () => Promise<void>) => {
      const until = Date.now() + 120_000;
      for (;;) {
        const version = await versionOf(id, tag);
        if (version) return version;
        if (Date.now() > until) throw new Error(`${tag} was not ingested within 120 s`);
        await onTick();
      }
    };
    await mf.ready;
    const pid = await workerdPid();
    const isolate = await isolateReader();
    const sample = async (): Promise<Sample> => ({ rss: await statusBytes(pid, 'VmRSS'), isolate: await isolate() });
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, SAMPLE_MS));

    const registry = await api<{ id: string }>('POST', '/api/v1/registries', {
      name: 'app',
      url: git.url('app'),
      allowHttp: true,
      pollInterval: 3600,
    });
    await waitForVersion(registry.id, 'v1.0.0', pause);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle: Sample[] = [];
    for (let i = 0; i < 25; i++) {
      idle.push(await sample());
      await pause();
    }

    const idleHighWater = await statusBytes(pid, 'VmHWM');
    await publishRelease(root, 'app', 'v1.1.0', {
      ...(await helloPackage('1.1.0')),
      'large.bin': randomBytes(LARGE_FILE_BYTES),
    });
    const requestsBefore = git.requests.length;
    const during: Sample[] = [];
    const started = Date.now();
    await api('POST', `/api/v1/registries/${registry.id}/sync`);
    const version = await waitForVersion(registry.id, 'v1.1.0', async () => {
      during.push(await sample());
      await pause();
    });
    const seconds = (Date.now() - started) / 1000;
    for (let i = 0; i < 10; i++) {
      during.push(await sample());
      await pause();
    }
    const highWater = await statusBytes(pid, 'VmHWM');
    const packBytes = Math.max(...git.requests.slice(requestsBefore).map((request) => request.bytesSent));

    const idleRss = Math.max(...idle.map((entry) => entry.rss));
    const peakRss = Math.max(...during.map((entry) => entry.rss));
    const isolates = (samples: Sample[]) => samples.flatMap((entry) => (entry.isolate ? [entry.isolate] : []));
    const peak = (samples: IsolateMemory[], of: (memory: IsolateMemory) => number) => Math.max(...samples.map(of));
    const idleIsolate = isolates(idle);
    const ingestIsolate = isolates(during);
    const mib = (bytes: number) => `${fmt(bytes / MiB)} MiB`;
    const rows = [
      {
        what: 'largest pack the server sent for the release',
        value: mib(packBytes),
        baseline: mib(EDGE_MAX_PACK_BYTES),
      },
      { what: 'workerd RSS, service idle (one small release ingested)', value: mib(idleRss) },
      { what: 'workerd RSS, peak during the ingest', value: mib(peakRss) },
      { what: 'workerd RSS, increase for the ingest', value: mib(peakRss - idleRss), baseline: '128 MB' },
      {
        what: 'workerd peak RSS (VmHWM) before → after the ingest',
        value: `${mib(idleHighWater)} → ${mib(highWater)}`,
      },
    ];
    if (idleIsolate.length > 0 && ingestIsolate.length > 0) {
      const total = (memory: IsolateMemory) => memory.heap + memory.buffers;
      rows.push(
        { what: 'Worker isolate, idle: V8 heap + array buffers', value: mib(peak(idleIsolate, total)) },
        { what: 'Worker isolate, peak during the ingest: V8 heap', value: mib(peak(ingestIsolate, (m) => m.heap)) },
        {
          what: 'Worker isolate, peak during the ingest: array buffers',
          value: mib(peak(ingestIsolate, (m) => m.buffers)),
        },
        {
          what: 'Worker isolate, peak during the ingest: both',
          value: mib(peak(ingestIsolate, total)),
          baseline: '128 MB',
        },
      );
    }
    printSection('Workers: memory of one ingest inside workerd (12 MiB pack)', rows, [
      `The Worker bundle of \`npm run build:worker\` in Miniflare (workerd, nodejs_compat), one Durable Object on SQLite, against git http-backend on 127.0.0.1. The release: the hello-world package plus ${mib(LARGE_FILE_BYTES)} of random bytes, so that its pack is just under the edge limit; read in ${fmt(seconds)} s, stored as \`${version.state}\`.`,
      `Memory sampled from outside every ${SAMPLE_MS} ms (${during.length} samples during the ingest): VmRSS of the workerd process from /proc (and its VmHWM, the kernel's high-water mark, which catches peaks between samples), and \`Runtime.getHeapUsage\` of the Worker's isolate over workerd's inspector (V8's heap in use plus array buffers' backing stores, where the pack's bytes live; what Workers' 128 MB limit counts is closest to this). The RSS is the whole process (workerd itself, Miniflare's helper services, the isolate), so the increase is what the ingest cost; one run, a fresh process.`,
    ]);
  } finally {
    await mf.dispose();
    await git.stop();
    await removeRegistryRoot(root);
    await rm(outdir, { recursive: true, force: true });
  }
}

await main();
