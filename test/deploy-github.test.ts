/**
 * The github provider on the fake GitHub: the provider contract, REST calls per proposal, what it
 * remembers going stale, faults at every step, GitHub App tokens. Over 400 lines: one fake GitHub
 * and one set of helpers serve all of these suites (a split would repeat both per file).
 */
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubProvider } from '../src/deploy/github.js';
import type { GitHubPlatform } from '../src/deploy/github-client.js';
import { gitHubMemory } from '../src/deploy/github-memory.js';
import type { ProposeResult } from '../src/deploy/interface.js';
import { describeProviderContract, type ProviderHarness, request } from '../src/deploy/provider.contract.js';
import type { GitHubAuth } from '../src/deploy/settings.js';
import { isBridgeError } from '../src/errors.js';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { nativeHarnessParts, nativeRepository } from './support/native-git.js';

let gh: FakeGitHub;
let count = 0;
/** Small waits: a `retry-after: 1` is waited out in 5 ms. */
const platform: GitHubPlatform = { writeSpacingMs: 0, retryAfterBaseMs: 5 };

beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterAll(async () => {
  await gh?.stop();
});

async function repository(seed: Record<string, string>) {
  const name = `deploy-${++count}`;
  await gh.createRepo({ owner: 'acme', repo: name, defaultBranch: 'main', files: seed });
  return { name, native: nativeRepository(gh.git('acme', name).gitDir) };
}

function provider(repo: string, auth: GitHubAuth, extra: GitHubPlatform = {}) {
  return createGitHubProvider(
    { provider: 'github', owner: 'acme', repo, apiUrl: gh.apiUrl, auth },
    { ...platform, ...extra },
  );
}

const token = (permissions?: Parameters<FakeGitHub['addToken']>[0]) => ({
  type: 'token' as const,
  token: gh.addToken(permissions),
});

describeProviderContract('github', {
  keepsClosedProposals: true,
  async create(seed): Promise<ProviderHarness> {
    const { name, native } = await repository(seed);
    return {
      provider: provider(name, token()),
      ...nativeHarnessParts(native),
      refused: () => provider(name, { type: 'token', token: 'ghp_not-a-token' }),
      lacking: () => ({
        provider: provider(
          name,
          token({ permissions: { contents: 'write', pull_requests: 'read', metadata: 'read' } }),
        ),
        permission: /pull_requests: write/,
      }),
      stop: async () => undefined,
    };
  },
});

const seed = { 'README.md': '# deployments\n', 'plant-a/nginx/stale.yaml': 'old\n' };
const rendering = { 'plant-a/nginx/deployment.yaml': 'kind: ApplicationDeployment\n' };

