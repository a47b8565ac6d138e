/**
 * Registry access in-process (isomorphic-git + margo-bridge's protocol-v2 fetch) against native git
 * on the same local smart-HTTP server (git http-backend) and the same repositories:
 * - listing tags: `listReleases` vs `git ls-remote --tags`
 * - fetching one tag of a 5 MB, 200-file package: `readRelease` (memory and disk storage, empty
 *   cache each run) vs `git clone --depth 1 --branch TAG --no-checkout`
 * - bytes sent by the server for each (from the server's request log), and for the 2,000-ref
 *   repository the bytes of the full v0 ref advertisement that the listing avoids.
 * Time: medians of RUNS runs after a warm-up, margo-bridge inside this running process. Memory: the
 * peak RSS of a fresh Node process performing the operation once (this file with `--child`), against
 * the peak RSS of the largest git process (`/usr/bin/time -f %M`). Native git times include process
 * start-up, which is its real cost.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RegistryConnection, RegistryReader } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { type GitServer, startGitServer } from '../test/support/git-server.js';
import {
  addUnrelatedRefs,
  bulkFiles,
  createRegistryRoot,
  helloPackage,
  publishRelease,
  removeRegistryRoot,
} from '../test/support/registries.js';
import { type BenchRow, fmt, median, printSection, timeRuns } from './lib.js';

const run = promisify(execFile);
const RUNS = 5;

type ChildMode = 'baseline' | 'list' | 'fetch-memory' | 'fetch-disk';

/**
 * Peak RSS (VmHWM) of a fresh Node process that loads the reader and performs one operation;
 * 'baseline' loads the same modules and does nothing, so the difference is the operation's own.
 */
async function childPeak(mode: ChildMode, url: string, scratch: string): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', self, '--child', mode, url, scratch], {
    maxBuffer: 1024 * 1024,
  });
  return (JSON.parse(stdout) as { peak: number }).peak;
}

async function child(mode: ChildMode, url: string, scratch: string): Promise<void> {
  const storage =
    mode === 'fetch-disk'
      ? { kind: 'disk' as const, dir: join(scratch, `child-${process.pid}`) }
      : { kind: 'memory' as const };
  const reader = createNodeRegistryReader({ storage, allowPrivateNetworks: true });
  const registry: RegistryConnection = { url, allowHttp: true, auth: { type: 'none' } };
  if (mode === 'list') await reader.listReleases(registry);
  if (mode === 'fetch-memory' || mode === 'fetch-disk') await reader.readRelease(registry, 'v1.0.0');
  const status = await readFile('/proc/self/status', 'utf8');
  const kilobytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  process.stdout.write(JSON.stringify({ peak: kilobytes * 1024 }));
}

