/**
 * Gitea and Forgejo pull requests (`/api/v1/repos/{owner}/{repo}/pulls`, token auth). Labels are
 * given by name (Gitea ≥ 1.20 takes names as well as ids), created when the repository lacks them.
 */
import { BridgeError } from '../../errors.js';
import { forgeHttp, messageOf } from './http.js';
import type { Fetch, ForgePull, ForgeSettings, PullRequestApi } from './interface.js';

/** The fields margo-bridge reads of a Gitea PullRequest (gitea-js `PullRequest`). */
export interface GiteaPull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha: string | null;
  title: string;
  body: string;
  html_url: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: { name: string }[] | null;
}

/** Gitea's default and usual maximum page size (MAX_RESPONSE_ITEMS). */
const PAGE = 50;
/** Bound on pages read for one listing (10,000 open pull requests), in case a server ignores `page`. */
const MAX_PAGES = 200;

export function giteaPulls(settings: ForgeSettings, fetch: Fetch): PullRequestApi {
  const [owner, repo, ...rest] = settings.repository.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `forge.repository '${settings.repository}' must be 'owner/repo' for ${settings.type}`,
    );
  }
  const name = settings.type === 'forgejo' ? 'Forgejo' : 'Gitea';
  const http = forgeHttp({
    apiUrl: settings.apiUrl,
    name,
    headers: { authorization: `token ${settings.token}` },
    fetch,
  });
  const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;

  const pull = (data: GiteaPull): ForgePull => ({
    number: data.number,
    state: data.merged ? 'merged' : data.state === 'open' ? 'open' : 'closed',
    branch: data.head.ref,
    headCommit: data.head.sha,
    title: data.title,
    body: data.body ?? '',
    url: data.html_url,
    labels: (data.labels ?? []).map((label) => label.name),
    ...(data.merged && data.merge_commit_sha ? { mergeCommit: data.merge_commit_sha } : {}),
  });

  /**
   * Open pull requests into `target`, one list call per page of 50 (newest first; Gitea filters by
   * state only, the base branch is filtered here), until a short page or `enough` holds.
   */
  async function listOpen(target: string, enough?: (found: ForgePull[]) => boolean): Promise<ForgePull[]> {
    const found: ForgePull[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await http.json<GiteaPull[]>('GET', `${base}/pulls?state=open&limit=${PAGE}&page=${page}`);
      if (!answer) throw notFound();
      found.push(...answer.data.filter((data) => data.base.ref === target).map(pull));
      if (answer.data.length < PAGE || enough?.(found)) break;
    }
    return found;
  }

  const notFound = () =>
    new BridgeError(
      'DEPLOY_NOT_FOUND',
      `${name} has no repository ${owner}/${repo} at ${settings.apiUrl} (or the token cannot see it)`,
    );

  return {
    async check() {
      const answer = await http.json<{ permissions?: { push?: boolean } }>('GET', base);
      if (!answer) throw notFound();
      if (answer.data.permissions?.push !== true) {
        throw new BridgeError(
          'DEPLOY_PERMISSION',
          `the ${name} token may read ${owner}/${repo} but not push or open pull requests: write access is needed`,
        );
      }
    },
    async get(number) {
      const answer = await http.json<GiteaPull>('GET', `${base}/pulls/${number}`);
      return answer ? pull(answer.data) : undefined;
    },
    listOpen: (target) => listOpen(target),
    // Gitea keeps at most one open pull request per head and base: stop at the page that has it.
    openFrom: async (branch, target) =>
      (await listOpen(target, (found) => found.some((one) => one.branch === branch))).filter(
        (found) => found.branch === branch,
      ),
    async create(input) {
      const answer = await http.json<GiteaPull>('POST', `${base}/pulls`, {
        head: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
      });
      if (!answer) throw notFound();
      if (answer.status === 409 || answer.status === 422) {
        throw new BridgeError(
          'CONFLICT',
          `${name} refused the pull request: ${messageOf(answer.data) ?? answer.status}`,
        );
      }
      if (input.labels.length > 0) {
        await http.json('POST', `${base}/issues/${answer.data.number}/labels`, { labels: input.labels });
      }
      return { ...pull(answer.data), labels: input.labels };
    },
    async edit(number, change) {
      const answer = await http.json<GiteaPull>('PATCH', `${base}/pulls/${number}`, change);
      if (!answer) throw new BridgeError('NOT_FOUND', `${name} has no pull request #${number} in ${owner}/${repo}`);
      return pull(answer.data);
    },
    async close(number) {
      const answer = await http.json<GiteaPull>('PATCH', `${base}/pulls/${number}`, { state: 'closed' });
      if (!answer) throw new BridgeError('NOT_FOUND', `${name} has no pull request #${number} in ${owner}/${repo}`);
      return pull(answer.data);
    },
  };
}
