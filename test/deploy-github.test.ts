import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubProvider } from '../src/deploy/github.js';
import type { GitHubPlatform } from '../src/deploy/github-client.js';
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
  it('uses 6 calls for a new proposal (1 more for labels), 1 for an unchanged request', async () => {
    const { name } = await repository(seed);
    const github = provider(name, token());
    gh.clearRequests();
    await github.propose(request('margo-bridge/a', rendering, { labels: [] }));
    expect(total(gh.routeCounts())).toBe(6);

    gh.clearRequests();
    await github.propose(request('margo-bridge/b', { 'plant-a/b/x.yaml': 'b\n' }, { owned: ['plant-a/b'] }));
    expect(gh.routeCounts()['POST /repos/{owner}/{repo}/issues/{issue_number}/labels']).toBe(1);
    expect(total(gh.routeCounts())).toBe(7);

    gh.clearRequests();
    const unchanged = await github.propose(
      request('margo-bridge/c', { 'README.md': '# deployments\n' }, { owned: [] }),
    );
    expect(unchanged.outcome).toBe('unchanged');
    expect(total(gh.routeCounts())).toBe(1);
  });

  it('counts an update and a repeated request', async () => {
    const { name } = await repository(seed);
    const github = provider(name, token());
    await github.propose(request('margo-bridge/a', rendering));
    gh.clearRequests();
    const update = await github.propose(
      request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v2\n' }, { title: 'v2' }),
    );
    expect(update.outcome).toBe('updated');
    const updateCalls = total(gh.routeCounts());
    gh.clearRequests();
    const again = await github.propose(
      request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v2\n' }, { title: 'v2' }),
    );
    expect(again.outcome).toBe('adopted');
    const repeatCalls = total(gh.routeCounts());
    expect({ updateCalls, repeatCalls }).toEqual({ updateCalls: 9, repeatCalls: 7 });
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
    const next = await github.propose(request('margo-bridge/a', { 'plant-a/nginx/deployment.yaml': 'v2\n' }));
    expect(next.outcome).toBe('created');
    expect(next.proposal?.number).not.toBe(number);
    expect(await native.parents(next.proposal?.commit as string)).toEqual([await native.head('main')]);
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

  const updateSteps: [string, string][] = [
    ['POST', '/repos/{owner}/{repo}/git/refs'],
    ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
    ['PATCH', '/repos/{owner}/{repo}/git/refs/{ref}'],
    ['GET', '/repos/{owner}/{repo}/pulls'],
    ['PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ];
  for (const [method, route] of updateSteps) {
    it(`update, ${method} ${route}: 502 after the change was made, then a secondary limit → one new commit`, async () => {
      const { name, native } = await repository(seed);
      const github = provider(name, token());
      const first = await github.propose(request('margo-bridge/a', rendering));
      // The first matching request of the update (the base branch read comes first for GET branches).
      const nth = route.endsWith('{branch}') ? 2 : 1;
      gh.injectFault({ method, route, nth, fault: { type: 'status', status: 502 }, after: method !== 'GET' });
      gh.injectFault({ method, route, nth: nth + 1, fault: { type: 'secondary-limit', retryAfter: 1 } });
      const next = { 'plant-a/nginx/deployment.yaml': 'v2\n' };
      const result = await github.propose(request('margo-bridge/a', next, { title: 'v2' }));
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
