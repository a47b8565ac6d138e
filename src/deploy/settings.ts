/**
 * How margo-bridge reaches one deployment repository: the provider and its connection settings
 * (secrets included: callers keep them sealed and open them only to build a provider).
 */
import type { RegistryAuth, RegistryTls } from '../registry/interface.js';
import type { ForgeSettings } from './forges/interface.js';

export type GitHubAuth =
  | { type: 'token'; token: string }
  /** A GitHub App installation: installation tokens are made from the private key and renewed before expiry. */
  | { type: 'app'; appId: number | string; privateKey: string; installationId: number };

export interface GitHubProviderSettings {
  provider: 'github';
  owner: string;
  repo: string;
  /** REST API root; default https://api.github.com (GitHub Enterprise Server: https://HOST/api/v3). */
  apiUrl?: string;
  auth: GitHubAuth;
}

/** Any Git server over HTTPS, with the connection settings registries have. */
export interface GitProviderSettings {
  provider: 'git';
  /** Clone URL, https:// (http:// only with allowHttp); never contains credentials. */
  url: string;
  allowHttp?: boolean;
  auth: RegistryAuth;
  tls?: RegistryTls;
  /** Milliseconds per operation; default 30 000. */
  timeoutMs?: number;
  /** The branch proposals target, to tell merged proposals from open ones; default `main`. */
  baseBranch?: string;
  /** A forge's pull requests over the pushed branch (Gitea/Forgejo, GitLab); absent: the branch is the proposal. */
  forge?: ForgeSettings;
}

/** A bare repository under the data directory, reviewed in margo-bridge itself. */
export interface LocalProviderSettings {
  provider: 'local';
  /** The repository's name: `<root>/<name>.git`, served at `/git/<name>.git` (lower-case letters, digits, `-`, `_`). */
  name: string;
}

export type DeploymentProviderSettings = GitHubProviderSettings | GitProviderSettings | LocalProviderSettings;

/** Names a local repository may have: they become a directory and a URL path segment. */
export const localRepositoryName = /^[a-z0-9][a-z0-9_-]{0,62}$/;
