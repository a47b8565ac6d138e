/**
 * Gitea answers open pull requests a page at a time (at most 50, newest first). A repository with
 * more open pull requests than one page still has each of margo-bridge's found again: the oldest
 * one is updated in place (not a second `POST /pulls`, which Gitea refuses with 409), and the
 * periodic check's list holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeploymentProvider } from '../src/deploy/index.js';
import { nodeProviderPlatform } from '../src/deploy/node/index.js';
import { request } from '../src/deploy/provider.contract.js';
import { GIT_PASSWORD, GIT_USER } from './support/fake-forge/core.js';
import { type FakeGitea, startFakeGitea } from './support/fake-forge/gitea.js';

let gitea: FakeGitea;

beforeAll(async () => {
  gitea = await startFakeGitea();
}, 60_000);
afterAll(async () => {
  await gitea?.stop();
});

describe('Gitea pull requests beyond the first page', () => {
  it('finds the oldest open pull request of a branch behind 50 newer ones', async () => {
    const repository = 'acme/busy';
    await gitea.createRepo(repository, { 'README.md': '# busy\n' });
    const provider = createDeploymentProvider(
      {
        provider: 'git',
        url: gitea.core.cloneUrl(repository),
        allowHttp: true,
        auth: { type: 'basic', username: GIT_USER, password: GIT_PASSWORD },
        forge: { type: 'gitea', apiUrl: gitea.apiUrl, repository, token: gitea.addToken({ write: true }) },
      },
      nodeProviderPlatform({ dataDir: '/nonexistent', allowPrivateNetworks: true }),
    );
    const branch = 'margo-bridge/plant-a/app';
    const first = await provider.propose(
      request(branch, { 'plant-a/app/a.yaml': 'a: 1\n' }, { owned: ['plant-a/app'] }),
    );
    expect(first.outcome).toBe('created');
    // 50 newer open pull requests of other people's branches fill the first page.
    for (let index = 0; index < 50; index++) {
      gitea.core.addPull({
        repository,
        head: `feature-${index}`,
        base: 'main',
        title: `feature ${index}`,
        body: 'not ours',
        lastHead: '',
        labels: [],
      });
    }

    const changed = await provider.propose(
      request(branch, { 'plant-a/app/a.yaml': 'a: 2\n' }, { owned: ['plant-a/app'] }),
    );
    expect(changed.outcome).toBe('updated');
    expect(changed.proposal?.number).toBe(first.proposal?.number);
    expect(gitea.pulls(repository).filter((pull) => pull.head === branch)).toHaveLength(1);

    gitea.core.requests.length = 0;
    const open = await provider.listOpenProposals('margo-bridge/');
    expect(open.map((status) => status.number)).toEqual([first.proposal?.number]);
    // Two pages of 50 for 51 open pull requests: a list call per page, never one per pull request.
    expect(gitea.core.requests.map((r) => `${r.method} ${r.path.replace(/\?.*$/, '')}`)).toEqual([
      'GET /api/v1/repos/acme/busy/pulls',
      'GET /api/v1/repos/acme/busy/pulls',
    ]);
  }, 60_000);
});
