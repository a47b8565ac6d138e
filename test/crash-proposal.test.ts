/**
 * Crash safety of proposals: the real service process is killed with SIGKILL after it pushed the
 * proposal's branch to (fake) GitHub and while the pull request is still being created. After a
 * restart the `propose` job runs again, adopts the branch and opens exactly one pull request.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIGITRON_ID, DIGITRON_VERSION, digitronValues } from './support/deployment-e2e.js';
import { describeOnEachDatabase } from './support/each-database.js';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { nativeRepository } from './support/native-git.js';
import { createRegistryRoot, exampleText, publishRelease, removeRegistryRoot } from './support/registries.js';
import { DIGITRON } from './support/render.js';
import { type LoggedService, serviceEnvironment, spawnService } from './support/service-process.js';

const ADMIN = 'crash-test-admin-token-0123';
const BRANCH = `margo-bridge/plant-a/line-3/${DIGITRON_ID}-deployment`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function crashSuite(databaseUrl: () => Promise<string | undefined>) {
  let root: string;
  let server: GitServer;
  let gh: FakeGitHub;
  let dir: string;
  let env: Record<string, string>;
  const running: LoggedService[] = [];

  beforeAll(async () => {
    root = await createRegistryRoot();
    await publishRelease(root, 'digitron', `v${DIGITRON_VERSION}`, { 'margo.yaml': await exampleText(DIGITRON) });
    server = await startGitServer({ root });
    gh = await startFakeGitHub();
    await gh.createRepo({ owner: 'acme', repo: 'fleet', defaultBranch: 'main', files: { 'README.md': '# fleet\n' } });
    ({ dir, env } = await serviceEnvironment(
      'mb-crash-proposal-',
      {
        allowPrivateNetworks: true,
        polling: { tick: 1 },
        jobs: { leaseSeconds: 2, pollIntervalMs: 100 },
        registries: [{ name: 'digitron', url: server.url('digitron'), allowHttp: true }],
        deploymentRepositories: [
          {
            name: 'fleet',
            provider: 'github',
            format: 'flux',
            github: { owner: 'acme', repo: 'fleet', apiUrl: gh.apiUrl, auth: { type: 'token', token: gh.addToken() } },
          },
        ],
      },
      { adminToken: ADMIN, databaseUrl: await databaseUrl() },
    ));
  }, 60_000);

  afterAll(async () => {
    for (const service of running) await service.kill('SIGKILL');
    await gh?.stop();
    await server?.stop();
    if (root) await removeRegistryRoot(root);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('adopts the pushed branch after a SIGKILL before the pull request, opening exactly one', {
    timeout: 120_000,
  }, async () => {
    const first = spawnService(['serve'], env);
    running.push(first);
    const base = String((await first.waitFor('margo-bridge listening')).url);
    await first.waitFor('ingest done', 60_000);
    // Pull requests cannot be created for now: the process pushes, then keeps retrying here.
    gh.injectFault({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      count: 1_000,
      fault: { type: 'status', status: 502 },
    });
    const answer = fetch(`${base}/api/v1/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        repository: 'fleet',
        applicationId: DIGITRON_ID,
        version: DIGITRON_VERSION,
        profile: 'helm',
        target: 'plant-a/line-3',
        namespace: 'margo-poc',
        values: digitronValues,
      }),
    }).catch(() => undefined);
    await until('the branch and a pull request attempt', async () => {
      const tried = gh.requests.some((request) => request.method === 'POST' && /\/pulls$/.test(request.path));
      const branch = await nativeRepository(gh.git('acme', 'fleet').gitDir).head(BRANCH);
      return tried && branch ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.exited;
    await answer;
    expect(gh.pulls('acme', 'fleet')).toHaveLength(0);

    gh.clearFaults();
    const second = spawnService(['serve'], env);
    running.push(second);
    const restarted = String((await second.waitFor('margo-bridge listening')).url);
    const made = await second.waitFor('proposal made', 60_000);
    expect(['adopted', 'created']).toContain(made.outcome);
    expect(gh.pulls('acme', 'fleet')).toHaveLength(1);
    const list = await fetch(`${restarted}/api/v1/deployments`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const { deployments } = (await list.json()) as { deployments: { state: string; proposal: { number: number } }[] };
    expect(deployments).toHaveLength(1);
    expect(deployments[0]).toMatchObject({
      state: 'proposed',
      proposal: { number: gh.pulls('acme', 'fleet')[0]!.number },
    });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
}

describeOnEachDatabase('crash between push and pull request', crashSuite);
