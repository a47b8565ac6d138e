/**
 * Issue 10, item 4: what reading one package of a monorepo costs when a large unrelated file sits
 * beside it (a 50 MB incompressible blob outside the package's sub-path; the package itself is its
 * description, resources and 5 MB of data files), on the same local
 * smart-HTTP server (git http-backend):
 * - margo-bridge `readRelease` with its sub-path, disk storage and empty cache, against a server
 *   offering partial clones (`uploadpack.allowFilter`, as the big forges do) and one without;
 * - native `git clone --depth 1 --filter=blob:none --sparse` plus `git sparse-checkout set` of the
 *   package directory (which fetches the package's blobs), on the partial-clone server.
 * Memory: peak RSS of a fresh process doing the read once (`--child`), minus the same process idle
 * (modules loaded); git: the peak RSS of its largest process (`/usr/bin/time -f %M`), summed over
 * the two commands as the larger of both. Bytes: what the server sent (its request log).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RegistryConnection } from '../src/registry/interface.js';
import { createNodeHttpClient } from '../src/registry/node/http-client.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { objectsFetchRequest } from '../src/registry/protocol.js';
import { type GitServer, startGitServer } from '../test/support/git-server.js';
import {
  bareRepositoryPath,
  bulkFiles,
  createRegistryRoot,
  exampleText,
  fixturePackage,
  git,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from '../test/support/registries.js';
import { type BenchRow, fmt, median, printSection } from './lib.js';

const run = promisify(execFile);
const SUB_PATH = 'packages/app';
const UNRELATED_BYTES = 50 * 1000 * 1000;
const RUNS = 5;
/** The package's blob ids, written by the bench for the `download` child. */
const BLOB_LIST = 'package-blobs.txt';

/**
 * `read-100`: with `maxPackBytes` raised to 100 MiB, to measure the whole-tree fallback at all;
 * `read-gc`: a full garbage collection every 3 ms (`--expose-gc`), so the peak shows what the read
 * holds live rather than garbage the collector has not reached yet; `download`: only Node's HTTP
 * client receiving the package's blobs (the reader's second request), the bytes discarded.
 */
type ChildMode = 'baseline' | 'read' | 'read-100' | 'read-gc' | 'download';

/** Node flags for every measuring process (`BENCH_NODE_FLAGS`, space-separated), e.g. `--max-semi-space-size=2`. */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
/** Young-generation sizes (MiB, `--max-semi-space-size`) measured beside V8's default (`BENCH_SEMI_SPACE`). */
const SEMI_SPACE_SIZES = (process.env.BENCH_SEMI_SPACE ?? '1,2,4').split(',').filter(Boolean).map(Number);

interface ChildResult {
  peak: number;
  fetched: number;
  /** Wall time of the read alone (ms), modules already loaded. */
  readMs: number;
  error?: string;
}

async function childPeak(
  mode: ChildMode,
  url: string,
  scratch: string,
  extraFlags: string[] = [],
): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const flags = [...NODE_FLAGS, ...extraFlags, ...(mode === 'read-gc' ? ['--expose-gc'] : [])];
  const { stdout } = await run(process.execPath, [...flags, '--import', 'tsx', self, '--child', mode, url, scratch], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as ChildResult;
}

async function child(mode: ChildMode, url: string, scratch: string): Promise<void> {
  const reader = createNodeRegistryReader({
    storage: { kind: 'disk', dir: join(scratch, `child-${process.pid}`) },
    allowPrivateNetworks: true,
    ...(mode === 'read-100' ? { maxPackBytes: 100 * 2 ** 20 } : {}),
  });
  const registry: RegistryConnection = { url, allowHttp: true, auth: { type: 'none' }, subPath: SUB_PATH };
  let fetched = 0;
  let error: string | undefined;
  const collect = (globalThis as { gc?: () => void }).gc;
  const collector = mode === 'read-gc' && collect ? setInterval(collect, 3) : undefined;
  const started = performance.now();
  try {
    if (mode === 'download') fetched = await downloadBlobs(url, scratch);
    else if (mode !== 'baseline') fetched = (await reader.readRelease(registry, 'v1.0.0')).fetchedBytes ?? 0;
  } catch (caught) {
    error = (caught as { code?: string }).code ?? String(caught);
  } finally {
    clearInterval(collector);
  }
  const readMs = performance.now() - started;
  const status = await readFile('/proc/self/status', 'utf8');
  const kilobytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  process.stdout.write(JSON.stringify({ peak: kilobytes * 1024, fetched, readMs, ...(error ? { error } : {}) }));
}

