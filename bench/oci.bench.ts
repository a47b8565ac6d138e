/**
 * OCI registries (issue 16) against skopeo on the same docker-registry (127.0.0.1, plain HTTP):
 * - a poll round over 1,000 OCI registries (one repository each, one tag) with nothing new: the
 *   service's own poll round (store, poll leases, jobs; test/support/service-harness.ts) vs
 *   `skopeo list-tags` on each repository, 8 at a time; requests per registry from the registry's
 *   access log, wall time, peak RSS;
 * - reading one 5 MB release: `readRelease` (memory) vs `skopeo copy docker://… dir:…`.
 * Time: medians of RUNS runs after a warm-up. Peak RSS: this process's VmHWM after the rounds (it
 * holds the service, its SQLite store and the registry client) against the largest skopeo process
 * (`/usr/bin/time -f %M`); skopeo starts one process per repository, which is its real cost.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RegistryConnection } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { pushPackage } from '../test/support/oci-push.js';
import { type OciRegistry, startOciRegistry } from '../test/support/oci-registry.js';
import { fixturePackage, helloPackage } from '../test/support/registries.js';
import { startHarness } from '../test/support/service-harness.js';
import { type BenchRow, fmt, median, printSection, timeRuns } from './lib.js';

const run = promisify(execFile);
const RUNS = 3;
const REPOSITORIES = 1000;
const CONCURRENCY = 8;

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index]!);
    }),
  );
}

async function skopeoPeakKb(args: string[]): Promise<number> {
  const { stderr } = await run('/usr/bin/time', ['-f', '%M', 'skopeo', ...args], { maxBuffer: 16 * 1024 * 1024 });
  return Number(stderr.trim().split('\n').at(-1));
}

async function vmHwmMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function requestsDuring(registry: OciRegistry, work: () => Promise<unknown>): Promise<number> {
  await registry.settled();
  const before = registry.accessLog().length;
  await work();
  await registry.settled();
  return registry.accessLog().length - before;
}

async function main(): Promise<void> {
  const registry = await startOciRegistry();
  const host = registry.origin.replace('http://', '');
  const names = Array.from({ length: REPOSITORIES }, (_, index) => `bench/app-${String(index).padStart(4, '0')}`);
  const hello = await helloPackage('1.0.0');
  await eachLimited(names, 16, (name) => pushPackage(registry, name, '1.0.0', hello));

  // The service: 1,000 OCI registries, a first round ingests their release, later rounds find nothing new.
  const harness = await startHarness();
  const ids: string[] = [];
  for (const name of names) {
    const record = await harness.runtime.services.store.registries.create({
      name,
      kind: 'oci',
      url: registry.url(name),
      urlKey: `${host}/${name}`,
      subPath: '',
      tagPattern: null,
      semverRange: null,
      strictVersion: false,
      allowHttp: true,
      pollInterval: 300,
      secretsCiphertext: null,
      credentialSummary: { auth: 'none' },
      configured: false,
    });
    ids.push(record.id);
  }
  const first = await harness.poll(ids);
  if (first.newReleases !== REPOSITORIES || first.failed.length > 0) {
    throw new Error(`first round: ${first.newReleases} new, ${first.failed.length} failed`);
  }
  const round = async () => {
    const summary = await harness.poll(ids);
    if (summary.newReleases !== 0 || summary.failed.length > 0) throw new Error('a round found something new');
  };
  const roundMs = median(await timeRuns(round, RUNS));
  const roundRequests = await requestsDuring(registry, round);
  const serviceRss = await vmHwmMb();

  const listTags = (name: string) => run('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/${name}`]);
  const skopeoMs = median(await timeRuns(() => eachLimited(names, CONCURRENCY, listTags), RUNS));
  const skopeoRequests = await requestsDuring(registry, () => eachLimited(names, CONCURRENCY, listTags));
  const skopeoListKb = await skopeoPeakKb(['list-tags', '--tls-verify=false', `docker://${host}/${names[0]}`]);

  // One 5 MB release: the description and four resources, two of them large.
  const resources = await fixturePackage('resources');
  resources['resources/license.pdf'] = randomBytes(2_500_000);
  resources['resources/hw-logo.png'] = randomBytes(2_500_000);
  await pushPackage(registry, 'bench/large', '1.0.0', { ...hello, ...resources });
  const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
  const connection: RegistryConnection = {
    kind: 'oci',
    url: registry.url('bench/large'),
    allowHttp: true,
    auth: { type: 'none' },
  };
  let fetched = 0;
  const readMs = median(
    await timeRuns(async () => {
      fetched = (await reader.readRelease(connection, '1.0.0')).fetchedBytes ?? 0;
    }, RUNS),
  );
  const readRequests = await requestsDuring(registry, () => reader.readRelease(connection, '1.0.0'));
  const scratch = await mkdtemp(join(tmpdir(), 'mb-bench-oci-'));
  let copies = 0;
  const copy = () =>
    run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://${host}/bench/large:1.0.0`,
      `dir:${join(scratch, String(copies++))}`,
    ]);
  const copyMs = median(await timeRuns(copy, RUNS));
  const copyRequests = await requestsDuring(registry, copy);
  const copyKb = await skopeoPeakKb([
    'copy',
    '--src-tls-verify=false',
    `docker://${host}/bench/large:1.0.0`,
    `dir:${join(scratch, 'peak')}`,
  ]);
  await rm(scratch, { recursive: true, force: true });

  const rows: BenchRow[] = [
    {
      what: `poll round, ${REPOSITORIES} OCI registries, nothing new: wall time`,
      value: `${fmt(roundMs)} ms`,
      baseline: `${fmt(skopeoMs)} ms (skopeo list-tags ×${REPOSITORIES}, ${CONCURRENCY} at a time)`,
      ratio: fmt(roundMs / skopeoMs, 2),
    },
    {
      what: 'requests per registry',
      value: fmt(roundRequests / REPOSITORIES, 2),
      baseline: fmt(skopeoRequests / REPOSITORIES, 2),
      ratio: fmt(roundRequests / skopeoRequests, 2),
    },
    {
      what: 'peak RSS',
      value: `${fmt(serviceRss)} MB (the whole service process)`,
      baseline: `${fmt(skopeoListKb / 1024)} MB (one skopeo process)`,
      ratio: fmt(serviceRss / (skopeoListKb / 1024), 2),
    },
    {
      what: 'read one 5 MB release: wall time',
      value: `${fmt(readMs)} ms (${fmt(fetched / 1e6, 2)} MB fetched)`,
      baseline: `${fmt(copyMs)} ms (skopeo copy to dir:)`,
      ratio: fmt(readMs / copyMs, 2),
    },
    {
      what: 'requests',
      value: String(readRequests),
      baseline: String(copyRequests),
      ratio: fmt(readRequests / copyRequests, 2),
    },
    { what: 'skopeo copy peak RSS', value: '', baseline: `${fmt(copyKb / 1024)} MB`, ratio: '' },
  ];
  printSection('OCI registries (issue 16): docker-registry on 127.0.0.1, margo-bridge vs skopeo', rows, [
    "A poll with nothing new sends one `tags/list` and one `HEAD` per tag (the manifest digest, which tells a moved tag) and fetches no manifest or blob; skopeo list-tags sends the `/v2/` ping and `tags/list` and cannot tell a moved tag. The round includes the service's store, poll leases and job bookkeeping.",
  ]);
  await harness.close();
  await registry.stop();
}

await main();
