/**
 * The `git` provider with a forge's pull requests, on the fake Gitea and the fake GitLab (real
 * Git behind both): the provider contract, the pull request found again by branch and marker, its
 * state read from the forge after a reviewer's merge, and the error bodies each forge documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeploymentProvider } from '../src/deploy/index.js';
import { nodeProviderPlatform } from '../src/deploy/node/index.js';
import { describeProviderContract, type ProviderHarness, request } from '../src/deploy/provider.contract.js';
import type { GitProviderSettings } from '../src/deploy/settings.js';
import { isBridgeError } from '../src/errors.js';
import { GIT_PASSWORD, GIT_USER } from './support/fake-forge/core.js';
import { type FakeGitea, startFakeGitea } from './support/fake-forge/gitea.js';
import { type FakeGitLab, startFakeGitLab } from './support/fake-forge/gitlab.js';
import { nativeHarnessParts, nativeRepository } from './support/native-git.js';

type Fake = FakeGitea | FakeGitLab;
const fakes: { gitea?: FakeGitea; gitlab?: FakeGitLab } = {};
let count = 0;

beforeAll(async () => {
  fakes.gitea = await startFakeGitea();
  fakes.gitlab = await startFakeGitLab();
}, 60_000);
afterAll(async () => {
  await fakes.gitea?.stop();
  await fakes.gitlab?.stop();
});

const platform = () => nodeProviderPlatform({ dataDir: '/nonexistent', allowPrivateNetworks: true });

function settings(
  fake: Fake,
  type: 'gitea' | 'gitlab',
  repository: string,
  token: string,
  password = GIT_PASSWORD,
): GitProviderSettings {
  return {
    provider: 'git',
    url: fake.core.cloneUrl(repository),
    allowHttp: true,
    auth: { type: 'basic', username: GIT_USER, password },
    forge: { type, apiUrl: fake.apiUrl, repository, token },
  };
}

for (const type of ['gitea', 'gitlab'] as const) {
  describeProviderContract(`git + ${type}`, {
    keepsClosedProposals: true,
    async create(seed): Promise<ProviderHarness> {
      const fake = fakes[type] as Fake;
      const repository = `acme/deploy-${++count}`;
      const readOnly = `acme/readonly-${count}`;
      const repo = nativeRepository(fake.core.gitDir(repository));
      await fake.createRepo(repository, seed);
      await fake.createRepo(readOnly, seed, { writable: false });
      const token = fake.addToken({ write: true });
      const build = (s: GitProviderSettings) => createDeploymentProvider(s, platform());
      return {
        provider: build(settings(fake, type, repository, token)),
        ...nativeHarnessParts(repo),
        refused: () => build(settings(fake, type, repository, 'wrong-token', 'wrong')),
        lacking: () => ({
          provider: build(settings(fake, type, readOnly, fake.addToken({ write: false }))),
          permission: /push|write/,
        }),
        stop: async () => undefined,
      };
    },
  });
}

/** A fresh repository `acme/<prefix>-N` on the `type` forge, and a provider with a write token for it. */
async function writableRepository(type: 'gitea' | 'gitlab', prefix: string) {
  const fake = fakes[type] as Fake;
  const repository = `acme/${prefix}-${++count}`;
  await fake.createRepo(repository, { 'README.md': '# x\n' });
  const provider = createDeploymentProvider(
    settings(fake, type, repository, fake.addToken({ write: true })),
    platform(),
  );
  return { fake, repository, provider };
}

const nginxRequest = () =>
  request('margo-bridge/plant-a/nginx', { 'plant-a/nginx/a.yaml': 'a: 1\n' }, { owned: ['plant-a/nginx'] });

describe.each(['gitea', 'gitlab'] as const)('pull requests on %s', (type) => {
  it('opens one pull request with the marker and labels, and reads merged after a reviewer merges', async () => {
    const { fake, repository, provider } = await writableRepository(type, 'merge');
    const input = nginxRequest();
    const created = await provider.propose(input);
    expect(created.outcome).toBe('created');
    const [pull] = fake.pulls(repository);
    expect(fake.pulls(repository)).toHaveLength(1);
    expect(pull?.body).toContain(input.marker);
    expect(pull?.labels).toEqual(['margo-bridge']);
    expect(created.proposal?.url).toContain(String(pull?.number));
    // A retitled request edits the same pull request.
    const retitled = await provider.propose({ ...input, title: 'new title' });
    expect(retitled.outcome).toBe('adopted');
    expect(fake.pulls(repository)).toHaveLength(1);
    expect(fake.pulls(repository)[0]?.title).toBe('new title');
    const mergeCommit = await fake.merge(repository, pull?.number as number);
    expect(await provider.getProposal({ branch: input.branch, number: pull?.number as number })).toMatchObject({
      state: 'merged',
      mergeCommit,
    });
    expect(await provider.listOpenProposals('margo-bridge/')).toEqual([]);
    // Merged: the next change of the deployment is a new pull request.
    const next = await provider.propose(
      request(input.branch, { 'plant-a/nginx/a.yaml': 'a: 2\n' }, { owned: ['plant-a/nginx'] }),
    );
    expect(next.outcome).toBe('created');
    expect(next.proposal?.number).toBe((pull?.number as number) + 1);
  });

  it('refuses to adopt a pull request from the branch that lacks the marker', async () => {
    const { fake, repository, provider } = await writableRepository(type, 'foreign');
    const input = nginxRequest();
    await provider.propose(input);
    const pull = fake.pulls(repository)[0];
    if (pull) pull.body = 'edited by someone';
    await expect(provider.propose({ ...input, title: 'other' })).rejects.toSatisfy(
      (error) => isBridgeError(error, 'CONFLICT') && /marker/.test((error as Error).message),
    );
  });

  it('costs one list call per periodic check, whatever the number of open proposals', async () => {
    const { fake, provider } = await writableRepository(type, 'many');
    for (const name of ['a', 'b', 'c']) {
      await provider.propose(
        request(`margo-bridge/t/${name}`, { [`t/${name}/x.yaml`]: 'x: 1\n' }, { owned: [`t/${name}`] }),
      );
    }
    fake.core.requests.length = 0;
    expect(await provider.listOpenProposals('margo-bridge/')).toHaveLength(3);
    expect(fake.core.requests).toHaveLength(1);
  });
});
