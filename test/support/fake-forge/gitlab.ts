/**
 * A fake GitLab REST API (`/api/v4`): project, merge requests (list with state, source_branch,
 * target_branch; create; get; update with state_event), `PRIVATE-TOKEN` auth, GitLab's status
 * codes and `{ message }` / `{ error }` bodies, as its REST API documentation describes them
 * (no typed description of GitLab's API is packaged; shapes follow docs.gitlab.com/api/merge_requests).
 */
import { type FakeForge, type FakePull, type ForgeCore, type Handler, type Reply, startFakeForge } from './core.js';

const message = (status: number, text: string | string[]): Reply => ({ status, body: { message: text } });

export type FakeGitLab = FakeForge;

export function startFakeGitLab(): Promise<FakeGitLab> {
  return startFakeForge(gitlabHandler, { apiPath: '/api/v4', tokenPrefix: 'glpat-' });
}

function gitlabHandler(core: ForgeCore, origin: () => string): Handler {
  async function mergeRequest(pull: FakePull) {
    return {
      id: 1000 + pull.number,
      iid: pull.number,
      project_id: 1,
      title: pull.title,
      description: pull.body,
      state: pull.merged ? 'merged' : pull.state === 'open' ? 'opened' : 'closed',
      source_branch: pull.head,
      target_branch: pull.base,
      sha: await core.headOf(pull),
      merge_commit_sha: pull.merged ? pull.mergeCommit : null,
      squash_commit_sha: null,
      labels: pull.labels,
      web_url: `${origin()}/${pull.repository}/-/merge_requests/${pull.number}`,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      merged_at: pull.merged ? pull.updatedAt : null,
      draft: false,
    };
  }

  return async ({ method, url, headers, body }) => {
    const match = /^\/api\/v4\/projects\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!match) return { status: 404, body: { error: '404 Not Found' } };
    const token = core.tokens.get(String(headers['private-token'] ?? ''));
    if (!token) return message(401, '401 Unauthorized');
    const repository = decodeURIComponent(match[1] as string);
    if (!core.exists(repository)) return message(404, '404 Project Not Found');
    const rest = match[2] ?? '';
    const write = token.write && core.canWrite(repository);
    if (rest === '' && method === 'GET') {
      return {
        status: 200,
        body: {
          id: 1,
          path_with_namespace: repository,
          default_branch: 'main',
          web_url: `${origin()}/${repository}`,
          http_url_to_repo: core.cloneUrl(repository),
          permissions: { project_access: { access_level: write ? 30 : 20, notification_level: 3 }, group_access: null },
        },
      };
    }
    if (rest === '/merge_requests' && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'all';
      const source = url.searchParams.get('source_branch');
      const target = url.searchParams.get('target_branch');
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? '20'), 100);
      const list = [];
      for (const pull of core.pulls.filter((p) => p.repository === repository).sort((a, b) => b.number - a.number)) {
        const json = await mergeRequest(pull);
        if (state !== 'all' && json.state !== state) continue;
        if (source && pull.head !== source) continue;
        if (target && pull.base !== target) continue;
        list.push(json);
      }
      return { status: 200, body: list.slice(0, perPage) };
    }
    if (rest === '/merge_requests' && method === 'POST') {
      if (!write) return message(403, '403 Forbidden');
      const input = body as {
        source_branch?: string;
        target_branch?: string;
        title?: string;
        description?: string;
        labels?: string;
      };
      if (!input.source_branch || !input.target_branch || !input.title) {
        return { status: 400, body: { error: 'source_branch, target_branch, title are missing' } };
      }
      const head = await core.branchHead(repository, input.source_branch);
      if (!head) return message(422, ['Source branch does not exist']);
      const existing = core.pulls.find(
        (p) => p.repository === repository && p.head === input.source_branch && p.state === 'open',
      );
      if (existing)
        return message(409, [`Another open merge request already exists for this source branch: !${existing.number}`]);
      const pull = core.addPull({
        repository,
        head: input.source_branch,
        base: input.target_branch,
        title: input.title,
        body: input.description ?? '',
        lastHead: head,
        labels: input.labels ? input.labels.split(',').filter(Boolean) : [],
      });
      return { status: 201, body: await mergeRequest(pull) };
    }
    const one = /^\/merge_requests\/(\d+)$/.exec(rest);
    const pull = one ? core.find(repository, Number(one[1])) : undefined;
    if (!one || !pull) return message(404, '404 Not found');
    if (method === 'GET') return { status: 200, body: await mergeRequest(pull) };
    if (method === 'PUT') {
      if (!write) return message(403, '403 Forbidden');
      const change = body as { title?: string; description?: string; state_event?: string; add_labels?: string };
      if (change.title !== undefined) pull.title = change.title;
      if (change.description !== undefined) pull.body = change.description;
      if (change.state_event === 'close' && !pull.merged) pull.state = 'closed';
      if (change.state_event === 'reopen' && !pull.merged) pull.state = 'open';
      pull.updatedAt = new Date().toISOString();
      return { status: 200, body: await mergeRequest(pull) };
    }
    return message(405, '405 Method Not Allowed');
  };
}
