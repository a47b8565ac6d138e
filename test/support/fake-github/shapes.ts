/**
 * GitHub's response shapes (as in @octokit/openapi's component schemas: simple-user, repository,
 * git-ref, git-commit, pull-request, ...), filled from the fake's state. Every field a schema
 * requires is present; URLs point at the fake (API and web pages share its base URL).
 */
import type { GitIdentity, ParsedCommit, TreeEntry } from './git.js';

export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Organization' | 'Bot';
}

export interface RepoRecord {
  id: number;
  owner: Account;
  name: string;
  private: boolean;
  defaultBranch: string;
  createdAt: string;
  /** Bare repository directory. */
  gitDir: string;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
}

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  head: string;
  base: string;
  /** Head commit when the pull request was closed or merged (the branch may move or vanish later). */
  headSha: string;
  baseSha: string;
  user: Account;
  labels: LabelRecord[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: Account | null;
}

const documentationBase = 'https://docs.github.com/rest';

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64');
}

/** The git identity GitHub gives commits it makes for an account (noreply address, now). */
export function actorIdentity(account: Account): GitIdentity {
  return {
    name: account.login,
    email: `${account.id}+${account.login}@users.noreply.github.com`,
    date: `${new Date().toISOString().slice(0, 19)}Z`,
  };
}

export function errorBody(status: number, message: string, documentation = documentationBase) {
  return { message, documentation_url: documentation, status: String(status) };
}

export function simpleUser(base: string, account: Account) {
  const url = `${base}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type, account.id),
    avatar_url: `${base}/avatars/u/${account.id}`,
    gravatar_id: '',
    url,
    html_url: `${base}/${account.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function repoApiUrl(base: string, repo: RepoRecord): string {
  return `${base}/repos/${repo.owner.login}/${repo.name}`;
}

/** The `repository` schema (as in pull-request heads and webhook payloads). */
export function repository(base: string, repo: RepoRecord, pushedAt: string, openIssues: number) {
  const url = repoApiUrl(base, repo);
  const fullName = `${repo.owner.login}/${repo.name}`;
  const templated: Record<string, string> = {
    archive_url: '/{archive_format}{/ref}',
    assignees_url: '/assignees{/user}',
    blobs_url: '/git/blobs{/sha}',
    branches_url: '/branches{/branch}',
    collaborators_url: '/collaborators{/collaborator}',
    comments_url: '/comments{/number}',
    commits_url: '/commits{/sha}',
    compare_url: '/compare/{base}...{head}',
    contents_url: '/contents/{+path}',
    contributors_url: '/contributors',
    deployments_url: '/deployments',
    downloads_url: '/downloads',
    events_url: '/events',
    forks_url: '/forks',
    git_commits_url: '/git/commits{/sha}',
    git_refs_url: '/git/refs{/sha}',
    git_tags_url: '/git/tags{/sha}',
    hooks_url: '/hooks',
    issue_comment_url: '/issues/comments{/number}',
    issue_events_url: '/issues/events{/number}',
    issues_url: '/issues{/number}',
    keys_url: '/keys{/key_id}',
    labels_url: '/labels{/name}',
    languages_url: '/languages',
    merges_url: '/merges',
    milestones_url: '/milestones{/number}',
    notifications_url: '/notifications{?since,all,participating}',
    pulls_url: '/pulls{/number}',
    releases_url: '/releases{/id}',
    stargazers_url: '/stargazers',
    statuses_url: '/statuses/{sha}',
    subscribers_url: '/subscribers',
    subscription_url: '/subscription',
    tags_url: '/tags',
    teams_url: '/teams',
    trees_url: '/git/trees{/sha}',
  };
  const urls = Object.fromEntries(Object.entries(templated).map(([key, suffix]) => [key, `${url}${suffix}`]));
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: simpleUser(base, repo.owner),
    html_url: `${base}/${fullName}`,
    description: null,
    fork: false,
    url,
    ...urls,
    git_url: `${base}/${fullName}.git`,
    ssh_url: `git@127.0.0.1:${fullName}.git`,
    clone_url: `${base}/${fullName}.git`,
    svn_url: `${base}/${fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    size: 0,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: openIssues,
    open_issues_count: openIssues,
    default_branch: repo.defaultBranch,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    license: null,
    allow_forking: true,
    web_commit_signoff_required: false,
    pushed_at: pushedAt,
    created_at: repo.createdAt,
    updated_at: pushedAt,
  };
}

/** The `full-repository` schema (GET /repos/{owner}/{repo}). */
export function fullRepository(
  base: string,
  repo: RepoRecord,
  pushedAt: string,
  openIssues: number,
  permissions: { admin: boolean; push: boolean; pull: boolean },
) {
  return {
    ...repository(base, repo, pushedAt, openIssues),
    permissions: { ...permissions, maintain: permissions.admin, triage: permissions.push },
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function gitRef(base: string, repo: RepoRecord, ref: string, sha: string, type: string) {
  const url = repoApiUrl(base, repo);
  return {
    ref,
    node_id: nodeId('Ref', `${repo.id}:${ref}`),
    url: `${url}/git/refs/${ref.replace(/^refs\//, '')}`,
    object: { sha, type, url: `${url}/git/${type}s/${sha}` },
  };
}

function identity(person: GitIdentity) {
  return { name: person.name, email: person.email, date: person.date };
}

const unsigned = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

/** The `git-commit` schema (Git Data API). */
export function gitCommit(base: string, repo: RepoRecord, commit: ParsedCommit) {
  const url = repoApiUrl(base, repo);
  const html = `${base}/${repo.owner.login}/${repo.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${url}/git/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    author: identity(commit.author),
    committer: identity(commit.committer),
    tree: { sha: commit.tree, url: `${url}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${url}/git/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
    verification: unsigned,
  };
}

/** The `commit` schema (REST commits, branches). */
export function restCommit(base: string, repo: RepoRecord, commit: ParsedCommit) {
  const url = repoApiUrl(base, repo);
  const html = `${base}/${repo.owner.login}/${repo.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${url}/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    comments_url: `${url}/commits/${commit.sha}/comments`,
    commit: {
      url: `${url}/git/commits/${commit.sha}`,
      author: identity(commit.author),
      committer: identity(commit.committer),
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${url}/git/trees/${commit.tree}` },
      verification: unsigned,
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${url}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
  };
}

