/**
 * The fake GitHub against real clients: native git over its smart HTTP, Octokit 22 over its REST
 * API, and both views of the same repository agreeing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanGitEnv } from './support/fake-github/git.js';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { openApiProblems } from './support/fake-github/openapi.js';

const run = promisify(execFile);
let gh: FakeGitHub;
let work: string;
let token: string;

function nativeGit(cwd: string, ...args: string[]) {
  return run('git', args, {
    cwd,
    env: cleanGitEnv({
      GIT_AUTHOR_NAME: 'Tester',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'Tester',
      GIT_COMMITTER_EMAIL: 't@example.com',
    }),
  });
}

function authedUrl(owner: string, repo: string, secret = token) {
  return gh.gitUrl(owner, repo).replace('http://', `http://x-access-token:${secret}@`);
}

beforeAll(async () => {
  gh = await startFakeGitHub();
  work = await mkdtemp(join(tmpdir(), 'fake-github-git-'));
  token = gh.addToken();
  await gh.createRepo({
    owner: 'acme',
    repo: 'deploy',
    files: { 'README.md': '# deploy\n', 'apps/a/x.yaml': 'a: 1\n' },
  });
});

afterAll(async () => {
  await gh?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('fake GitHub with native git and Octokit', () => {
  it('clones, pushes a branch, and the REST view shows the pushed commit and files', async () => {
    const clone = join(work, 'clone');
    await nativeGit(work, 'clone', '--quiet', authedUrl('acme', 'deploy'), clone);
    expect(await readFile(join(clone, 'apps/a/x.yaml'), 'utf8')).toBe('a: 1\n');
    await writeFile(join(clone, 'new.txt'), 'hello\n');
    await nativeGit(clone, 'checkout', '--quiet', '-b', 'feature/one');
    await nativeGit(clone, 'add', 'new.txt');
    await nativeGit(clone, 'commit', '--quiet', '-m', 'add new');
    await nativeGit(clone, 'push', '--quiet', 'origin', 'feature/one');
    const head = (await nativeGit(clone, 'rev-parse', 'HEAD')).stdout.trim();

    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: token });
    const ref = await octokit.rest.git.getRef({ owner: 'acme', repo: 'deploy', ref: 'heads/feature/one' });
    expect(ref.data.object.sha).toBe(head);
    const branch = await octokit.rest.repos.getBranch({ owner: 'acme', repo: 'deploy', branch: 'feature/one' });
    expect(branch.data.commit.sha).toBe(head);
    const tree = await octokit.rest.git.getTree({ owner: 'acme', repo: 'deploy', tree_sha: head, recursive: '1' });
    expect(tree.data.tree.map((entry) => entry.path).sort()).toEqual([
      'README.md',
      'apps',
      'apps/a',
      'apps/a/x.yaml',
      'new.txt',
    ]);
    const file = await octokit.rest.repos.getContent({
      owner: 'acme',
      repo: 'deploy',
      path: 'new.txt',
      ref: 'feature/one',
    });
    expect(
      Array.isArray(file.data)
        ? undefined
        : 'content' in file.data
          ? Buffer.from(file.data.content, 'base64').toString()
          : undefined,
    ).toBe('hello\n');
  });

  it('commits through the Git Data API, opens, refuses a duplicate of, and merges a pull request', async () => {
    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: token });
    const repo = { owner: 'acme', repo: 'deploy' };
    const main = await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' });
    const baseCommit = await octokit.rest.git.getCommit({ ...repo, commit_sha: main.data.object.sha });
    const blob = await octokit.rest.git.createBlob({
      ...repo,
      content: Buffer.from('b: 2\n').toString('base64'),
      encoding: 'base64',
    });
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: baseCommit.data.tree.sha,
      tree: [
        { path: 'apps/b/y.yaml', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'apps/a/x.yaml', mode: '100644', type: 'blob', sha: null },
      ],
    });
    const commit = await octokit.rest.git.createCommit({
      ...repo,
      message: 'deploy b',
      tree: tree.data.sha,
      parents: [main.data.object.sha],
      author: { name: 'margo-bridge', email: 'bridge@example.com' },
    });
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/margo-bridge/t/b', sha: commit.data.sha });
    await expect(
      octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/margo-bridge/t/b', sha: commit.data.sha }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining('Reference already exists') });

    const pull = await octokit.rest.pulls.create({
      ...repo,
      head: 'margo-bridge/t/b',
      base: 'main',
      title: 'feat(t): deploy b',
    });
    expect(pull.data).toMatchObject({ number: 1, state: 'open', mergeable: true, head: { sha: commit.data.sha } });
    await expect(
      octokit.rest.pulls.create({ ...repo, head: 'acme:margo-bridge/t/b', base: 'main', title: 'again' }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists for acme:margo-bridge/t/b.'),
    });
    const listed = await octokit.rest.pulls.list({ ...repo, head: 'acme:margo-bridge/t/b', state: 'open' });
    expect(listed.data.map((entry) => entry.number)).toEqual([1]);
    await octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ['margo-bridge'] });

    await expect(
      octokit.rest.pulls.merge({ ...repo, pull_number: 1, sha: main.data.object.sha }),
    ).rejects.toMatchObject({ status: 409 });
    const merged = await octokit.rest.pulls.merge({ ...repo, pull_number: 1, sha: commit.data.sha });
    expect(merged.data.merged).toBe(true);

    const clone = join(work, 'after-merge');
    await nativeGit(work, 'clone', '--quiet', authedUrl('acme', 'deploy'), clone);
    expect((await nativeGit(clone, 'rev-parse', 'HEAD')).stdout.trim()).toBe(merged.data.sha);
    expect(await readFile(join(clone, 'apps/b/y.yaml'), 'utf8')).toBe('b: 2\n');
    await expect(readFile(join(clone, 'apps/a/x.yaml'), 'utf8')).rejects.toThrow();
    const after = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(after.data).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: merged.data.sha });
    expect(after.data.labels.map((entry) => entry.name)).toEqual(['margo-bridge']);
  });

  it('merges with each method as GitHub does: a merge commit, one squashed commit, or replayed commits', async () => {
    const octokit = new Octokit({ baseUrl: gh.apiUrl, auth: token });
    const repo = { owner: 'acme', repo: 'deploy' };
    const git = gh.git('acme', 'deploy');
    const parentsOf = async (sha: string) => (await git.readCommit(sha)).parents;
    for (const method of ['merge', 'squash', 'rebase'] as const) {
      const base = (await git.resolveRef('refs/heads/main')) ?? '';
      const first = await gh.commitFiles('acme', 'deploy', {
        branch: method,
        files: { [`${method}/1.txt`]: '1\n' },
        parent: base,
      });
      await gh.commitFiles('acme', 'deploy', { branch: method, files: { [`${method}/2.txt`]: '2\n' } });
      // The base moves meanwhile, so that no method can fast-forward.
      const movedBase = await gh.commitFiles('acme', 'deploy', {
        branch: 'main',
        files: { [`base-${method}.txt`]: 'b\n' },
      });
      const pull = await octokit.rest.pulls.create({ ...repo, head: method, base: 'main', title: `By ${method}` });
      const merged = await octokit.rest.pulls.merge({ ...repo, pull_number: pull.data.number, merge_method: method });
      const tip = await git.resolveRef('refs/heads/main');
      expect(tip).toBe(merged.data.sha);
      const files = (await git.readTree(merged.data.sha, true)).map((entry) => entry.path);
      expect(files).toEqual(expect.arrayContaining([`${method}/1.txt`, `${method}/2.txt`, `base-${method}.txt`]));
      const parents = await parentsOf(merged.data.sha);
      if (method === 'merge') expect(parents).toEqual([movedBase, pull.data.head.sha]);
      if (method === 'squash') expect(parents).toEqual([movedBase]);
      if (method === 'rebase') {
        // Two replayed commits: the first's parent is the moved base, not the branch's first commit.
        const replayedFirst = parents[0] ?? '';
        expect(replayedFirst).not.toBe(first);
        expect(await parentsOf(replayedFirst)).toEqual([movedBase]);
        expect((await git.readCommit(replayedFirst)).message).toBe('Change\n');
      }
    }
  });

  it('answered every request above as the OpenAPI description of GitHub documents', () => {
    expect(gh.responses.length).toBeGreaterThan(10);
    expect(openApiProblems(gh.responses)).toEqual([]);
  });
});