describe('github provider: REST calls per proposal', () => {
  const v2 = { 'plant-a/nginx/deployment.yaml': 'v2\n' };
  /** The REST calls `work` made, by route (App token routes aside). */
  async function callsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
    gh.clearRequests();
    await work();
    return Object.fromEntries(Object.entries(gh.routeCounts()).filter(([route]) => !route.includes('/app/')));
  }

  it('new: 6, 7 with labels; 1 less each once the base commit is known; unchanged: 1', async () => {
    const { name } = await repository(seed);
    const github = provider(name, token(), { memory: gitHubMemory() });
    const cold = await callsOf(() => github.propose(request('margo-bridge/a', rendering, { labels: [] })));
    expect(cold).toEqual({
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
      'GET /repos/{owner}/{repo}/branches/{branch}': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'POST /repos/{owner}/{repo}/git/refs': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
    });
    const owned = { owned: ['plant-a/b'] };
    const warmLabelled = await callsOf(() =>
      github.propose(request('margo-bridge/b', { 'plant-a/b/x.yaml': 'b\n' }, owned)),
    );
    expect(warmLabelled['POST /repos/{owner}/{repo}/issues/{issue_number}/labels']).toBe(1);
    expect(warmLabelled['GET /repos/{owner}/{repo}/branches/{branch}']).toBeUndefined();
    expect(total(warmLabelled)).toBe(6);
    const warm = await callsOf(() =>
      github.propose(request('margo-bridge/c', { 'plant-a/c/x.yaml': 'c\n' }, { owned: ['plant-a/c'], labels: [] })),
    );
    expect(total(warm)).toBe(5);

    const coldLabelled = provider(name, token(), { memory: gitHubMemory() });
    const labelled = await callsOf(() =>
      coldLabelled.propose(request('margo-bridge/d', { 'plant-a/d/x.yaml': 'd\n' }, { owned: ['plant-a/d'] })),
    );
    expect(total(labelled)).toBe(7);

    let unchanged: ProposeResult | undefined;
    const calls = await callsOf(async () => {
      unchanged = await github.propose(request('margo-bridge/e', { 'README.md': '# deployments\n' }, { owned: [] }));
    });
    expect(unchanged?.outcome).toBe('unchanged');
    expect(calls).toEqual({ 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1 });
  });

  it('update: 5 (the pull request is edited or read before the branch moves); the same request again: 2', async () => {
    const { name, native } = await repository(seed);
    const github = provider(name, token(), { memory: gitHubMemory() });
    const first = await github.propose(request('margo-bridge/a', rendering));
    let update: ProposeResult | undefined;
    const updateCalls = await callsOf(async () => {
      update = await github.propose(request('margo-bridge/a', v2, { title: 'v2' }));
    });
    expect(update?.outcome).toBe('updated');
    expect(update?.proposal?.number).toBe(first.proposal?.number);
    expect(updateCalls).toEqual({
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
    });
    expect(gh.pulls('acme', name)[0]?.title).toBe('v2');
    expect(await native.head('margo-bridge/a')).toBe(update?.proposal?.commit);
    expect(await native.parents(update?.proposal?.commit as string)).toEqual([await native.head('main')]);

    // Same words, new files: the pull request is read instead of edited.
    const quiet = await callsOf(() =>
      github.propose(request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v3\n' }, { title: 'v2' })),
    );
    expect(quiet['GET /repos/{owner}/{repo}/pulls/{pull_number}']).toBe(1);
    expect(total(quiet)).toBe(5);

    let again: ProposeResult | undefined;
    const againCalls = await callsOf(async () => {
      again = await github.propose(
        request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v3\n' }, { title: 'v2' }),
      );
    });
    expect(again?.outcome).toBe('adopted');
    expect(again?.proposal?.commit).toBe(await native.head('margo-bridge/a'));
    expect(againCalls).toEqual({
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
      'GET /repos/{owner}/{repo}/pulls/{pull_number}': 1,
    });
    expect(await native.log('margo-bridge/a')).toHaveLength(2);
  });

  it('after a restart (nothing remembered): update 9 with new words, the same request again 7', async () => {
    const { name } = await repository(seed);
    const credentials = token();
    await provider(name, credentials, { memory: gitHubMemory() }).propose(request('margo-bridge/a', rendering));
    let update: ProposeResult | undefined;
    const updateCalls = await callsOf(async () => {
      update = await provider(name, credentials, { memory: gitHubMemory() }).propose(
        request('margo-bridge/a', v2, { title: 'v2' }),
      );
    });
    expect(update?.outcome).toBe('updated');
    let again: ProposeResult | undefined;
    const againCalls = await callsOf(async () => {
      again = await provider(name, credentials, { memory: gitHubMemory() }).propose(
        request('margo-bridge/a', v2, { title: 'v2' }),
      );
    });
    expect(again?.outcome).toBe('adopted');
    expect({ update: total(updateCalls), again: total(againCalls) }).toEqual({ update: 9, again: 7 });
  });
});