export function treeEntry(base: string, repo: RepoRecord, entry: TreeEntry, path = entry.path) {
  const url = repoApiUrl(base, repo);
  const kind = entry.type === 'tree' ? 'trees' : entry.type === 'blob' ? 'blobs' : 'commits';
  return {
    path,
    mode: entry.mode,
    type: entry.type,
    sha: entry.sha,
    ...(entry.size !== undefined ? { size: entry.size } : {}),
    url: `${url}/git/${kind}/${entry.sha}`,
  };
}

export function gitTree(base: string, repo: RepoRecord, sha: string, entries: TreeEntry[]) {
  return {
    sha,
    url: `${repoApiUrl(base, repo)}/git/trees/${sha}`,
    tree: entries.map((entry) => treeEntry(base, repo, entry)),
    truncated: false,
  };
}

export function label(base: string, repo: RepoRecord, record: LabelRecord) {
  return {
    id: record.id,
    node_id: nodeId('Label', record.id),
    url: `${repoApiUrl(base, repo)}/labels/${encodeURIComponent(record.name)}`,
    name: record.name,
    // GitHub shows null for a label without description, but its description of pull-request
    // lists (`pull-request-simple`) types it as a plain string; an empty one satisfies both.
    description: '',
    color: record.color,
    default: false,
  };
}

/** Entry of a directory listing or a single file (`content-file` with content, `content-directory` items without). */
export function contentItem(base: string, repo: RepoRecord, ref: string, entry: TreeEntry, content?: Buffer) {
  const url = repoApiUrl(base, repo);
  const html = `${base}/${repo.owner.login}/${repo.name}`;
  const type = entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : 'file';
  const self = `${url}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${url}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`;
  const htmlUrl = `${html}/${type === 'dir' ? 'tree' : 'blob'}/${ref}/${entry.path}`;
  return {
    name: entry.path.split('/').pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    size: entry.size ?? 0,
    url: self,
    html_url: htmlUrl,
    git_url: gitUrl,
    download_url: type === 'file' ? `${base}/raw/${repo.owner.login}/${repo.name}/${ref}/${entry.path}` : null,
    type,
    ...(content !== undefined ? { content: wrapBase64(content), encoding: 'base64' } : {}),
    _links: { self, git: gitUrl, html: htmlUrl },
  };
}

/** GitHub wraps base64 file content at 60 characters. */
function wrapBase64(content: Buffer): string {
  const encoded = content.toString('base64');
  return `${encoded.match(/.{1,60}/g)?.join('\n') ?? ''}\n`;
}