/** Runs native git under /usr/bin/time; returns its peak RSS in bytes. */
async function nativeGit(server: GitServer, args: string[]): Promise<number> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'maxrss=%M', 'git', ...args], {
    env: server.nativeGitEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const match = /maxrss=(\d+)/.exec(stderr);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

function bytesOf(server: GitServer, work: () => Promise<unknown>): Promise<number> {
  server.clearRequests();
  return work()
    .then(() => server.settled())
    .then(() => server.requests.reduce((sum, request) => sum + request.bytesSent, 0));
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
const ms = (value: number) => `${fmt(value)} ms`;
/** The operation's own share of a process peak; differences under 1 MB are noise. */
const growth = (bytes: number) => (bytes < 2 ** 20 ? '< 1 MB' : `+${mb(bytes)}`);
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const ratio = (value: number, baseline: number) => `${fmt(value / baseline, 2)}×`;

async function main() {
  const root = await createRegistryRoot();
  const scratch = await mkdtemp(join(tmpdir(), 'margo-bridge-bench-registry-'));
  const server = await startGitServer({ root });
  try {
    await publishRelease(root, 'tags', 'v1.0.0', await helloPackage('1.0.0'));
    for (let i = 1; i < 20; i++) {
      await publishRelease(root, 'tags', `v1.${i}.0`, await helloPackage(`1.${i}.0`), { annotated: i % 2 === 0 });
    }
    await addUnrelatedRefs(root, 'tags', 2000);
    await publishRelease(root, 'big', 'v1.0.0', {
      ...(await helloPackage('1.0.0')),
      ...bulkFiles(199, 5 * 1000 * 1000),
    });

    const connection = (repo: string): RegistryConnection => ({
      url: server.url(repo),
      allowHttp: true,
      auth: { type: 'none' },
    });
    const memoryReader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
    let cacheRun = 0;
    const diskReader = (): RegistryReader =>
      createNodeRegistryReader({
        storage: { kind: 'disk', dir: join(scratch, `cache-${++cacheRun}`) },
        allowPrivateNetworks: true,
      });

    // Listing tags on the repository with 20 tags and 2,000 unrelated refs.
    const listTimes = await timeRuns(() => memoryReader.listReleases(connection('tags')), RUNS);
    const nativeListTimes = await timeRuns(() => nativeGit(server, ['ls-remote', '--tags', server.url('tags')]), RUNS);
    const baselines: number[] = [];
    const listMemories: number[] = [];
    const nativeListMemories: number[] = [];
    for (let i = 0; i < 3; i++) {
      baselines.push(await childPeak('baseline', server.url('tags'), scratch));
      listMemories.push(await childPeak('list', server.url('tags'), scratch));
      nativeListMemories.push(await nativeGit(server, ['ls-remote', '--tags', server.url('tags')]));
    }
    const nodeBaseline = median(baselines);
    const listMemory = median(listMemories);
    const nativeListMemory = median(nativeListMemories);
    const listBytes = await bytesOf(server, () => memoryReader.listReleases(connection('tags')));
    const nativeListBytes = await bytesOf(server, () => nativeGit(server, ['ls-remote', '--tags', server.url('tags')]));
    const advertisementBytes = await bytesOf(server, () =>
      nativeGit(server, ['-c', 'protocol.version=0', 'ls-remote', '--tags', server.url('tags')]),
    );

    // Fetching one tag of the 5 MB, 200-file package.
    const cloneDir = () => join(scratch, `clone-${Math.random().toString(36).slice(2)}`);
    const nativeClone = () =>
      nativeGit(server, [
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--branch',
        'v1.0.0',
        '--no-checkout',
        server.url('big'),
        cloneDir(),
      ]);
    const fetchTimes = await timeRuns(() => memoryReader.readRelease(connection('big'), 'v1.0.0'), RUNS);
    const diskTimes = await timeRuns(() => diskReader().readRelease(connection('big'), 'v1.0.0'), RUNS);
    const nativeFetchTimes = await timeRuns(nativeClone, RUNS);
    const fetchMemory: number[] = [];
    const diskMemory: number[] = [];
    const nativeFetchMemory: number[] = [];
    for (let i = 0; i < 3; i++) {
      fetchMemory.push(await childPeak('fetch-memory', server.url('big'), scratch));
      diskMemory.push(await childPeak('fetch-disk', server.url('big'), scratch));
      nativeFetchMemory.push(await nativeClone());
    }
    const fetchBytes = await bytesOf(server, () => memoryReader.readRelease(connection('big'), 'v1.0.0'));
    const nativeFetchBytes = await bytesOf(server, nativeClone);
    const cachedReader = diskReader();
    await cachedReader.readRelease(connection('big'), 'v1.0.0');
    const cachedTimes = await timeRuns(() => cachedReader.readRelease(connection('big'), 'v1.0.0'), RUNS, 0);
    const cachedBytes = await bytesOf(server, () => cachedReader.readRelease(connection('big'), 'v1.0.0'));

    const rows: BenchRow[] = [
      {
        what: 'list tags (20 tags + 2,000 other refs): time',
        value: ms(median(listTimes)),
        baseline: `${ms(median(nativeListTimes))} (git ls-remote --tags)`,
        ratio: ratio(median(listTimes), median(nativeListTimes)),
      },
      {
        what: 'list tags: peak memory (whole process)',
        value: `${mb(listMemory)} (operation: ${growth(listMemory - nodeBaseline)})`,
        baseline: `${mb(nativeListMemory)} (git)`,
        ratio: ratio(listMemory, nativeListMemory),
      },
      {
        what: 'list tags: bytes from the server',
        value: kb(listBytes),
        baseline: `${kb(nativeListBytes)} (v2); ${kb(advertisementBytes)} (v0 advertisement)`,
        ratio: ratio(listBytes, nativeListBytes),
      },
      {
        what: 'fetch one tag, 5 MB / 200 files, memory storage: time',
        value: ms(median(fetchTimes)),
        baseline: `${ms(median(nativeFetchTimes))} (git clone --depth 1 --no-checkout)`,
        ratio: ratio(median(fetchTimes), median(nativeFetchTimes)),
      },
      {
        what: 'fetch one tag, disk storage (empty cache): time',
        value: ms(median(diskTimes)),
        baseline: ms(median(nativeFetchTimes)),
        ratio: ratio(median(diskTimes), median(nativeFetchTimes)),
      },
      {
        what: 'fetch one tag, disk storage (cached): time',
        value: ms(median(cachedTimes)),
        baseline: ms(median(nativeFetchTimes)),
        ratio: ratio(median(cachedTimes), median(nativeFetchTimes)),
      },
      {
        what: 'fetch one tag, memory storage: peak memory (whole process)',
        value: `${mb(median(fetchMemory))} (operation: ${growth(median(fetchMemory) - nodeBaseline)})`,
        baseline: `${mb(median(nativeFetchMemory))} (largest git process)`,
        ratio: ratio(median(fetchMemory), median(nativeFetchMemory)),
      },
      {
        what: 'fetch one tag, disk storage: peak memory (whole process)',
        value: `${mb(median(diskMemory))} (operation: ${growth(median(diskMemory) - nodeBaseline)})`,
        baseline: mb(median(nativeFetchMemory)),
        ratio: ratio(median(diskMemory), median(nativeFetchMemory)),
      },
      {
        what: 'fetch one tag: bytes from the server',
        value: `${mb(fetchBytes)} (cached: ${kb(cachedBytes)})`,
        baseline: mb(nativeFetchBytes),
        ratio: ratio(fetchBytes, nativeFetchBytes),
      },
    ];
    printSection('Registry: the reader vs native git on the same server', rows, [
      `Medians of ${RUNS} runs (memory: of 3). Local git http-backend on 127.0.0.1; the package is 199 files of incompressible data plus margo.yaml.`,
      'margo-bridge times are measured inside a running process; native git times include starting git, its transport helper and index-pack.',
      `Peak memory is the peak RSS (VmHWM) of a fresh Node process that loads the reader and performs the operation once, against the peak RSS of the largest native git process (/usr/bin/time); "operation" subtracts the peak of a Node process that loads the same modules and does nothing (${mb(nodeBaseline)}, Node with tsx).`,
      'Listing speaks protocol v2 `ls-refs` with the `refs/tags/` prefix: the 2,000 unrelated refs are never sent (compare the v0 advertisement).',
      'Reading a release also reads the description and its resources from the object store; a cached release costs only the tag lookup.',
    ]);
  } finally {
    await server.stop();
    await removeRegistryRoot(root);
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as ChildMode, process.argv[4] ?? '', process.argv[5] ?? tmpdir());
} else {
  await main();
}