describe('github provider: what it remembers goes stale', () => {
  const v2 = { 'plant-a/nginx/deployment.yaml': 'v2\n' };
  async function proposed() {
    const { name, native } = await repository(seed);
    const credentials = token();
    const github = provider(name, credentials, { memory: gitHubMemory() });
    const first = await github.propose(request('margo-bridge/a', rendering));
    const reviewer = new Octokit({ baseUrl: gh.apiUrl, auth: credentials.token });
    return { name, native, github, first, number: first.proposal?.number as number, reviewer };
  }

  it('a pull request closed meanwhile: a new one is opened, the closed one keeps its words', async () => {
    const { name, github, number, reviewer } = await proposed();
    await reviewer.rest.pulls.update({ owner: 'acme', repo: name, pull_number: number, state: 'closed' });
    const result = await github.propose(request('margo-bridge/a', v2, { title: 'v2' }));
    expect(result.outcome).toBe('created');
    expect(result.proposal?.number).not.toBe(number);
    const byNumber = new Map(gh.pulls('acme', name).map((pull) => [pull.number, pull]));
    expect(byNumber.get(number)).toMatchObject({ state: 'closed', title: request('margo-bridge/a', {}).title });
    expect(byNumber.get(result.proposal?.number as number)).toMatchObject({ state: 'open', title: 'v2' });
  });

  it('a branch deleted meanwhile (which closes its pull request): pushed again with a new pull request', async () => {
    const { name, native, github, number, reviewer } = await proposed();
    await reviewer.rest.git.deleteRef({ owner: 'acme', repo: name, ref: 'heads/margo-bridge/a' });
    const result = await github.propose(request('margo-bridge/a', v2));
    expect(result.outcome).toBe('created');
    expect(result.proposal?.number).not.toBe(number);
    expect(await native.files('margo-bridge/a')).toEqual({ 'README.md': seed['README.md'], ...v2 });
  });

  it('a head moved by someone else: the same request again is not taken for done', async () => {
    const { name, native, github, number } = await proposed();
    const foreign = await native.commit({ parent: 'margo-bridge/a', files: { 'plant-a/nginx/extra.yaml': 'x\n' } });
    await native.setRef('margo-bridge/a', foreign);
    const result = await github.propose(request('margo-bridge/a', rendering));
    expect(result).toMatchObject({ outcome: 'updated', proposal: { number } });
    expect(await native.files('margo-bridge/a')).toEqual({ 'README.md': seed['README.md'], ...rendering });
    expect(await native.log('margo-bridge/a')).toHaveLength(2);
    expect(gh.pulls('acme', name)).toHaveLength(1);
  });

  it('a branch gone while its pull request still shows open (the ref update answers 422): pushed again', async () => {
    const { name, native, github, number } = await proposed();
    // Straight in the bare repository: GitHub closes the pull request a moment after, not at once.
    await gh.git('acme', name).text(['update-ref', '-d', 'refs/heads/margo-bridge/a']);
    gh.clearRequests();
    const result = await github.propose(request('margo-bridge/a', v2, { title: 'v2' }));
    expect(
      gh.requests.some((r) => r.method === 'PATCH' && r.route?.endsWith('/git/refs/{ref}') && r.status === 422),
    ).toBe(true);
    expect(result).toMatchObject({ outcome: 'adopted', proposal: { number, state: 'open' } });
    expect(await native.head('margo-bridge/a')).toBe(result.proposal?.commit);
    expect(await native.files('margo-bridge/a')).toEqual({ 'README.md': seed['README.md'], ...v2 });
    expect(gh.pulls('acme', name)).toMatchObject([{ number, title: 'v2' }]);
  });

  it('nothing remembered, a branch gone while its pull request is open: the pull request takes the new words', async () => {
    const { name, native, number } = await proposed();
    await gh.git('acme', name).text(['update-ref', '-d', 'refs/heads/margo-bridge/a']);
    const restarted = provider(name, token(), { memory: gitHubMemory() });
    const result = await restarted.propose(request('margo-bridge/a', v2, { title: 'v2' }));
    expect(result).toMatchObject({ outcome: 'adopted', proposal: { number, state: 'open' } });
    expect(await native.head('margo-bridge/a')).toBe(result.proposal?.commit);
    expect(gh.pulls('acme', name)).toMatchObject([{ number, title: 'v2' }]);
  });

  it('a base branch moved since: the base is read again and the update is built on it', async () => {
    const { native, github, number } = await proposed();
    const moved = await native.commit({ parent: 'main', files: { 'plant-b/app.yaml': 'kind: B\n' } });
    await native.setRef('main', moved);
    gh.clearRequests();
    const result = await github.propose(request('margo-bridge/a', v2));
    expect(gh.routeCounts()['GET /repos/{owner}/{repo}/branches/{branch}']).toBe(1);
    expect(result).toMatchObject({ outcome: 'updated', proposal: { number } });
    expect(await native.parents(result.proposal?.commit as string)).toEqual([moved]);
  });
});

