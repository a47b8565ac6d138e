/**
 * Fidelity of the fake Gitea/Forgejo API (test/support/fake-forge/gitea.ts): every answer it gives
 * in this suite, successes and errors, to margo-bridge's own `git` + `forgejo` provider and to
 * direct calls, is an operation and a status that Forgejo's published API description documents,
 * with a body of the described shape (test/support/fake-forge/forgejo-description.ts, held to the
 * types of @llamaduck/forgejo-ts 15.0.9 by the compiler).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeploymentProvider } from '../src/deploy/index.js';
import { nodeProviderPlatform } from '../src/deploy/node/index.js';
import { request } from '../src/deploy/provider.contract.js';
import { GIT_PASSWORD, GIT_USER } from './support/fake-forge/core.js';
import { answerProblems, operations } from './support/fake-forge/forgejo-description.js';
import { type FakeGitea, startFakeGitea } from './support/fake-forge/gitea.js';

let forge: FakeGitea;

beforeAll(async () => {
  forge = await startFakeGitea();
}, 60_000);
afterAll(async () => {
  await forge?.stop();
});

describe("the fake Gitea/Forgejo API against Forgejo's API description", () => {
  it('answers every route, successes and errors, as the description documents them', async () => {
    await forge.createRepo('acme/fleet', { 'README.md': '# fleet\n' });
    await forge.createRepo('acme/locked', { 'README.md': '# locked\n' }, { writable: false });
    const token = forge.addToken({ write: true });
    const reader = forge.addToken({ write: false });
    const provider = createDeploymentProvider(
      {
        provider: 'git',
        url: forge.core.cloneUrl('acme/fleet'),
        allowHttp: true,
        auth: { type: 'basic', username: GIT_USER, password: GIT_PASSWORD },
        forge: { type: 'forgejo', apiUrl: forge.apiUrl, repository: 'acme/fleet', token },
      },
      nodeProviderPlatform({ dataDir: '/nonexistent', allowPrivateNetworks: true }),
    );

    // What margo-bridge itself asks: check, propose (branch, pull request, labels), read, list, close.
    await provider.check('main');
    const first = await provider.propose(request('margo-bridge/a', { 'plant-a/nginx/values.yaml': 'replicas: 1\n' }));
    const open = await provider.propose(request('margo-bridge/b', { 'plant-a/nginx/values.yaml': 'replicas: 2\n' }));
    expect(first.proposal?.number).toBeDefined();
    expect(await provider.getProposal(first.proposal!)).toMatchObject({ state: 'open' });
    expect((await provider.listOpenProposals('margo-bridge/')).length).toBe(2);
    await provider.close(first.proposal!);

    // The rest directly: each error the fake can give.
    const api = async (method: string, path: string, body?: unknown, as: string | null = token) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (as !== null) headers.authorization = `token ${as}`;
      const response = await fetch(`${forge.apiUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await response.arrayBuffer();
      return response.status;
    };
    const pulls = '/repos/acme/fleet/pulls';
    const number = open.proposal!.number!;
    const statuses = [
      await api('GET', '/repos/acme/fleet'),
      await api('GET', '/repos/acme/nope'),
      await api('GET', '/repos/acme/fleet', undefined, null),
      await api('GET', '/repos/acme/fleet', undefined, 'gitea-token-wrong'),
      await api('GET', `${pulls}?state=all&limit=50&page=1`),
      await api('POST', pulls, { head: 'margo-bridge/b', base: 'main', title: 'again' }),
      await api('POST', pulls, { head: 'margo-bridge/b' }),
      await api('POST', pulls, { head: 'no-such-branch', base: 'main', title: 'x' }),
      await api('POST', pulls, { head: 'margo-bridge/b', base: 'main', title: 'x' }, reader),
      await api('GET', `${pulls}/${number}`),
      await api('GET', `${pulls}/999`),
      await api('PATCH', `${pulls}/${number}`, { title: 'renamed' }),
      await api('PATCH', `${pulls}/${number}`, { title: 'no' }, reader),
      await api('POST', `/repos/acme/fleet/issues/${number}/labels`, { labels: ['margo-bridge', 'review'] }),
      await api('POST', `/repos/acme/fleet/issues/${number}/labels`, { labels: ['x'] }, reader),
      await api('POST', '/repos/acme/fleet/issues/999/labels', { labels: ['x'] }),
    ];
    await forge.merge('acme/fleet', number);
    statuses.push(await api('PATCH', `${pulls}/${number}`, { state: 'open' }));
    statuses.push(await api('GET', '/repos/acme/locked', undefined, reader));
    expect(statuses).toEqual([
      200, 404, 401, 401, 200, 409, 422, 404, 403, 200, 404, 201, 403, 200, 403, 404, 409, 200,
    ]);

    const answers = forge.core.requests.filter((entry) => entry.path.startsWith('/api/v1/'));
    const problems = answers.flatMap((entry) =>
      answerProblems({ method: entry.method, path: entry.path, status: entry.status, body: entry.answer }),
    );
    expect(problems).toEqual([]);
    // Every operation was answered with its success and with an error.
    const seen = (success: boolean) =>
      operations
        .filter((op) =>
          answers.some(
            (entry) =>
              entry.method === op.method &&
              op.pattern.test(entry.path) &&
              (entry.status === op.success.status) === success,
          ),
        )
        .map((op) => op.id);
    const all = operations.map((op) => op.id);
    expect(seen(true)).toEqual(all);
    expect(seen(false)).toEqual(all.filter((id) => id !== 'repoListPullRequests'));
  });

  it('finds an answer that departs from the description', async () => {
    const pull = forge.core.requests.find((entry) => entry.method === 'GET' && /\/pulls\/\d+$/.test(entry.path));
    expect(pull?.status).toBe(200);
    const answer = pull!.answer as Record<string, unknown>;
    const check = (body: unknown, status = 200) => answerProblems({ method: 'GET', path: pull!.path, status, body });
    expect(check(answer)).toEqual([]);
    expect(check({ ...answer, mergeable_state: 'clean' })).toEqual([
      expect.stringContaining('PullRequest.mergeable_state: not a field of PullRequest'),
    ]);
    expect(check({ ...answer, number: String(answer.number) })).toEqual([
      expect.stringContaining('PullRequest.number: string, the description says number'),
    ]);
    expect(check({ ...answer, labels: [{ id: 1, name: 'x', colour: 'fff' }] })).toEqual([
      expect.stringContaining('PullRequest.labels[0].colour: not a field of Label'),
    ]);
    expect(check({ ...answer, user: { login: 'bot' } })).toEqual([
      expect.stringContaining('PullRequest.user: has objects, but no shape to check them against'),
    ]);
    expect(check({ message: 'gone', url: 'x' }, 410)).toEqual([
      expect.stringContaining('status not documented for repoGetPullRequest'),
    ]);
    expect(answerProblems({ method: 'DELETE', path: pull!.path, status: 204, body: undefined })).toEqual([
      expect.stringContaining("no such operation in Forgejo's description"),
    ]);
  });
});
