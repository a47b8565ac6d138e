/**
 * End to end on the `github` provider against the fake GitHub: digitron ingested from the test
 * Git server → a deployment through the API → a pull request whose branch holds exactly what
 * `margo-bridge render` writes → merged by the fake's merge endpoint plus a signed
 * `pull_request` delivery to the real receiver → state merged, the files on the base branch.
 * Faults at each GitHub step still give exactly one pull request.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProposal } from '../src/flows/deployments/propose.js';
import {
  cliRendering,
  type DeploymentBody,
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronRequest,
  digitronValues,
  type GitHubWorld,
  gitHubWorld,
  githubDeploymentRepository,
} from './support/deployment-e2e.js';
import type { FakeGitHub } from './support/fake-github/index.js';
import { openApiProblems } from './support/fake-github/openapi.js';
import { nativeRepository } from './support/native-git.js';
import { runDueJobs } from './support/run-jobs.js';

const SECRET = 'webhook-secret-for-tests';
let world: GitHubWorld;
let gh: FakeGitHub;
let server: ReturnType<typeof serve>;
let receiver: string;
let repoCount = 0;

beforeAll(async () => {
  world = await gitHubWorld({ config: { webhooks: { secrets: [SECRET] } } });
  gh = world.gh;
  server = serve({ fetch: world.harness.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

/** A fresh GitHub repository and its deployment repository in margo-bridge. */
async function githubRepository(): Promise<{ name: string; repo: string }> {
  const repo = `fleet-${++repoCount}`;
  await githubDeploymentRepository(world, gh, repo, {
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read', issues: 'write' },
    settings: { labels: ['margo-bridge'], allowPlaintextSecrets: true },
  });
  return { name: repo, repo };
}

const request = (repository: string, target = 'plant-a/line-3') =>
  digitronRequest(repository, target, {
    values: { ...digitronValues, idpClientId: 'a-client-secret' },
    sensitive: ['idpClientId'],
  });

