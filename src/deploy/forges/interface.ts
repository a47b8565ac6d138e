/**
 * The pull-request API of a forge behind the `git` provider (Gitea/Forgejo pull requests, GitLab
 * merge requests), in one shape: the branch push stays isomorphic-git's; this is the review surface.
 */

export type ForgeKind = 'gitea' | 'forgejo' | 'gitlab';

export interface ForgeSettings {
  type: ForgeKind;
  /** API root: `https://HOST/api/v1` (Gitea/Forgejo), `https://HOST/api/v4` (GitLab). */
  apiUrl: string;
  /** `owner/repo` (Gitea/Forgejo); the project's path `group/sub/project` or numeric id (GitLab). */
  repository: string;
  /** Gitea/Forgejo access token; GitLab project or group access token. */
  token: string;
}

export interface ForgePull {
  number: number;
  state: 'open' | 'merged' | 'closed';
  /** Head (source) branch. */
  branch: string;
  headCommit: string;
  title: string;
  body: string;
  url: string;
  labels: string[];
  mergeCommit?: string;
}

export interface PullRequestApi {
  /** The token may read the repository and push / open pull requests; throws DEPLOY_* otherwise. */
  check(): Promise<void>;
  get(number: number): Promise<ForgePull | undefined>;
  /** Open pull requests into `base`: one list call (up to 100). */
  listOpen(base: string): Promise<ForgePull[]>;
  /** Open pull requests from `branch` (one list call). */
  openFrom(branch: string, base: string): Promise<ForgePull[]>;
  create(input: { branch: string; base: string; title: string; body: string; labels: string[] }): Promise<ForgePull>;
  edit(number: number, change: { title?: string; body?: string }): Promise<ForgePull>;
  close(number: number): Promise<ForgePull>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
