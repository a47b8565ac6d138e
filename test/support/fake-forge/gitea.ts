/**
 * A fake Gitea/Forgejo REST API (`/api/v1`): repository, pull requests (list, create, get, edit,
 * close) and issue labels, with token auth (`Authorization: token …`) and Gitea's status codes
 * and `{ message, url }` error bodies. Answers are typed with gitea-js's types, generated from
 * Gitea's swagger description, and with Forgejo's (@llamaduck/forgejo-ts), so a field that either
 * forge does not have, or a value of another type, fails the typecheck; test/fake-forge-fidelity.test.ts
 * checks the answers themselves against Forgejo's description (forgejo-description.ts).
 */
import type {
  Label as ForgejoLabel,
  PullRequest as ForgejoPullRequest,
  Repository as ForgejoRepository,
} from '@llamaduck/forgejo-ts';
import type { Label as GiteaLabel, PullRequest as GiteaPullRequest, Repository as GiteaRepository } from 'gitea-js';
import { type FakeForge, type FakePull, type ForgeCore, type Handler, type Reply, startFakeForge } from './core.js';

const DOCS = 'https://gitea.example/api/swagger';
const error = (status: number, message: string): Reply => ({ status, body: { message, url: DOCS } });

export type FakeGitea = FakeForge;

export function startFakeGitea(): Promise<FakeGitea> {
  return startFakeForge(giteaHandler, { apiPath: '/api/v1', tokenPrefix: 'gitea-token-' });
}

function giteaHandler(core: ForgeCore, origin: () => string): Handler {
  async function pullJson(pull: FakePull): Promise<GiteaPullRequest & ForgejoPullRequest> {
    const sha = await core.headOf(pull);
    const labels: (GiteaLabel & ForgejoLabel)[] = pull.labels.map((name, index) => ({
      id: index + 1,
      name,
      color: 'ededed',
      description: '',
    }));
    return {
      id: pull.number,
      number: pull.number,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      merged: pull.merged,
      merge_commit_sha: pull.mergeCommit ?? undefined,
      merged_at: pull.merged ? pull.updatedAt : undefined,
      html_url: `${origin()}/${pull.repository}/pulls/${pull.number}`,
      url: `${origin()}/api/v1/repos/${pull.repository}/pulls/${pull.number}`,
      head: { ref: pull.head, sha, label: pull.head },
      base: { ref: pull.base, label: pull.base, sha: (await core.branchHead(pull.repository, pull.base)) ?? '' },
      labels,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
    };
  }

  return async ({ method, url, headers, body }) => {
    const match = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return error(404, 'not found');
    const auth = /^token (.+)$/.exec(String(headers.authorization ?? ''));
    const token = auth ? core.tokens.get(auth[1] as string) : undefined;
    if (!token) return error(401, 'token is required');
    const repository = `${match[1]}/${match[2]}`;
    if (!core.exists(repository)) return error(404, "The target couldn't be found.");
    const rest = match[3] ?? '';
    const write = token.write && core.canWrite(repository);
    const forbidden = () => error(403, 'user should have a permission to write to the repository');
    if (rest === '' && method === 'GET') {
      const answer: GiteaRepository & ForgejoRepository = {
        id: 1,
        name: match[2],
        full_name: repository,
        default_branch: 'main',
        clone_url: core.cloneUrl(repository),
        html_url: `${origin()}/${repository}`,
        permissions: { admin: false, push: write, pull: true },
      };
      return { status: 200, body: answer };
    }
    if (rest === '/pulls' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const limit = Number(url.searchParams.get('limit') ?? '30');
      const page = Number(url.searchParams.get('page') ?? '1');
      const pulls = core.pulls
        .filter((pull) => pull.repository === repository && (state === 'all' || pull.state === state))
        .sort((a, b) => b.number - a.number)
        .slice((page - 1) * limit, page * limit);
      return { status: 200, body: await Promise.all(pulls.map(pullJson)) };
    }
    if (rest === '/pulls' && method === 'POST') {
      if (!write) return forbidden();
      const input = body as { head?: string; base?: string; title?: string; body?: string };
      if (!input.head || !input.base || !input.title)
        return error(422, '[Head]: Required; [Base]: Required; [Title]: Required');
      const head = await core.branchHead(repository, input.head);
      if (!head || !(await core.branchHead(repository, input.base))) return error(404, "The target couldn't be found.");
      const existing = core.pulls.find(
        (pull) =>
          pull.repository === repository &&
          pull.head === input.head &&
          pull.base === input.base &&
          pull.state === 'open',
      );
      if (existing) {
        return error(
          409,
          `pull request already exists for these targets [id: ${existing.number}, issue_id: ${existing.number}, head_repo_id: 1, base_repo_id: 1, head_branch: ${input.head}, base_branch: ${input.base}]`,
        );
      }
      const pull = core.addPull({
        repository,
        head: input.head,
        base: input.base,
        title: input.title,
        body: input.body ?? '',
        lastHead: head,
        labels: [],
      });
      return { status: 201, body: await pullJson(pull) };
    }
    const one = /^\/(pulls|issues)\/(\d+)(\/labels)?$/.exec(rest);
    const pull = one ? core.find(repository, Number(one[2])) : undefined;
    if (!one || !pull) return error(404, "The target couldn't be found.");
    if (one[1] === 'pulls' && !one[3] && method === 'GET') return { status: 200, body: await pullJson(pull) };
    if (one[1] === 'pulls' && !one[3] && method === 'PATCH') {
      if (!write) return forbidden();
      const change = body as { title?: string; body?: string; state?: string };
      if (change.title !== undefined) pull.title = change.title;
      if (change.body !== undefined) pull.body = change.body;
      if (change.state === 'closed' || change.state === 'open') {
        if (pull.merged) return error(409, 'cannot change state of a merged pull request');
        pull.state = change.state;
      }
      pull.updatedAt = new Date().toISOString();
      return { status: 201, body: await pullJson(pull) };
    }
    if (one[1] === 'issues' && one[3] && method === 'POST') {
      if (!write) return forbidden();
      const labels = (body as { labels?: unknown[] }).labels ?? [];
      for (const label of labels) if (!pull.labels.includes(String(label))) pull.labels.push(String(label));
      return { status: 200, body: (await pullJson(pull)).labels };
    }
    return error(405, 'method not allowed');
  };
}
