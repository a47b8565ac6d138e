/**
 * The fake GitHub's behaviour around the API: credentials and permissions (REST and smart HTTP),
 * GitHub App installation tokens, rate limits, injected faults as Octokit's retry and throttling
 * plugins see them, the request log, and signed `pull_request` webhook deliveries.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGithub } from '../src/webhooks/github.js';
import { cleanGitEnv } from './support/fake-github/git.js';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { componentSchemaProblems, openApiProblems } from './support/fake-github/openapi.js';

const run = promisify(execFile);
const repo = { owner: 'acme', repo: 'deploy' };
let gh: FakeGitHub;
let work: string;

beforeAll(async () => {
  gh = await startFakeGitHub({ installationTokenTtlMs: 60_000 });
  work = await mkdtemp(join(tmpdir(), 'fake-github-behaviour-'));
  await gh.createRepo({ ...repo, files: { 'README.md': '# deploy\n' } });
  await gh.createRepo({ owner: 'acme', repo: 'other', files: { 'README.md': '# other\n' } });
  await gh.createRepo({ owner: 'acme', repo: 'public', private: false, files: { 'README.md': '# public\n' } });
});

afterAll(async () => {
  await gh?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function failure(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const { status, response } = error as { status: number; response?: { data?: { message?: string } } };
    return { status, message: response?.data?.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

function git(cwd: string, ...args: string[]) {
  return run('git', args, {
    cwd,
    env: cleanGitEnv({
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@e.x',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@e.x',
    }),
  });
}

const withToken = (url: string, token: string) => url.replace('http://', `http://x-access-token:${token}@`);

describe('credentials and permissions', () => {
  it('answers REST calls as GitHub does for each kind of caller', async () => {
    const api = (auth?: string) => new Octokit({ baseUrl: gh.apiUrl, ...(auth ? { auth } : {}) });
    expect(await failure(api().rest.repos.get(repo))).toEqual({ status: 404, message: 'Not Found' });
    expect((await api().rest.repos.get({ owner: 'acme', repo: 'public' })).status).toBe(200);
    expect(
      await failure(
        api().rest.git.createRef({ owner: 'acme', repo: 'public', ref: 'refs/heads/x', sha: '0'.repeat(40) }),
      ),
    ).toEqual({
      status: 401,
      message: 'Requires authentication',
    });
    expect(await failure(api('ghp_unknown').rest.repos.get(repo))).toEqual({ status: 401, message: 'Bad credentials' });
    const elsewhere = gh.addToken({ repositories: ['acme/other'] });
    expect(await failure(api(elsewhere).rest.repos.get(repo))).toEqual({ status: 404, message: 'Not Found' });
    const contentsOnly = gh.addToken({ permissions: { contents: 'write' } });
    const refused = await api(contentsOnly)
      .rest.pulls.list(repo)
      .catch((error: { status: number; response: { headers: Record<string, string> } }) => error);
    expect(refused).toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by personal access token'),
      response: { headers: { 'x-accepted-github-permissions': 'pull_requests=read' } },
    });
    const expired = gh.addToken({ expiresAt: Date.now() - 1 });
    expect(await failure(api(expired).rest.repos.get(repo))).toEqual({ status: 401, message: 'Bad credentials' });
  });

  it('guards smart HTTP with the same tokens: read needs contents read, push needs contents write', async () => {
    const reader = gh.addToken({ permissions: { contents: 'read' } });
    const writer = gh.addToken();
    const elsewhere = gh.addToken({ repositories: ['acme/other'] });
    const url = gh.gitUrl('acme', 'deploy');
    await expect(git(work, 'ls-remote', url)).rejects.toThrow(/Authentication failed|401|could not read Username/);
    await expect(git(work, 'ls-remote', withToken(url, elsewhere))).rejects.toThrow(/not found/i);
    const clone = join(work, 'guarded');
    await git(work, 'clone', '--quiet', withToken(url, reader), clone);
    await git(clone, 'commit', '--quiet', '--allow-empty', '-m', 'empty');
    await expect(git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/reader')).rejects.toThrow(/403|not granted/);
    await git(clone, 'push', '--quiet', withToken(url, writer), 'HEAD:refs/heads/writer');
    const pushed = (await git(clone, 'rev-parse', 'HEAD')).stdout.trim();
    expect(await gh.git('acme', 'deploy').resolveRef('refs/heads/writer')).toBe(pushed);
    expect(await gh.git('acme', 'deploy').resolveRef('refs/heads/reader')).toBeUndefined();
    // Anonymous clones of a public repository work; pushes do not.
    await git(work, 'clone', '--quiet', gh.gitUrl('acme', 'public'), join(work, 'public'));
  });
});

describe('GitHub App installation tokens', () => {
  it('issues tokens for a verified app JWT that @octokit/auth-app uses and caches', async () => {
    const app = gh.addApp({
      installations: [
        {
          owner: 'acme',
          repositories: ['deploy'],
          permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
        },
      ],
    });
    const installationId = app.installationIds[0] ?? 0;
    gh.clearRequests();
    const octokit = new Octokit({
      baseUrl: gh.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: app.appId, privateKey: app.privateKey, installationId },
    });
    expect((await octokit.rest.repos.get(repo)).data.permissions?.push).toBe(true);
    expect((await octokit.rest.pulls.list(repo)).status).toBe(200);
    expect(await failure(octokit.rest.repos.get({ owner: 'acme', repo: 'other' }))).toMatchObject({ status: 404 });
    expect(gh.routeCounts()['POST /app/installations/{installation_id}/access_tokens']).toBe(1);

    const plain = new Octokit({ baseUrl: gh.apiUrl }).request;
    const auth = createAppAuth({ appId: app.appId, privateKey: app.privateKey ?? '', request: plain });
    const token = await auth({ type: 'installation', installationId });
    expect(Date.parse(token.expiresAt) - Date.now()).toBeGreaterThan(50_000);
    expect(Date.parse(token.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    expect((await new Octokit({ baseUrl: gh.apiUrl, auth: token.token }).rest.pulls.list(repo)).status).toBe(200);
    gh.expireTokens();
    expect(await failure(new Octokit({ baseUrl: gh.apiUrl, auth: token.token }).rest.repos.get(repo))).toEqual({
      status: 401,
      message: 'Bad credentials',
    });

    // A JWT signed with another key is refused.
    const stranger = gh.addApp({ appId: 999_001, installations: [] });
    const forged = createAppAuth({ appId: app.appId, privateKey: stranger.privateKey ?? '', request: plain });
    await expect(forged({ type: 'installation', installationId })).rejects.toMatchObject({ status: 401 });
  });
});

describe('rate limits and faults', () => {
  it('counts requests in the rate-limit headers and answers the primary limit once used up', async () => {
    const limited = await startFakeGitHub({ rateLimit: 2 });
    try {
      await limited.createRepo({ ...repo, files: { 'a.txt': 'a\n' } });
      const octokit = new Octokit({ baseUrl: limited.apiUrl, auth: limited.addToken() });
      const first = await octokit.rest.repos.get(repo);
      expect(first.headers).toMatchObject({
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '1',
        'x-ratelimit-used': '1',
        'x-ratelimit-resource': 'core',
      });
      await octokit.rest.repos.get(repo);
      const refused = await octokit.rest.repos
        .get(repo)
        .catch((error: { status: number; response: { headers: Record<string, string> } }) => error);
      expect(refused).toMatchObject({ status: 403, response: { headers: { 'x-ratelimit-remaining': '0' } } });
    } finally {
      await limited.stop();
    }
  });

  it('injects 5xx, secondary and primary limits that the retry and throttling plugins wait out', async () => {
    const Plugged = Octokit.plugin(retry, throttling);
    const waits: string[] = [];
    const octokit = new Plugged({
      baseUrl: gh.apiUrl,
      auth: gh.addToken(),
      retry: { retryAfterBaseValue: 10 },
      throttle: {
        onRateLimit: (after: number) => {
          waits.push(`primary ${after}`);
          return true;
        },
        onSecondaryRateLimit: (after: number) => {
          waits.push(`secondary ${after}`);
          return true;
        },
      },
    });
    gh.clearRequests();
    gh.injectFault({
      method: 'GET',
      route: '/repos/{owner}/{repo}',
      nth: 1,
      count: 2,
      fault: { type: 'status', status: 502 },
    });
    expect((await octokit.rest.repos.get(repo)).status).toBe(200);
    expect(gh.routeCounts()['GET /repos/{owner}/{repo}']).toBe(3);
    gh.injectFault({ route: '/repos/{owner}/{repo}/git/ref/{ref}', fault: { type: 'secondary-limit', retryAfter: 1 } });
    gh.injectFault({ route: '/repos/{owner}/{repo}/pulls', fault: { type: 'primary-limit', resetAfter: 1 } });
    const started = Date.now();
    expect((await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).status).toBe(200);
    expect((await octokit.rest.pulls.list(repo)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(waits).toEqual(['secondary 1', expect.stringMatching(/^primary [1-3]$/)]);
    expect(gh.pendingFaults()).toBe(0);
    expect(gh.requests.filter((record) => record.faulted).length).toBe(4);
  });

  it('a fault after the handler keeps its side effect: the pull request exists though the client saw 502', async () => {
    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: gh.addToken() });
    const main = await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' });
    const commit = await gh.commitFiles('acme', 'deploy', {
      branch: 'after',
      files: { 'f.txt': 'f\n' },
      parent: main.data.object.sha,
    });
    gh.injectFault({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      fault: { type: 'status', status: 502 },
      after: true,
    });
    expect(
      await failure(octokit.rest.pulls.create({ ...repo, head: 'after', base: 'main', title: 'After' })),
    ).toMatchObject({ status: 502 });
    const open = await octokit.rest.pulls.list({ ...repo, head: 'acme:after' });
    expect(open.data.map((pull) => pull.title)).toEqual(['After']);
    // Two requests for the same head at once: one pull request, one 422.
    await gh.commitFiles('acme', 'deploy', {
      branch: 'twice',
      files: { 't.txt': 't\n' },
      parent: main.data.object.sha,
    });
    const both = await Promise.allSettled(
      [1, 2].map((n) => octokit.rest.pulls.create({ ...repo, head: 'twice', base: 'main', title: `Twice ${n}` })),
    );
    expect(
      both
        .map((result) =>
          result.status === 'fulfilled' ? result.value.status : (result.reason as { status: number }).status,
        )
        .sort(),
    ).toEqual([201, 422]);
    // Deleting the head branch closes the pull request, as on GitHub.
    await octokit.rest.git.deleteRef({ ...repo, ref: 'heads/after' });
    const closed = await octokit.rest.pulls.get({ ...repo, pull_number: open.data[0]?.number ?? 0 });
    expect(closed.data).toMatchObject({ state: 'closed', merged: false, head: { sha: commit } });
    gh.injectFault({ route: '/repos/{owner}/{repo}', fault: { type: 'disconnect' } });
    await expect(octokit.rest.repos.get(repo)).rejects.toThrow();
  });

  it('injects faults into smart HTTP too', async () => {
    const token = gh.addToken();
    const clone = join(work, 'faulty');
    await git(work, 'clone', '--quiet', withToken(gh.gitUrl('acme', 'deploy'), token), clone);
    await git(clone, 'commit', '--quiet', '--allow-empty', '-m', 'retry me');
    gh.injectFault({
      method: 'POST',
      route: '/{owner}/{repo}.git/git-receive-pack',
      fault: { type: 'status', status: 503 },
    });
    await expect(git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/faulty')).rejects.toThrow(/503/);
    await git(clone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/faulty');
    expect(await gh.git('acme', 'deploy').resolveRef('refs/heads/faulty')).toBe(
      (await git(clone, 'rev-parse', 'HEAD')).stdout.trim(),
    );
  });
});

describe('pull_request webhook deliveries', () => {
  let receiver: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('sends a signed delivery with the payload GitHub documents after a merge', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/github`;
    await gh.createRepo({ owner: 'acme', repo: 'hooked', files: { 'a.txt': 'a\n' } });
    gh.addWebhook('acme', 'hooked', { url, secret: 'topsecret', installationId: 42 });
    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: gh.addToken() });
    const hooked = { owner: 'acme', repo: 'hooked' };
    const commit = await gh.commitFiles('acme', 'hooked', {
      branch: 'b',
      files: { 'b.txt': 'b\n' },
      parent: await gh.git('acme', 'hooked').resolveRef('refs/heads/main'),
    });
    const pull = await octokit.rest.pulls.create({ ...hooked, head: 'b', base: 'main', title: 'B' });
    const merged = await octokit.rest.pulls.merge({ ...hooked, pull_number: pull.data.number });

    const deliveries = await gh.deliveries();
    expect(deliveries.map((delivery) => [delivery.event, delivery.action, delivery.status])).toEqual([
      ['pull_request', 'closed', 202],
    ]);
    const [delivery] = received;
    if (!delivery) throw new Error('nothing received');
    const expected = createHmac('sha256', 'topsecret').update(delivery.body).digest('hex');
    expect(delivery.headers).toMatchObject({
      'x-github-event': 'pull_request',
      'x-hub-signature-256': `sha256=${expected}`,
    });
    const payload = JSON.parse(delivery.body.toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({
      action: 'closed',
      number: pull.data.number,
      pull_request: { merged: true, merge_commit_sha: merged.data.sha, head: { ref: 'b', sha: commit } },
      installation: { id: 42 },
    });
    expect(componentSchemaProblems('webhook-pull-request-closed', payload)).toEqual([]);
    const parsed = parseGithub(new Headers(delivery.headers as Record<string, string>), delivery.body);
    expect(parsed).toMatchObject({
      kind: 'pull-request',
      event: 'pull_request',
      action: 'closed',
      ref: String(pull.data.number),
    });
  });

  it('sends a closed, not merged, delivery when a pull request is closed', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/github`;
    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: gh.addToken() });
    const hooked = { owner: 'acme', repo: 'hooked' };
    await gh.commitFiles('acme', 'hooked', {
      branch: 'c',
      files: { 'c.txt': 'c\n' },
      parent: await gh.git('acme', 'hooked').resolveRef('refs/heads/main'),
    });
    const pull = await octokit.rest.pulls.create({ ...hooked, head: 'c', base: 'main', title: 'C' });
    await octokit.rest.pulls.update({ ...hooked, pull_number: pull.data.number, state: 'closed' });
    const last = (await gh.deliveries()).at(-1);
    expect(last).toMatchObject({ event: 'pull_request', action: 'closed', status: 202, url });
    expect(last?.payload).toMatchObject({
      number: pull.data.number,
      pull_request: { state: 'closed', merged: false, merged_at: null },
    });
    expect(componentSchemaProblems('webhook-pull-request-closed', last?.payload)).toEqual([]);
    const manual = await gh.sendPullRequestEvent('acme', 'hooked', pull.data.number, 'reopened', { url, secret: 's' });
    expect(manual).toMatchObject({ action: 'reopened', status: 202 });
  });

  it('answered everything in this file as the OpenAPI description documents', () => {
    expect(openApiProblems(gh.responses)).toEqual([]);
  });
});