/** The fetch of the package's blobs by id through the Node HTTP client, every chunk dropped. */
async function downloadBlobs(url: string, scratch: string): Promise<number> {
  const ids = (await readFile(join(scratch, BLOB_LIST), 'utf8')).split('\n').filter(Boolean);
  const http = createNodeHttpClient({ allowPrivateNetworks: true, allowHttp: true });
  try {
    const response = await http.client.request({
      url: `${url}/git-upload-pack`,
      method: 'POST',
      headers: { 'content-type': 'application/x-git-upload-pack-request', 'git-protocol': 'version=2' },
      body: (async function* () {
        yield objectsFetchRequest(ids);
      })(),
    });
    let received = 0;
    for await (const chunk of response.body ?? []) received += chunk.length;
    return received;
  } finally {
    http.close();
  }
}

async function nativeGit(server: GitServer, args: string[], cwd?: string): Promise<number> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'maxrss=%M', 'git', ...args], {
    env: server.nativeGitEnv(),
    maxBuffer: 16 * 1024 * 1024,
    ...(cwd ? { cwd } : {}),
  });
  const match = /maxrss=(\d+)/.exec(stderr);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function sentBytes(server: GitServer): Promise<number> {
  await server.settled();
  return server.requests.reduce((sum, request) => sum + request.bytesSent, 0);
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 2)} MB`;
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

async function main() {
  const root = await createRegistryRoot();
  const scratch = await mkdtemp(join(tmpdir(), 'margo-bridge-bench-ingest-'));
  const partial = await startGitServer({ root });
  const whole = await startGitServer({ root, allowFilter: false });
  try {
    const description = withVersion(await exampleText(helloExample), '1.0.0');
    const files: Record<string, string | Uint8Array> = {
      'big/unrelated.bin': randomBytes(UNRELATED_BYTES),
      [`${SUB_PATH}/margo.yaml`]: description,
    };
    let packageBytes = Buffer.byteLength(description);
    // The package: the description, its resources and 5 MB of data files (incompressible).
    const packageFiles = { ...(await fixturePackage('resources')), ...bulkFiles(20, 5 * 1000 * 1000) };
    for (const [path, content] of Object.entries(packageFiles)) {
      if (typeof content !== 'string' && !(content instanceof Uint8Array)) continue;
      files[`${SUB_PATH}/${path}`] = content;
      packageBytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    }
    await publishRelease(root, 'mono', 'v1.0.0', files);
    const listing = await git(['--git-dir', bareRepositoryPath(root, 'mono'), 'ls-tree', '-r', 'v1.0.0', SUB_PATH]);
    const blobs = listing.split('\n').map((line) => line.split(/\s+/)[2]);
    await writeFile(join(scratch, BLOB_LIST), blobs.join('\n'));

    const measure = async (server: GitServer, mode: ChildMode = 'read', flags: string[] = []) => {
      const peaks: number[] = [];
      const baselines: number[] = [];
      const fetched: number[] = [];
      const sent: number[] = [];
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        baselines.push((await childPeak('baseline', server.url('mono'), scratch, flags)).peak);
        server.clearRequests();
        const result = await childPeak(mode, server.url('mono'), scratch, flags);
        if (result.error) throw new Error(`read failed: ${result.error}`);
        sent.push(await sentBytes(server));
        peaks.push(result.peak);
        fetched.push(result.fetched);
        times.push(result.readMs);
      }
      return {
        growth: median(peaks) - median(baselines),
        fetched: median(fetched),
        sent: median(sent),
        readMs: median(times),
      };
    };
    const filtered = await measure(partial);
    const unfiltered = await measure(whole, 'read-100');
    const semiSpace = [];
    for (const size of SEMI_SPACE_SIZES) {
      const flags = [`--max-semi-space-size=${size}`];
      semiSpace.push({
        size,
        partial: await measure(partial, 'read', flags),
        whole: await measure(whole, 'read-100', flags),
      });
    }
    const live = await measure(partial, 'read-gc');
    const download = await measure(partial, 'download');
    const refused = await childPeak('read', whole.url('mono'), scratch);

    const nativePeaks: number[] = [];
    const nativeSent: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const target = join(scratch, `clone-${i}`);
      partial.clearRequests();
      const clone = await nativeGit(partial, [
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--branch',
        'v1.0.0',
        '--filter=blob:none',
        '--sparse',
        partial.url('mono'),
        target,
      ]);
      const sparse = await nativeGit(partial, ['sparse-checkout', 'set', SUB_PATH], target);
      nativeSent.push(await sentBytes(partial));
      nativePeaks.push(Math.max(clone, sparse));
    }

    const rows: BenchRow[] = [
      {
        what: `package's own files (${SUB_PATH})`,
        value: kb(packageBytes),
        baseline: `unrelated file beside it: ${mb(UNRELATED_BYTES)}`,
      },
      {
        what: 'bytes from the server, partial-clone server',
        value: kb(filtered.sent),
        baseline: `${kb(median(nativeSent))} (git clone --depth 1 --filter=blob:none --sparse + sparse-checkout set)`,
        ratio: `${fmt(filtered.sent / median(nativeSent), 2)}×`,
      },
      {
        what: 'bytes received (reader count) / package size',
        value: kb(filtered.fetched),
        baseline: kb(packageBytes),
        ratio: `${fmt(filtered.fetched / packageBytes, 2)}×`,
      },
      {
        what: 'peak memory above the idle process, partial-clone server',
        value: mb(filtered.growth),
        baseline: `${mb(median(nativePeaks))} (git, peak RSS of the larger command)`,
        ratio: `${fmt(filtered.growth / packageBytes, 1)}× the package`,
      },
      ...semiSpace.map(({ size, partial: read, whole: fallback }) => ({
        what: `the same with \`--max-semi-space-size=${size}\` (MiB): peak above idle; read time, and the 100 MiB fallback's`,
        value: `${mb(read.growth)}; ${fmt(read.readMs, 0)} ms; fallback ${fmt(fallback.readMs, 0)} ms, ${mb(fallback.growth)}`,
        baseline: `V8's default: ${fmt(filtered.readMs, 0)} ms; fallback ${fmt(unfiltered.readMs, 0)} ms, ${mb(unfiltered.growth)}`,
        ratio: `${fmt(read.growth / packageBytes, 1)}× the package; time ${fmt(read.readMs / filtered.readMs, 2)}×, fallback ${fmt(fallback.readMs / unfiltered.readMs, 2)}×`,
      })),
      {
        what: 'the same with a full GC every 3 ms (what the read holds live)',
        value: mb(live.growth),
        baseline: 'the rest above is garbage not yet collected',
        ratio: `${fmt(live.growth / packageBytes, 1)}× the package`,
      },
      {
        what: "Node's HTTP client alone receiving the same blobs (bytes dropped): peak above idle",
        value: mb(download.growth),
        baseline: `${kb(download.fetched)} received`,
        ratio: `${fmt(download.growth / packageBytes, 1)}× the package`,
      },
      {
        what: 'fallback, server without filter, default ingest.maxPackBytes (24 MiB)',
        value: refused.error === undefined ? 'read' : `refused: ${refused.error}`,
        baseline: 'the whole depth-1 tree is about 50 MB',
      },
      {
        what: 'fallback with maxPackBytes 100 MiB: bytes from the server',
        value: mb(unfiltered.sent),
        baseline: mb(UNRELATED_BYTES),
      },
      {
        what: 'fallback with maxPackBytes 100 MiB: peak memory above idle',
        value: mb(unfiltered.growth),
        baseline: `${mb(unfiltered.sent)} pack`,
        ratio: `${fmt(unfiltered.growth / unfiltered.sent, 1)}× the pack`,
      },
    ];
    printSection('Ingest memory and bytes: one package of a monorepo with a 50 MB unrelated file', rows, [
      `Median of ${RUNS} fresh processes each; disk storage, empty cache. Peak memory is VmHWM of the reading process minus the same process idle; differences under about 1 MB are noise (the package is ${kb(packageBytes)}). The GC row is the same read with \`--expose-gc\` and a full collection every 3 ms: what the read holds live; the rest is garbage V8 has not collected yet, most of it the buffers Node's HTTP client allocates while receiving (the row after it: that client alone on the same request). Packs are indexed from the staging file and read by ranges (src/registry/pack/): no pack is held in memory.`,
      `The \`--max-semi-space-size\` rows run the same reads (and their idle processes) with V8's young generation capped at that many MiB (\`BENCH_SEMI_SPACE\`, default 1,2,4; V8's own cap is 16 MiB): a smaller young generation is collected sooner, so less garbage is resident at the peak. Their times are the read alone, modules loaded, against the default's in the same run; the fallback's (indexing a 52 MB pack) is the CPU-bound one. The service runs with 1 MiB unless NODE_OPTIONS says otherwise (docs/limits.md). \`BENCH_NODE_FLAGS\` adds flags to every measuring process.`,
    ]);
  } finally {
    await partial.stop();
    await whole.stop();
    await removeRegistryRoot(root);
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as ChildMode, process.argv[4]!, process.argv[5]!);
} else {
  await main();
}
