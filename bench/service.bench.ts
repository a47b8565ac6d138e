/**
 * The running service: (1) a poll round over 1,000 registries on the local Git server with nothing
 * new (wall time, requests made, peak RSS), against the same number of native `git ls-remote --tags`
 * calls with the same concurrency, measured in the same run; (2) ingest throughput for a 5 MB
 * package (releases per second), against native `git clone --depth 1 --branch <tag>` of the same
 * releases. Both use the real stack: SQLite store, disk pack cache, git http-backend on loopback.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveConfig } from '../src/config/resolve.js';
import { createHandlers } from '../src/flows/handlers.js';
import { ingestRelease } from '../src/flows/ingest.js';
import { eachLimited, pollRound } from '../src/flows/round.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/runtime/node/index.js';
import { registryInput } from '../src/store/store.contract.js';
import { startGitServer } from '../test/support/git-server.js';
import {
  bulkFiles,
  createRegistryRoot,
  fixtureGitEnv,
  fixturePackage,
  helloPackage,
  publishRelease,
  removeRegistryRoot,
} from '../test/support/registries.js';
import { fmt, median, printSection } from './lib.js';

const run = promisify(execFile);
const REGISTRIES = 1000;
const INGEST_RELEASES = 6;
const RUNS = 3;

const root = await createRegistryRoot();
const work = await mkdtemp(join(tmpdir(), 'mb-bench-service-'));
const server = await startGitServer({ root });

try {
  // One repository with two releases, watched by 1,000 registries (as 1,000 users of one vendor would).
  await publishRelease(root, 'watched', 'v1.0.0', await helloPackage('1.0.0'));
  await publishRelease(root, 'watched', 'v1.1.0', await helloPackage('1.1.0'));
  // Distinct 5 MB packages, one repository each, so no release is already in the pack cache.
  const resources = await fixturePackage('resources');
  for (let i = 0; i < INGEST_RELEASES; i++) {
    await publishRelease(root, `large-${i}`, 'v1.0.0', {
      ...(await helloPackage('1.0.0')),
      ...resources,
      ...bulkFiles(10, 5 * 1024 * 1024),
    });
  }

  const config = resolveConfig({
    file: { dataDir: join(work, 'data'), allowPrivateNetworks: true, logLevel: 'silent' },
    env: {},
  });
  const runtime = await buildRuntime(config, { logger: silentLogger });
  const { services } = runtime;
  const concurrency = config.polling.concurrency;
  // Plain-HTTP registries without credentials or filters, each with its own URL key.
  const addRegistry = (name: string, url: string) =>
    services.store.registries.create(registryInput(name, { url, urlKey: `bench/${name}`, allowHttp: true }));

  // Registries whose releases are already ingested: a round finds nothing new.
  const url = server.url('watched');
  const ids: string[] = [];
  const releases = await services.registryReader.listReleases({ url, allowHttp: true, auth: { type: 'none' } });
  for (let i = 0; i < REGISTRIES; i++) {
    const registry = await addRegistry(`watched-${i}`, url);
    ids.push(registry.id);
    for (const release of releases) {
      await services.store.versions.insert(
        {
          registryId: registry.id,
          applicationId: 'bench',
          tag: release.tag,
          commit: release.commit,
          version: release.version,
          state: 'valid',
          shape: null,
          description: null,
          errors: [],
          warnings: [],
        },
        [],
      );
    }
  }

  const handlers = createHandlers(services);
  const pollTimes: number[] = [];
  const pollRequests: number[] = [];
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  for (let i = 0; i < RUNS; i++) {
    server.clearRequests();
    const started = performance.now();
    const summary = await pollRound(services, handlers, { registryIds: ids, concurrency });
    pollTimes.push(performance.now() - started);
    pollRequests.push(server.requests.length);
    if (summary.failed.length > 0 || summary.newReleases > 0) {
      throw new Error(`unexpected round: ${JSON.stringify(summary).slice(0, 300)}`);
    }
  }
  clearInterval(sampler);

  const nativeTimes: number[] = [];
  const nativeRequests: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    server.clearRequests();
    const started = performance.now();
    await eachLimited(ids, concurrency, async () => {
      await run('git', ['ls-remote', '--tags', url], { env: fixtureGitEnv() });
    });
    nativeTimes.push(performance.now() - started);
    nativeRequests.push(server.requests.length);
  }

  // Ingest: each 5 MB release read, validated and stored with its resources.
  const ingestIds: string[] = [];
  for (let i = 0; i < INGEST_RELEASES; i++) {
    const registry = await addRegistry(`large-${i}`, server.url(`large-${i}`));
    ingestIds.push(registry.id);
  }
  const commits = await Promise.all(
    ingestIds.map(async (_, i) => {
      const [release] = await services.registryReader.listReleases({
        url: server.url(`large-${i}`),
        allowHttp: true,
        auth: { type: 'none' },
      });
      return release!;
    }),
  );
  const ingestStarted = performance.now();
  for (let i = 0; i < INGEST_RELEASES; i++) {
    const release = commits[i]!;
    const result = await ingestRelease(services, {
      registryId: ingestIds[i]!,
      tag: release.tag,
      commit: release.commit,
      version: release.version,
    });
    if (result.outcome !== 'stored') throw new Error(`ingest ${i}: ${result.outcome}`);
  }
  const ingestMs = performance.now() - ingestStarted;

  const cloneStarted = performance.now();
  for (let i = 0; i < INGEST_RELEASES; i++) {
    const target = join(work, `clone-${i}`);
    await run('git', ['clone', '--quiet', '--depth', '1', '--branch', 'v1.0.0', server.url(`large-${i}`), target], {
      env: fixtureGitEnv(),
    });
  }
  const cloneMs = performance.now() - cloneStarted;
  await runtime.close();

  const pollMs = median(pollTimes);
  const nativeMs = median(nativeTimes);
  const ingestPerSecond = (INGEST_RELEASES * 1000) / ingestMs;
  const clonePerSecond = (INGEST_RELEASES * 1000) / cloneMs;
  printSection(
    'Service: poll round and ingest',
    [
      {
        what: `poll round, ${REGISTRIES} registries, nothing new (wall time, concurrency ${concurrency})`,
        value: `${fmt(pollMs / 1000, 2)} s`,
        baseline: `${fmt(nativeMs / 1000, 2)} s (${REGISTRIES} × native git ls-remote --tags)`,
        ratio: `${fmt(pollMs / nativeMs, 2)}×`,
      },
      {
        what: 'HTTP requests made in one round',
        value: fmt(median(pollRequests), 0),
        baseline: fmt(median(nativeRequests), 0),
        ratio: `${fmt(median(pollRequests) / median(nativeRequests), 2)}×`,
      },
      {
        what: 'peak RSS of the margo-bridge process during the rounds',
        value: `${fmt(peakRss / 2 ** 20, 0)} MiB`,
      },
      {
        what: `ingest throughput, 5 MB package (${INGEST_RELEASES} releases, read + validate + store)`,
        value: `${fmt(ingestPerSecond, 2)} releases/s`,
        baseline: `${fmt(clonePerSecond, 2)} /s (native git clone --depth 1)`,
        ratio: `${fmt(ingestPerSecond / clonePerSecond, 2)}×`,
      },
    ],
    [
      `Poll figures are medians of ${RUNS} rounds; the store (SQLite) and the Git server (git http-backend) run on the same 2-core machine as the client. ` +
        'Time ratios are margo-bridge ÷ baseline (below 1× is faster); the throughput ratio is margo-bridge ÷ baseline (above 1× is faster).',
    ],
  );
} finally {
  await server.stop();
  await removeRegistryRoot(root);
  await rm(work, { recursive: true, force: true });
}
