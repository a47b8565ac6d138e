/** Pull requests on Gitea/Forgejo and GitLab for the `git` provider, chosen by `forge.type`. */
import type { DeploymentProvider } from '../interface.js';
import { giteaPulls } from './gitea.js';
import { gitlabMergeRequests } from './gitlab.js';
import type { Fetch, ForgeSettings } from './interface.js';
import { withPullRequests } from './provider.js';

export type { ForgeKind, ForgeSettings } from './interface.js';

export function withForge(
  git: DeploymentProvider,
  forge: ForgeSettings,
  baseBranch: string,
  fetcher: Fetch = (input, init) => fetch(input, init),
): DeploymentProvider {
  const api = forge.type === 'gitlab' ? gitlabMergeRequests(forge, fetcher) : giteaPulls(forge, fetcher);
  return withPullRequests(git, api, baseBranch);
}
