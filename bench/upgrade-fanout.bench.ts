/**
 * Upgrade fan-out (issue 15): one application deployed to N targets (BENCH_TARGETS, default
 * 1,000) with upgrade policy `minor` in one repository on the fake GitHub; a new version is
 * ingested; measured: time until every upgrade pull request exists, GitHub REST calls per
 * proposal, peak RSS, and rate-limit answers (403/429) seen and left unhandled. The GitHub
 * provider runs with its throttling and retry plugins; write spacing is off (the fake has no
 * secondary limit unless injected). Seeding (N first deployments, merged) is not measured.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/resolve.js';
import { createDeploymentProvider } from '../src/deploy/index.js';
import { nodeProviderPlatform } from '../src/deploy/node/index.js';
import { createDeploymentRepository } from '../src/flows/deployments/repositories.js';
import { createDeployment } from '../src/flows/deployments/submit.js';
import { checkRepository } from '../src/flows/deployments/track.js';
import { createHandlers } from '../src/flows/handlers.js';
import { createRegistry } from '../src/flows/registries.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/runtime/node.js';
import { digitronValues } from '../test/support/deployment-e2e.js';
import { startFakeGitHub } from '../test/support/fake-github/index.js';
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

const TARGETS = Number(process.env.BENCH_TARGETS ?? '1000');
const APP = 'com-northstartida-digitron-orchestrator';

const root = await createRegistryRoot();
const work = await mkdtemp(join(tmpdir(), 'mb-bench-upgrade-'));
const gitServer = await startGitServer({ root });
const gh = await startFakeGitHub();
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
const platform = {
  ...nodeProviderPlatform({ dataDir: config.dataDir, allowPrivateNetworks: true }),
  github: { writeSpacingMs: 0 },
};
services.deploymentProviders = (settings) => createDeploymentProvider(settings, platform);
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
    github: { owner: 'acme', repo: 'fleet', apiUrl: gh.apiUrl, auth: { type: 'token', token: gh.addToken() } },
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
  for (const pull of gh.pulls('acme', 'fleet').filter((p) => p.state === 'open')) {
    await fetch(`${gh.apiUrl}/repos/acme/fleet/pulls/${pull.number}/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
      body: '{}',
    });
  }
  await checkRepository(services, repository);
  gh.clearRequests();
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  await publishRelease(root, 'digitron', 'v1.3.0', {
    'margo.yaml': withVersion(digitron, '1.3.0').replace('revision: 1.0.9', 'revision: 1.1.0'),
  });
  const started = performance.now();
  await poll();
  await runDueJobs(services, ['upgrade', 'propose'], 100);
  const seconds = (performance.now() - started) / 1000;
  const upgrades = gh.pulls('acme', 'fleet').filter((p) => p.state === 'open' && p.title.includes('upgrade')).length;
  const calls = gh.requests.filter((r) => !r.path.endsWith('.git') && !r.path.includes('.git/')).length;
  const limited = gh.requests.filter((r) => r.status === 403 || r.status === 429).length;
  const states = (await services.store.deployments.list({ applicationId: APP })).map((d) => d.state);
  const failed = states.filter((state) => state !== 'proposed').length;
  printSection(
    `Upgrade fan-out: one new version to ${TARGETS} deployments (policy minor) on the fake GitHub`,
    [
      { what: 'upgrade pull requests open afterwards', value: `${upgrades} of ${TARGETS}` },
      { what: 'time from the ingest of 1.3.0 until all exist', value: `${fmt(seconds, 1)} s` },
      { what: 'GitHub REST calls per proposal', value: fmt(calls / Math.max(upgrades, 1), 1) },
      { what: 'rate-limit answers (403/429) seen / deployments not proposed', value: `${limited} / ${failed}` },
      {
        what: 'peak RSS (seeding included) / before the fan-out',
        value: `${fmt(process.resourceUsage().maxRSS / 1024, 0)} MB / ${fmt(rssBefore, 0)} MB`,
      },
    ],
    [
      'One process: SQLite store, the upgrade job then one propose per deployment run sequentially by the test job runner (the jobs the service’s workers would run), the github provider with its throttling and retry plugins, write spacing off. Seeding (the first deployments and their merges) is not timed.',
    ],
  );
} finally {
  await runtime.close?.();
  await gh.stop();
  await gitServer.stop();
  await removeRegistryRoot(root);
  await rm(work, { recursive: true, force: true });
}