describe('deployments on GitHub (fake)', () => {
  it('proposes a pull request with exactly the rendered files, merged by GitHub and a webhook', async () => {
    const { name, repo } = await githubRepository();
    gh.clearRequests();
    const answer = await call('POST', '/api/v1/deployments', request(name));
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.state).toBe('proposed');
    const calls = Object.values(gh.routeCounts()).reduce((a, b) => a + b, 0);
    expect(calls).toBeLessThanOrEqual(7);
    const [pull] = gh.pulls('acme', repo);
    expect(gh.pulls('acme', repo)).toHaveLength(1);
    expect(pull!.number).toBe(answer.body.proposal!.number);
    expect(pull!.title).toBe(`feat(plant-a/line-3): deploy ${DIGITRON_ID} ${DIGITRON_VERSION}`);
    expect(pull!.body).toContain(`<!-- margo-bridge:deployment=${answer.body.id} -->`);
    expect(pull!.body).not.toContain('a-client-secret');

    const native = nativeRepository(gh.git('acme', repo).gitDir);
    const branch = (await native.files(answer.body.proposal!.branch))!;
    const folder = `plant-a/line-3/${answer.body.name}`;
    const expected = await cliRendering({
      profile: 'helm',
      target: 'plant-a/line-3',
      namespace: 'margo-poc',
      format: 'flux',
      values: { ...digitronValues, idpClientId: 'a-client-secret' },
      previousDeployment: branch[`${folder}/application-deployment.yaml`]!,
    });
    expect(branch).toEqual({ 'README.md': '# fleet\n', ...expected });

    // The reviewer merges on GitHub; GitHub tells margo-bridge with a signed delivery.
    const merged = await fetch(`${gh.apiUrl}/repos/acme/${repo}/pulls/${pull!.number}/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merge_method: 'merge' }),
    });
    expect(merged.status).toBe(200);
    const delivery = await gh.sendPullRequestEvent('acme', repo, pull!.number, 'closed', {
      url: receiver,
      secret: SECRET,
    });
    expect(delivery.status).toBe(202);
    await runDueJobs(world.harness.runtime.services, ['delivery', 'track']);
    const after = await call('GET', `/api/v1/deployments/${answer.body.id}`);
    expect(after.body.state).toBe('merged');
    expect(after.body.proposal!.state).toBe('merged');
    expect(await native.files('main')).toEqual(branch);
    expect(openApiProblems(gh.responses)).toEqual([]);
  });

  it('costs one REST call for an unchanged request and answers so', async () => {
    const { name } = await githubRepository();
    const first = await call('POST', '/api/v1/deployments', request(name, 'plant-u'));
    expect(first.status).toBe(201);
    const pull = first.body.proposal!.number;
    await fetch(`${gh.apiUrl}/repos/acme/${name}/pulls/${pull}/merge`, {
      method: 'PUT',
      headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
      body: '{}',
    });
    // No delivery: the periodic check finds it merged (one list call, then the pull request).
    await world.harness.runtime.services.store.jobs.enqueue({
      kind: 'track',
      payload: {
        repositoryId: (await world.harness.runtime.services.store.deploymentRepositories.getByName(name))!.id,
      },
    });
    await runDueJobs(world.harness.runtime.services, ['track']);
    expect((await call('GET', `/api/v1/deployments/${first.body.id}`)).body.state).toBe('merged');
    gh.clearRequests();
    const same = await call('PATCH', `/api/v1/deployments/${first.body.id}`, { values: {} });
    expect(same.body.unchanged).toBe(true);
    expect(Object.values(gh.routeCounts()).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
  });

  const steps: [string, string][] = [
    ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
    ['GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
    ['POST', '/repos/{owner}/{repo}/git/trees'],
    ['POST', '/repos/{owner}/{repo}/git/commits'],
    ['POST', '/repos/{owner}/{repo}/git/refs'],
    ['GET', '/repos/{owner}/{repo}/pulls'],
    ['POST', '/repos/{owner}/{repo}/pulls'],
  ];
  const faults = [
    { type: 'status', status: 502 },
    { type: 'too-many-requests', retryAfter: 1 },
    { type: 'secondary-limit', retryAfter: 1 },
  ] as const;

  it.each(steps.flatMap(([method, route]) => faults.map((fault) => [method, route, fault] as const)))(
    '%s %s failing once (%o) still gives exactly one pull request',
    async (method, route, fault) => {
      const { name, repo } = await githubRepository();
      // `after`: the write happens, then the answer is lost; the retry must not write it twice.
      gh.injectFault({ method, route, nth: 1, count: 1, fault, after: method === 'POST' });
      const answer = await call('POST', '/api/v1/deployments', request(name, 'plant-f'));
      expect([200, 201]).toContain(answer.status);
      if (answer.body.state === 'pending') {
        await runProposal(
          world.harness.runtime.services,
          (await world.harness.runtime.services.store.proposals.listByDeployment(answer.body.id))[0]!.id,
        );
      }
      const after = await call('GET', `/api/v1/deployments/${answer.body.id}`);
      expect(after.body.state).toBe('proposed');
      expect(gh.pulls('acme', repo)).toHaveLength(1);
      expect(after.body.proposal!.number).toBe(gh.pulls('acme', repo)[0]!.number);
    },
  );

  it('rebuilds the proposal on a base branch that moved meanwhile', async () => {
    const { name, repo } = await githubRepository();
    const first = await call('POST', '/api/v1/deployments', request(name, 'plant-m'));
    const native = nativeRepository(gh.git('acme', repo).gitDir);
    // Someone else changes the base branch; then the deployment changes.
    await native.setRef('main', await native.commit({ parent: 'main', files: { 'OTHER.md': 'other\n' } }));
    const changed = await call('PATCH', `/api/v1/deployments/${first.body.id}`, { values: { pollFrequency: 60 } });
    expect(changed.body.state).toBe('proposed');
    const head = changed.body.proposal!.commit;
    expect((await native.parents(head)).length).toBeGreaterThan(0);
    const files = (await native.files(changed.body.proposal!.branch))!;
    expect(files['OTHER.md']).toBe('other\n');
    expect(gh.pulls('acme', repo).filter((pull) => pull.state === 'open')).toHaveLength(1);
  });

  it('fails with the reason when GitHub refuses, and proposes on retry once the credentials are fixed', async () => {
    const repo = `fleet-${++repoCount}`;
    await gh.createRepo({ owner: 'acme', repo, defaultBranch: 'main', files: { 'README.md': '# fleet\n' } });
    const readOnly = gh.addToken({ permissions: { contents: 'read', pull_requests: 'read', metadata: 'read' } });
    const refused = await call('POST', '/api/v1/deployment-repositories', {
      name: repo,
      provider: 'github',
      github: { owner: 'acme', repo, apiUrl: gh.apiUrl, auth: { type: 'token', token: readOnly } },
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).not.toContain(readOnly);
    const forced = await call<{ id: string }>('POST', '/api/v1/deployment-repositories?force=true', {
      name: repo,
      provider: 'github',
      allowPlaintextSecrets: true,
      github: { owner: 'acme', repo, apiUrl: gh.apiUrl, auth: { type: 'token', token: readOnly } },
    });
    expect(forced.status).toBe(201);
    const failed = await call<DeploymentBody & { failureReason: string }>(
      'POST',
      '/api/v1/deployments',
      request(repo, 'plant-r'),
    );
    expect(failed.body.state).toBe('failed');
    expect(failed.body.failureReason).toMatch(/DEPLOY_/);
    expect(gh.pulls('acme', repo)).toHaveLength(0);
    const fixed = await call('PATCH', `/api/v1/deployment-repositories/${forced.body.id}`, {
      github: { auth: { type: 'token', token: gh.addToken() } },
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    const retried = await call('POST', `/api/v1/deployments/${failed.body.id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body.state).toBe('proposed');
    expect(gh.pulls('acme', repo)).toHaveLength(1);
  });

  it('learns a pull request closed on GitHub from its delivery', async () => {
    const { name, repo } = await githubRepository();
    const answer = await call('POST', '/api/v1/deployments', request(name, 'plant-x'));
    const number = answer.body.proposal!.number;
    const closed = await fetch(`${gh.apiUrl}/repos/acme/${repo}/pulls/${number}`, {
      method: 'PATCH',
      headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'closed' }),
    });
    expect(closed.status).toBe(200);
    const delivery = await gh.sendPullRequestEvent('acme', repo, number, 'closed', { url: receiver, secret: SECRET });
    expect(delivery.status).toBe(202);
    await runDueJobs(world.harness.runtime.services, ['delivery', 'track']);
    const after = await call('GET', `/api/v1/deployments/${answer.body.id}`);
    expect(after.body.state).toBe('closed');
    expect(after.body.proposal!.state).toBe('closed');
  });
});
