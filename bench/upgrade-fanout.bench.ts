/**
 * Upgrade fan-out (issue 15): one application deployed to N targets (BENCH_TARGETS, default 100;
 * the figure: `BENCH_TARGETS=1000 npm run bench -- upgrade-fanout`) with upgrade policy
 * `minor` in one repository on the fake GitHub; a new version is ingested; measured: time until
 * every upgrade pull request exists, GitHub REST calls per proposal, peak RSS of the service and
 * of the fake GitHub (in a child process of its own), and rate-limit answers (403/429) seen and
 * handled. The fake answers a few secondary limits, 429s and a primary limit during the fan-out
 * (injected), which the throttling plugin must wait out. Seeding (N first deployments, merged) is
 * not timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/resolve.js';
import { createDeploymentRepository } from '../src/flows/deployments/repositories.js';
import { createDeployment } from '../src/flows/deployments/submit.js';
import { checkRepository } from '../src/flows/deployments/track.js';
import { createHandlers } from '../src/flows/handlers.js';
import { createRegistry } from '../src/flows/registries.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/runtime/node/index.js';
import { digitronValues, useFastProviders } from '../test/support/deployment-e2e.js';
import { startFakeGitHubProcess } from '../test/support/fake-github/process.js';
import { startGitServer } from '../test/support/git-server.js';
import {
  createRegistryRoot,
  exampleText,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from '../test/support/registries.js';
import { DIGITRON } from '../test/support/render.js';
import { runDueJobs } from '../test/support/run-jobs.js';
import { fmt, printSection } from './lib.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? '100');
const APP = 'com-northstartida-digitron-orchestrator';

const root = await createRegistryRoot();
const work = await mkdtemp(join(tmpdir(), 'mb-bench-upgrade-'));
const gitServer = await startGitServer({ root });
// A rate limit above GitHub's 5,000 per hour: seeding and the fan-out of 1,000 targets need more.
const gh = await startFakeGitHubProcess({ rateLimit: 100_000, recordResponses: false });
const digitron = await exampleText(DIGITRON);
await publishRelease(root, 'digitron', 'v1.2.1', { 'margo.yaml': digitron });
const config = resolveConfig({
  file: {
    dataDir: join(work, 'data'),
    port: 0,
    allowPrivateNetworks: true,
    logLevel: 'silent',
    adminToken: 'bench-admin-token-0123456789',
  },
  env: {},
});
const runtime = await buildRuntime(config, { logger: silentLogger });
const { services } = runtime;
useFastProviders(services);
const poll = async () => {
  const handlers = createHandlers(services);
  for (const registry of await services.store.registries.list())
    await handlers.poll!({
      id: 'bench',
      kind: 'poll',
      payload: { registryId: registry.id },
      attempts: 1,
      maxAttempts: 1,
    } as never);
  await runDueJobs(services, ['ingest']);
};

try {
  await createRegistry(services, { name: 'digitron', url: gitServer.url('digitron'), allowHttp: true } as never);
  await poll();
  await gh.createRepo({ owner: 'acme', repo: 'fleet', defaultBranch: 'main', files: { 'README.md': '# fleet\n' } });
  const repository = await createDeploymentRepository(services, {
    name: 'fleet',
    provider: 'github',
    format: 'flux',
    github: { owner: 'acme', repo: 'fleet', apiUrl: gh.apiUrl, auth: { type: 'token', token: await gh.addToken() } },
  });
  for (let i = 0; i < TARGETS; i++) {
    await createDeployment(
      services,
      {
        repository: 'fleet',
        applicationId: APP,
        version: '1.2.1',
        profile: 'helm',
        target: `site-${i}`,
        namespace: 'margo-poc',
        values: digitronValues,
        upgradePolicy: 'minor',
      },
      'bench',
    );
  }
  const token = await gh.addToken();
  for (const pull of (await gh.pulls('acme', 'fleet')).filter((p) => p.state === 'open')) {
    const merged = await fetch(`${gh.apiUrl}/repos/acme/fleet/pulls/${pull.number}/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (!merged.ok) throw new Error(`merge of #${pull.number} answered ${merged.status}`);
  }
  await checkRepository(services, repository);
  await gh.clearRequests();
  // Limits GitHub may answer at any time, spread over the fan-out: the throttling plugin waits them out.
  const at = (share: number) => Math.max(1, Math.ceil(TARGETS * share));
  for (const share of [0.25, 0.5, 0.75]) {
    await gh.injectFault({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      nth: at(share),
      fault: { type: 'secondary-limit', retryAfter: 1 },
    });
  }
  await gh.injectFault({
    method: 'POST',
    route: '/repos/{owner}/{repo}/git/commits',
    nth: at(0.4),
    fault: { type: 'secondary-limit', retryAfter: 2 },
  });
  await gh.injectFault({
    method: 'POST',
    route: '/repos/{owner}/{repo}/git/trees',
    nth: at(0.33),
    fault: { type: 'too-many-requests', retryAfter: 1 },
  });
  await gh.injectFault({
    method: 'GET',
    route: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
    nth: at(0.66),
    fault: { type: 'primary-limit', resetAfter: 1 },
  });
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 50);
  await publishRelease(root, 'digitron', 'v1.3.0', {
    'margo.yaml': withVersion(digitron, '1.3.0').replace('revision: 1.0.9', 'revision: 1.1.0'),
  });
  const started = performance.now();
  await poll();
  await runDueJobs(services, ['upgrade', 'propose'], Math.ceil(TARGETS / 10) + 10);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  collect?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const upgrades = (await gh.pulls('acme', 'fleet')).filter(
    (p) => p.state === 'open' && p.title.includes('upgrade'),
  ).length;
  const calls = await gh.restCalls();
  const limits = await gh.rateLimits();
  const pendingFaults = await gh.pendingFaults();
  const states = (await services.store.deployments.list({ applicationId: APP })).map((d) => d.state);
  const failed = states.filter((state) => state !== 'proposed').length;
  const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MB`;
  const fakePeak = await gh.peakRss();
  const routeTimes = Object.entries(await gh.routeTimes()).sort(([, a], [, b]) => b.ms - a.ms);
  const fakeMs = routeTimes.reduce((sum, [, entry]) => sum + entry.ms, 0);
  for (const [route, entry] of routeTimes) {
    process.stderr.write(`${route}: ${entry.calls} calls, ${fmt(entry.ms / entry.calls, 1)} ms each\n`);
  }
  printSection(
    `Upgrade fan-out: one new version to ${fmt(TARGETS, 0)} deployments (policy minor) on the fake GitHub`,
    [
      { what: 'upgrade pull requests open afterwards', value: `${upgrades} of ${TARGETS}` },
      { what: 'time from the ingest of 1.3.0 until all exist', value: `${fmt(seconds, 1)} s` },
      { what: 'proposals per second', value: fmt(upgrades / seconds, 1) },
      { what: 'GitHub REST calls per proposal', value: fmt(calls / Math.max(upgrades, 1), 2) },
      {
        what: 'rate-limit answers seen: 403 / 429; handled (the same request later got through)',
        value: `${limits[403]} / ${limits[429]}; ${limits.handled} of ${limits[403] + limits[429]}`,
      },
      { what: 'injected limits that did not fire / deployments not proposed', value: `${pendingFaults} / ${failed}` },
      {
        what: 'service process: peak RSS during the fan-out / before it / whole run',
        value: `${mb(rssPeak)} / ${mb(rssBefore)} / ${mb(process.resourceUsage().maxRSS * 1024)}`,
      },
      {
        what: 'service JS heap after a full GC: before the fan-out / after it',
        value: collect ? `${mb(heapBefore)} / ${mb(heapAfter)}` : 'run with --expose-gc',
      },
      {
        what: 'time the fake GitHub took to answer (share of the fan-out)',
        value: `${fmt(fakeMs / 1000, 1)} s (${fmt((100 * fakeMs) / 1000 / seconds, 0)} %)`,
      },
      { what: 'fake GitHub process (own child process): peak RSS, whole run', value: mb(fakePeak) },
    ],
    [
      `The service: SQLite store, the upgrade job run by the test job runner (it carries out each deployment's proposal in turn, as the service's worker would), the github provider with its throttling and retry plugins, write spacing off (GitHub's advice of one second between writes would add about ${fmt((4 * TARGETS) / 60, 0)} minutes: 4 writes per proposal). The fake GitHub runs in its own process, answers with native git, keeps no response bodies, and has a primary limit of 100,000 per hour (GitHub's 5,000 for a token would stop the seeding of 1,000); during the fan-out it answers secondary limits on three pull-request creations and one commit, a 429 on one tree and a primary limit (reset in 1 s) on one tree read. Seeding (the first deployments and their merges) is not timed. Run for 1,000 targets with \`BENCH_TARGETS=1000 npm run bench -- upgrade-fanout\`.`,
    ],
  );
} finally {
  await runtime.close?.();
  await gh.stop();
  await gitServer.stop();
  await removeRegistryRoot(root);
  await rm(work, { recursive: true, force: true });
}