describe('github provider: merged on GitHub', () => {
  it('reports the merge, lists the proposal no more, and opens a new pull request for the next change', async () => {
    const { name, native } = await repository(seed);
    const credentials = token();
    const github = provider(name, credentials);
    const created = await github.propose(request('margo-bridge/a', rendering));
    const number = created.proposal?.number as number;
    const reviewer = new Octokit({ baseUrl: gh.apiUrl, auth: credentials.token });
    await reviewer.rest.pulls.merge({ owner: 'acme', repo: name, pull_number: number, merge_method: 'merge' });
    const merged = await github.getProposal({ branch: 'margo-bridge/a', number });
    expect(merged).toMatchObject({ state: 'merged', mergeCommit: await native.head('main') });
    expect(await github.listOpenProposals('margo-bridge/')).toEqual([]);
    gh.clearRequests();
    const next = await github.propose(
      request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v2\n' }, { labels: [] }),
    );
    expect(next.outcome).toBe('created');
    expect(next.proposal?.number).not.toBe(number);
    expect(await native.parents(next.proposal?.commit as string)).toEqual([await native.head('main')]);
    expect(await native.head('margo-bridge/a')).toBe(next.proposal?.commit);
    // Known merged (getProposal said so): base tree, base branch (moved by the merge), tree, commit, ref, pull request.
    expect(gh.routeCounts()).toEqual({
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
      'GET /repos/{owner}/{repo}/branches/{branch}': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
    });
  });

  it('merged unnoticed: the edit of its words is undone and a new pull request opens (7 calls, base known)', async () => {
    const { name, native } = await repository(seed);
    const credentials = token();
    const github = provider(name, credentials, { memory: gitHubMemory() });
    const created = await github.propose(request('margo-bridge/a', rendering));
    const number = created.proposal?.number as number;
    const reviewer = new Octokit({ baseUrl: gh.apiUrl, auth: credentials.token });
    await reviewer.rest.pulls.merge({ owner: 'acme', repo: name, pull_number: number, merge_method: 'squash' });
    // Another proposal learns the merged base first, so only the unnoticed merge costs here.
    await github.propose(request('margo-bridge/b', { 'plant-a/b/x.yaml': 'b\n' }, { owned: ['plant-a/b'] }));
    gh.clearRequests();
    const next = await github.propose(
      request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v2\n' }, { title: 'v2', labels: [] }),
    );
    expect(next.outcome).toBe('created');
    expect(next.proposal?.number).not.toBe(number);
    expect(await native.head('margo-bridge/a')).toBe(next.proposal?.commit);
    const byNumber = new Map(gh.pulls('acme', name).map((pull) => [pull.number, pull]));
    expect(byNumber.get(number)).toMatchObject({ title: request('margo-bridge/a', {}).title });
    expect(byNumber.get(next.proposal?.number as number)).toMatchObject({ state: 'open', title: 'v2' });
    expect(gh.routeCounts()).toEqual({
      'GET /repos/{owner}/{repo}/git/trees/{tree_sha}': 1,
      'POST /repos/{owner}/{repo}/git/trees': 1,
      'POST /repos/{owner}/{repo}/git/commits': 1,
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}': 2,
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}': 1,
      'POST /repos/{owner}/{repo}/pulls': 1,
    });
  });
});

describe('github provider: a base branch moving between its two reads', () => {
  it('plans again on the tip it read, so the proposal is based on it', async () => {
    const { name, native } = await repository(seed);
    let moved: string | undefined;
    // Someone pushes to main right after margo-bridge read main's tree.
    const racing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!moved && String(input).includes('/git/trees/main')) {
        moved = await native.commit({ parent: 'main', files: { 'plant-b/app.yaml': 'kind: B\n' } });
        await native.setRef('main', moved);
      }
      return response;
    };
    const github = provider(name, token(), { fetch: racing });
    const result = await github.propose(request('margo-bridge/a', rendering));
    expect(moved).toBeDefined();
    expect(await native.parents(result.proposal?.commit as string)).toEqual([moved]);
    expect(await native.files('margo-bridge/a')).toEqual({
      'README.md': seed['README.md'],
      'plant-b/app.yaml': 'kind: B\n',
      ...rendering,
    });
  });
});

