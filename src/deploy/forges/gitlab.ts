/**
 * GitLab merge requests (`/api/v4/projects/{id}/merge_requests`, project or group access token in
 * `PRIVATE-TOKEN`). The project is its numeric id or its full path, URL-encoded as one segment.
 */
import { BridgeError } from '../../errors.js';
import { forgeHttp, messageOf } from './http.js';
import type { Fetch, ForgePull, ForgeSettings, PullRequestApi } from './interface.js';

/** The fields margo-bridge reads of a GitLab merge request (REST API v4 docs). */
export interface GitLabMergeRequest {
  iid: number;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  title: string;
  description: string | null;
  web_url: string;
  source_branch: string;
  target_branch: string;
  sha: string;
  merge_commit_sha: string | null;
  squash_commit_sha: string | null;
  labels: string[];
}

/** GitLab's access levels: 30 Developer may push branches and open merge requests. */
const DEVELOPER = 30;

export function gitlabMergeRequests(settings: ForgeSettings, fetch: Fetch): PullRequestApi {
  if (settings.repository === '' || settings.repository.startsWith('/')) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `forge.repository '${settings.repository}' must be a GitLab project path or id`,
    );
  }
  const http = forgeHttp({
    apiUrl: settings.apiUrl,
    name: 'GitLab',
    headers: { 'private-token': settings.token },
    fetch,
  });
  const project = `/projects/${encodeURIComponent(settings.repository)}`;
  const notFound = () =>
    new BridgeError(
      'DEPLOY_NOT_FOUND',
      `GitLab has no project ${settings.repository} at ${settings.apiUrl} (or the token cannot see it)`,
    );

  const pull = (data: GitLabMergeRequest): ForgePull => {
    const merged = data.state === 'merged';
    const mergeCommit = data.merge_commit_sha ?? data.squash_commit_sha;
    return {
      number: data.iid,
      state: merged ? 'merged' : data.state === 'opened' ? 'open' : 'closed',
      branch: data.source_branch,
      headCommit: data.sha,
      title: data.title,
      body: data.description ?? '',
      url: data.web_url,
      labels: data.labels,
      ...(merged && mergeCommit ? { mergeCommit } : {}),
    };
  };

  async function list(query: string): Promise<ForgePull[]> {
    const answer = await http.json<GitLabMergeRequest[]>(
      'GET',
      `${project}/merge_requests?state=opened&per_page=100&${query}`,
    );
    if (!answer) throw notFound();
    return answer.data.map(pull);
  }

  async function put(iid: number, body: Record<string, unknown>): Promise<ForgePull> {
    const answer = await http.json<GitLabMergeRequest>('PUT', `${project}/merge_requests/${iid}`, body);
    if (!answer) throw new BridgeError('NOT_FOUND', `GitLab has no merge request !${iid} in ${settings.repository}`);
    return pull(answer.data);
  }

  return {
    async check() {
      const answer = await http.json<{
        permissions?: {
          project_access?: { access_level: number } | null;
          group_access?: { access_level: number } | null;
        };
      }>('GET', project);
      if (!answer) throw notFound();
      const access = answer.data.permissions;
      const level = Math.max(access?.project_access?.access_level ?? 0, access?.group_access?.access_level ?? 0);
      if (level < DEVELOPER) {
        throw new BridgeError(
          'DEPLOY_PERMISSION',
          `the GitLab token may read ${settings.repository} but not push or open merge requests (access level ${level}; Developer (30) or higher is needed)`,
        );
      }
    },
    async get(iid) {
      const answer = await http.json<GitLabMergeRequest>('GET', `${project}/merge_requests/${iid}`);
      return answer ? pull(answer.data) : undefined;
    },
    listOpen: (base) => list(`target_branch=${encodeURIComponent(base)}`),
    openFrom: (branch, base) =>
      list(`source_branch=${encodeURIComponent(branch)}&target_branch=${encodeURIComponent(base)}`),
    async create(input) {
      const answer = await http.json<GitLabMergeRequest>('POST', `${project}/merge_requests`, {
        source_branch: input.branch,
        target_branch: input.base,
        title: input.title,
        description: input.body,
        ...(input.labels.length > 0 ? { labels: input.labels.join(',') } : {}),
      });
      if (!answer) throw notFound();
      if (answer.status === 409 || answer.status === 422) {
        throw new BridgeError(
          'CONFLICT',
          `GitLab refused the merge request: ${messageOf(answer.data) ?? answer.status}`,
        );
      }
      return pull(answer.data);
    },
    edit: (iid, change) =>
      put(iid, {
        ...(change.title !== undefined ? { title: change.title } : {}),
        ...(change.body !== undefined ? { description: change.body } : {}),
      }),
    close: (iid) => put(iid, { state_event: 'close' }),
  };
}
