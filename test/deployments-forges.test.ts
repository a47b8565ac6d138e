/**
 * Deployments on Gitea and GitLab (fakes with real Git behind them) through the API: the
 * repository set up with `git.forge`, a deployment opens a pull / merge request, a reviewer
 * merges or closes it on the forge, the forge's signed delivery reaches the real receiver, and
 * the deployment's state follows; without a delivery, the periodic check finds it with one list
 * call per repository.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogueWorld, catalogueWorld, type DeploymentBody, digitronRequest } from './support/deployment-e2e.js';
import { GIT_PASSWORD, GIT_USER } from './support/fake-forge/core.js';
import {
  type ForgeDelivery,
  giteaPullRequestDelivery,
  gitlabMergeRequestDelivery,
} from './support/fake-forge/deliveries.js';
import { type FakeGitea, startFakeGitea } from './support/fake-forge/gitea.js';
import { type FakeGitLab, startFakeGitLab } from './support/fake-forge/gitlab.js';
import { nativeRepository } from './support/native-git.js';
import { runDueJobs } from './support/run-jobs.js';

const SECRET = 'forge-webhook-secret';
let world: CatalogueWorld;
let gitea: FakeGitea;
let gitlab: FakeGitLab;
let count = 0;

beforeAll(async () => {
  world = await catalogueWorld({ config: { webhooks: { secrets: [SECRET] } } });
  gitea = await startFakeGitea();
  gitlab = await startFakeGitLab();
}, 60_000);
afterAll(async () => {
  await gitea?.stop();
  await gitlab?.stop();
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

async function deliver(delivery: ForgeDelivery): Promise<number> {
  const response = await world.harness.app.request(delivery.path, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  await runDueJobs(world.harness.runtime.services, ['delivery', 'track']);
  return response.status;
}

const forges = {
  gitea: () => ({ fake: gitea as FakeGitea | FakeGitLab, type: 'gitea' as const }),
  gitlab: () => ({ fake: gitlab as FakeGitea | FakeGitLab, type: 'gitlab' as const }),
};

async function setUp(kind: keyof typeof forges) {
  const { fake, type } = forges[kind]();
  const repository = `acme/fleet-${++count}`;
  await fake.createRepo(repository, { 'README.md': '# fleet\n' });
  const token = fake.addToken({ write: true });
  const name = `${kind}-${count}`;
  const created = await call<{ id: string; settings: Record<string, unknown> }>(
    'POST',
    '/api/v1/deployment-repositories',
    {
      name,
      provider: 'git',
      format: 'flux',
      labels: ['margo-bridge'],
      git: {
        url: fake.core.cloneUrl(repository),
        allowHttp: true,
        auth: { type: 'basic', username: GIT_USER, password: GIT_PASSWORD },
        forge: { type, apiUrl: fake.apiUrl, repository, token },
      },
    },
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(JSON.stringify(created.body)).not.toContain(token);
  return { fake, repository, name, repositoryId: created.body.id };
}

const deploy = (name: string, target: string) => call('POST', '/api/v1/deployments', digitronRequest(name, target));

const delivery = (
  kind: keyof typeof forges,
  fake: FakeGitea | FakeGitLab,
  pull: Parameters<typeof giteaPullRequestDelivery>[2],
  what: 'merged' | 'closed' | 'reopened',
) =>
  kind === 'gitea'
    ? giteaPullRequestDelivery(fake.core, fake.origin, pull, what === 'reopened' ? 'reopened' : 'closed', SECRET)
    : gitlabMergeRequestDelivery(
        fake.core,
        fake.origin,
        pull,
        what === 'merged' ? 'merge' : what === 'closed' ? 'close' : 'reopen',
        SECRET,
      );

describe.each(['gitea', 'gitlab'] as const)('deployments on %s', (kind) => {
  it('opens a pull request, and a merged delivery makes the deployment merged', async () => {
    const { fake, repository, name } = await setUp(kind);
    const answer = await deploy(name, 'plant-a');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.state).toBe('proposed');
    const [pull] = fake.pulls(repository);
    expect(fake.pulls(repository)).toHaveLength(1);
    expect(answer.body.proposal?.number).toBe(pull?.number);
    expect(pull?.body).toContain(`<!-- margo-bridge:deployment=${answer.body.id} -->`);
    expect(pull?.labels).toEqual(['margo-bridge']);
    const mergeCommit = await fake.merge(repository, pull!.number);
    expect(await deliver(await delivery(kind, fake, pull!, 'merged'))).toBe(202);
    const after = await call('GET', `/api/v1/deployments/${answer.body.id}`);
    expect(after.body.state).toBe('merged');
    expect(await nativeRepository(fake.core.gitDir(repository)).head('main')).toBe(mergeCommit);
  });

  it('a closed delivery closes the deployment; reopened makes it proposed again', async () => {
    const { fake, repository, name } = await setUp(kind);
    const answer = await deploy(name, 'plant-b');
    const pull = fake.pulls(repository)[0]!;
    pull.state = 'closed';
    expect(await deliver(await delivery(kind, fake, pull, 'closed'))).toBe(202);
    expect((await call('GET', `/api/v1/deployments/${answer.body.id}`)).body.state).toBe('closed');
    pull.state = 'open';
    expect(await deliver(await delivery(kind, fake, pull, 'reopened'))).toBe(202);
    const reopened = await call('GET', `/api/v1/deployments/${answer.body.id}`);
    expect(reopened.body.state).toBe('proposed');
    expect(reopened.body.proposal?.state).toBe('proposed');
  });

  it('without deliveries, the periodic check settles every proposal with one list call', async () => {
    const { fake, repository, name, repositoryId } = await setUp(kind);
    const a = await deploy(name, 'plant-c');
    const b = await deploy(name, 'plant-d');
    const pulls = fake.pulls(repository);
    expect(pulls).toHaveLength(2);
    await fake.merge(repository, pulls[0]!.number);
    fake.core.requests.length = 0;
    await world.harness.runtime.services.store.jobs.enqueue({ kind: 'track', payload: { repositoryId } });
    await runDueJobs(world.harness.runtime.services, ['track']);
    const states = await Promise.all(
      [a, b].map(async (d) => (await call('GET', `/api/v1/deployments/${d.body.id}`)).body.state),
    );
    expect(states).toEqual(['merged', 'proposed']);
    // One list call for the repository, one more read for the proposal missing from it.
    expect(fake.core.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });
});
