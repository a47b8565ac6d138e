/**
 * Registry access in-process (isomorphic-git + margo-bridge's protocol-v2 fetch) against native git
 * on the same local smart-HTTP server (git http-backend) and the same repositories:
 * - listing tags: `listReleases` vs `git ls-remote --tags`
 * - fetching one tag of a 5 MB, 200-file package: `readRelease` (memory and disk storage, empty
 *   cache each run) vs `git clone --depth 1 --branch TAG --no-checkout`
 * - bytes sent by the server for each (from the server's request log), and for the 2,000-ref
 *   repository the bytes of the full v0 ref advertisement that the listing avoids.
 * Time: medians of RUNS runs after a warm-up. Memory: margo-bridge = peak RSS growth of the running
 * process during the operation (sampled every 2 ms after a GC); native = peak RSS of the largest git
 * process (`/usr/bin/time -f %M`). Native git times include process start-up, which is its real cost.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryConnection, RegistryReader } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { type GitServer, startGitServer } from '../test/support/git-server.js';
import {
  addUnrelatedRefs,
  bulkFiles,
  createRegistryRoot,
  exampleText,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from '../test/support/registries.js';
import { type BenchRow, fmt, median, printSection, timeRuns } from './lib.js';

const run = promisify(execFile);
const RUNS = 5;

const gc = (globalThis as { gc?: () => void }).gc;

async function peakRssGrowth(work: () => Promise<unknown>): Promise<number> {
  gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - base;
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
  return work().then(() => server.requests.reduce((sum, request) => sum + request.bytesSent, 0));
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
const ms = (value: number) => `${fmt(value)} ms`;
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const ratio = (value: number, baseline: number) => `${fmt(value / baseline, 2)}×`;

async function main() {
  const root = await createRegistryRoot();
  const scratch = await mkdtemp(join(tmpdir(), 'margo-bridge-bench-registry-'));
  const server = await startGitServer({ root });
  try {
    const description = await exampleText(helloExample);
    await publishRelease(root, 'tags', 'v1.0.0', { 'margo.yaml': withVersion(description, '1.0.0') });
    for (let i = 1; i < 20; i++) {
      await publishRelease(
        root,
        'tags',
        `v1.${i}.0`,
        { 'margo.yaml': withVersion(description, `1.${i}.0`) },
        { annotated: i % 2 === 0 },
      );
    }
    await addUnrelatedRefs(root, 'tags', 2000);
    await publishRelease(root, 'big', 'v1.0.0', {
      'margo.yaml': withVersion(description, '1.0.0'),
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
    const listMemories: number[] = [];
    const nativeListMemories: number[] = [];
    for (let i = 0; i < 3; i++) {
      listMemories.push(await peakRssGrowth(() => memoryReader.listReleases(connection('tags'))));
      nativeListMemories.push(await nativeGit(server, ['ls-remote', '--tags', server.url('tags')]));
    }
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
      fetchMemory.push(await peakRssGrowth(() => memoryReader.readRelease(connection('big'), 'v1.0.0')));
      diskMemory.push(await peakRssGrowth(() => diskReader().readRelease(connection('big'), 'v1.0.0')));
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
        what: 'list tags: peak memory',
        value: `${mb(listMemory)} (RSS growth)`,
        baseline: `${mb(nativeListMemory)} (git RSS)`,
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
        what: 'fetch one tag, memory storage: peak memory',
        value: `${mb(median(fetchMemory))} (RSS growth)`,
        baseline: `${mb(median(nativeFetchMemory))} (largest git process RSS)`,
        ratio: ratio(median(fetchMemory), median(nativeFetchMemory)),
      },
      {
        what: 'fetch one tag, disk storage: peak memory',
        value: `${mb(median(diskMemory))} (RSS growth)`,
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
    printSection('Registry: isomorphic-git reader vs native git on the same server', rows, [
      `Medians of ${RUNS} runs (memory: of 3). Local git http-backend on 127.0.0.1; the package is 199 files of incompressible data plus margo.yaml.`,
      'margo-bridge times are measured inside a running process; native git times include starting git, its transport helper and index-pack.',
      'Memory compares the RSS growth of the running Node process with the whole peak RSS of the largest native git process.',
      'Listing speaks protocol v2 `ls-refs` with the `refs/tags/` prefix: the 2,000 unrelated refs are never sent (compare the v0 advertisement).',
      'Reading a release also reads the description and its resources from the object store; a cached release costs only the tag lookup.',
    ]);
  } finally {
    await server.stop();
    await removeRegistryRoot(root);
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