describe('github provider: faults', () => {
  const steps: [string, string][] = [
    ['GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
    ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
    ['POST', '/repos/{owner}/{repo}/git/trees'],
    ['POST', '/repos/{owner}/{repo}/git/commits'],
    ['POST', '/repos/{owner}/{repo}/git/refs'],
    ['POST', '/repos/{owner}/{repo}/pulls'],
    ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ];
  const faults = [
    { type: 'status', status: 502 },
    { type: 'too-many-requests', retryAfter: 1 },
    { type: 'secondary-limit', retryAfter: 1 },
    { type: 'primary-limit', resetAfter: 1 },
  ] as const;
  for (const [method, route] of steps) {
    for (const fault of faults) {
      // A fault after the handler ran matters for writes only: a read has no side effect.
      for (const after of method === 'GET' ? [false] : [false, true]) {
        it(`${method} ${route}: ${fault.type}${after ? ' after the change was made' : ''} → one proposal`, async () => {
          const { name, native } = await repository(seed);
          const github = provider(name, token());
          gh.injectFault({ method, route, fault, after });
          const result = await github.propose(request('margo-bridge/a', rendering));
          expect(gh.pendingFaults()).toBe(0);
          expect(['created', 'adopted']).toContain(result.outcome);
          expect(gh.pulls('acme', name)).toHaveLength(1);
          expect(await native.files('margo-bridge/a')).toEqual({ 'README.md': seed['README.md'], ...rendering });
          expect(await native.log('margo-bridge/a')).toHaveLength(2);
          gh.clearFaults();
        });
      }
    }
  }

  // Remembered: the quick path of an update; nothing remembered (after a restart): the full path.
  const updateSteps: [boolean, string, string][] = [
    [true, 'GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
    [true, 'POST', '/repos/{owner}/{repo}/git/trees'],
    [true, 'POST', '/repos/{owner}/{repo}/git/commits'],
    [true, 'PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}'],
    [true, 'PATCH', '/repos/{owner}/{repo}/git/refs/{ref}'],
    [false, 'POST', '/repos/{owner}/{repo}/git/refs'],
    [false, 'GET', '/repos/{owner}/{repo}/branches/{branch}'],
    [false, 'PATCH', '/repos/{owner}/{repo}/git/refs/{ref}'],
    [false, 'GET', '/repos/{owner}/{repo}/pulls'],
    [false, 'PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ];
  for (const [remembered, method, route] of updateSteps) {
    const path = remembered ? 'remembered' : 'nothing remembered';
    it(`update, ${path}, ${method} ${route}: 502 after the change was made, then a secondary limit → one new commit`, async () => {
      const { name, native } = await repository(seed);
      const github = provider(name, token(), { memory: gitHubMemory(remembered ? 10 : 0) });
      const first = await github.propose(request('margo-bridge/a', rendering));
      // The first matching request of the update (the base branch read comes first for GET branches).
      const nth = route.endsWith('{branch}') ? 2 : 1;
      gh.injectFault({ method, route, nth, fault: { type: 'status', status: 502 }, after: method !== 'GET' });
      gh.injectFault({ method, route, nth: nth + 1, fault: { type: 'secondary-limit', retryAfter: 1 } });
      const next = { 'plant-a/nginx/deployment.yaml': 'v2\n' };
      const result = await github.propose(request('margo-bridge/a', next, { title: 'v2' }));
      // Every fault of the quick path is met (a write of the full path may be answered 422 before a retry).
      if (remembered) expect(gh.pendingFaults()).toBe(0);
      expect(result.outcome).toBe('updated');
      expect(result.proposal?.number).toBe(first.proposal?.number);
      expect(gh.pulls('acme', name)).toHaveLength(1);
      expect(gh.pulls('acme', name)[0]?.title).toBe('v2');
      expect(await native.files('margo-bridge/a')).toEqual({ 'README.md': seed['README.md'], ...next });
      expect(await native.log('margo-bridge/a')).toHaveLength(2);
      gh.clearFaults();
    });
  }

  it('gives up with a retryable error when GitHub keeps failing', async () => {
    const { name } = await repository(seed);
    const github = provider(name, token(), { retries: 1 });
    gh.injectFault({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      fault: { type: 'status', status: 503 },
      count: 5,
    });
    await expect(github.propose(request('margo-bridge/a', rendering))).rejects.toSatisfy((error) =>
      isBridgeError(error, 'DEPLOY_UNREACHABLE'),
    );
    gh.clearFaults();
    // The next attempt adopts the branch the failed one pushed.
    const next = await github.propose(request('margo-bridge/a', rendering));
    expect(next.outcome).toBe('adopted');
    expect(gh.pulls('acme', name)).toHaveLength(1);
  });

  it('does not wait for a primary limit that resets too far ahead', async () => {
    const { name } = await repository(seed);
    const github = provider(name, token(), { maxRateLimitWaitSeconds: 5 });
    gh.injectFault({
      route: '/repos/{owner}/{repo}/git/trees/{tree_sha}',
      fault: { type: 'primary-limit', resetAfter: 3600 },
    });
    await expect(github.propose(request('margo-bridge/a', rendering))).rejects.toSatisfy(
      (error) => isBridgeError(error, 'DEPLOY_UNREACHABLE') && /rate limit/.test(error.message),
    );
    gh.clearFaults();
  });
});

describe('github provider: GitHub App', () => {
  it('proposes with installation tokens, renewed before they expire', async () => {
    const app = gh.addApp({ installations: [{ owner: 'acme' }] });
    const { name } = await repository(seed);
    const auth: GitHubAuth = {
      type: 'app',
      appId: app.appId,
      privateKey: app.privateKey as string,
      installationId: app.installationIds[0] as number,
    };
    let clock = Date.now();
    const github = provider(name, auth, { now: () => clock });
    await github.check('main');
    const first = await github.propose(request('margo-bridge/a', rendering));
    expect(first.outcome).toBe('created');
    const tokensBefore = gh.routeCounts()['POST /app/installations/{installation_id}/access_tokens'] ?? 0;
    // 50 minutes on: within the renewal margin of a one-hour token.
    clock += 56 * 60_000;
    await github.getProposal({ branch: 'margo-bridge/a', number: first.proposal?.number as number });
    expect(gh.routeCounts()['POST /app/installations/{installation_id}/access_tokens']).toBe(tokensBefore + 1);
  });

  it('replaces an installation token GitHub stopped accepting', async () => {
    const app = gh.addApp({ installations: [{ owner: 'acme' }] });
    const { name } = await repository(seed);
    const github = provider(name, {
      type: 'app',
      appId: app.appId,
      privateKey: app.privateKey as string,
      installationId: app.installationIds[0] as number,
    });
    const first = await github.propose(request('margo-bridge/a', rendering));
    gh.expireTokens();
    expect(
      await github.getProposal({ branch: 'margo-bridge/a', number: first.proposal?.number as number }),
    ).toMatchObject({
      state: 'open',
    });
  });

  it('names the permission an installation lacks', async () => {
    const app = gh.addApp({
      installations: [{ owner: 'acme', permissions: { contents: 'read', pull_requests: 'write', metadata: 'read' } }],
    });
    const { name } = await repository(seed);
    const github = provider(name, {
      type: 'app',
      appId: app.appId,
      privateKey: app.privateKey as string,
      installationId: app.installationIds[0] as number,
    });
    await expect(github.check('main')).rejects.toSatisfy(
      (error) => isBridgeError(error, 'DEPLOY_PERMISSION') && /contents: write/.test(error.message),
    );
  });
});

function total(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([route]) => !route.includes('/app/'))
    .reduce((sum, [, value]) => sum + value, 0);
}
