/**
 * Deployment repositories: the provider a repository's settings choose. The platform parts (file
 * system, HTTP client, fetch) are passed in; `deploy/node/` supplies them on Node.
 */

import { withForge } from './forges/index.js';
import type { Fetch } from './forges/interface.js';
import { createGitProvider, type GitPlatform } from './git.js';
import { createGitHubProvider, type GitHubPlatform } from './github.js';
import type { DeploymentProvider } from './interface.js';
import { createLocalProvider, type LocalPlatform } from './local.js';
import type { DeploymentProviderSettings } from './settings.js';

export type * from './interface.js';
export type * from './settings.js';

export interface ProviderPlatform {
  local: LocalPlatform;
  git: GitPlatform;
  github?: GitHubPlatform;
  /** The fetch forge APIs are called with (Gitea/Forgejo, GitLab); default the global fetch. */
  forge?: { fetch?: Fetch };
}

export function createDeploymentProvider(
  settings: DeploymentProviderSettings,
  platform: ProviderPlatform,
): DeploymentProvider {
  switch (settings.provider) {
    case 'github':
      return createGitHubProvider(settings, platform.github ?? {});
    case 'git': {
      const git = createGitProvider(settings, platform.git);
      return settings.forge
        ? withForge(git, settings.forge, settings.baseBranch ?? 'main', platform.forge?.fetch)
        : git;
    }
    case 'local':
      return createLocalProvider(settings, platform.local);
  }
}
