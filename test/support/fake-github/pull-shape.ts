/**
 * Pull requests as GitHub shows them (`pull-request`, `pull-request-simple`), with the live parts
 * (head sha, mergeability, commit and diff counts) computed from the real repository.
 */

import { label, nodeId, type PullRecord, repoApiUrl, repository, simpleUser } from './shapes.js';
import type { RepoState } from './state.js';

export interface PullLive {
  headSha: string;
  baseSha: string;
  /** null while open and not computed, as GitHub does for a fresh pull request; here always computed. */
  mergeable: boolean | null;
  commits: number;
  additions: number;
  deletions: number;
  changedFiles: number;
}

/** Current head and base commits: from the branches while open, as recorded once closed. */
export async function pullLive(repo: RepoState, pull: PullRecord): Promise<PullLive> {
  const git = repo.git;
  const open = pull.state === 'open';
  const headSha = (open ? await git.resolveRef(`refs/heads/${pull.head}`) : undefined) ?? pull.headSha;
  const baseSha = (open ? await git.resolveRef(`refs/heads/${pull.base}`) : undefined) ?? pull.baseSha;
  const mergeBase = (await git.run(['merge-base', baseSha, headSha], { okCodes: [1] })).stdout.toString().trim();
  const from = mergeBase || baseSha;
  const commits = (await git.commitsBetween(from, headSha)).length;
  const stat = await git.diffStat(from, headSha);
  let mergeable: boolean | null = null;
  if (open) mergeable = (await git.mergeTrees(baseSha, headSha)) !== undefined;
  return {
    headSha,
    baseSha,
    mergeable,
    commits,
    additions: stat.additions,
    deletions: stat.deletions,
    changedFiles: stat.files,
  };
}

/** `pull-request-simple` (lists). */
export function pullRequestSimple(base: string, repo: RepoState, pull: PullRecord, live: PullLive) {
  const api = repoApiUrl(base, repo.record);
  const html = `${base}/${repo.record.owner.login}/${repo.record.name}/pull/${pull.number}`;
  const url = `${api}/pulls/${pull.number}`;
  const issue = `${api}/issues/${pull.number}`;
  const statuses = `${api}/statuses/${live.headSha}`;
  const repoShape = repository(base, repo.record, repo.pushedAt, repo.pulls.filter((p) => p.state === 'open').length);
  const side = (ref: string, sha: string) => ({
    label: `${repo.record.owner.login}:${ref}`,
    ref,
    sha,
    user: simpleUser(base, repo.record.owner),
    repo: repoShape,
  });
  return {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(base, pull.user),
    body: pull.body,
    labels: pull.labels.map((record) => label(base, repo.record, record)),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.head, live.headSha),
    base: side(pull.base, live.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: 'NONE',
    auto_merge: null,
    draft: pull.draft,
  };
}

/** `pull-request` (get, create, update; webhook payloads). */
export function pullRequest(base: string, repo: RepoState, pull: PullRecord, live: PullLive) {
  const merged = pull.mergedAt !== null;
  return {
    ...pullRequestSimple(base, repo, pull, live),
    merged,
    mergeable: live.mergeable,
    rebaseable: live.mergeable,
    mergeable_state: pull.state !== 'open' ? 'unknown' : live.mergeable ? 'clean' : 'dirty',
    merged_by: pull.mergedBy ? simpleUser(base, pull.mergedBy) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: live.commits,
    additions: live.additions,
    deletions: live.deletions,
    changed_files: live.changedFiles,
  };
}
