/**
 * The permission part of the `github` connection test. A GitHub App's installation states its
 * permissions (read with the App's JWT); a token's are found by writes GitHub refuses before it
 * reads them (empty ref and pull request), which change nothing and show a missing permission.
 * Either way the error names the permission by its GitHub name.
 */
import { BridgeError } from '../errors.js';
import { type GitHubOctokit, statusOf } from './github-client.js';

const needed = ['contents', 'pull_requests'] as const;

export async function checkPermissions(
  github: GitHubOctokit,
  repository: { owner: string; repo: string },
  appJwt: string | undefined,
): Promise<void> {
  const fullName = `${repository.owner}/${repository.repo}`;
  if (appJwt) {
    const { data } = await github.rest.apps.getRepoInstallation({
      ...repository,
      headers: { authorization: `bearer ${appJwt}` },
    });
    const held = data.permissions as Record<string, string | undefined>;
    for (const permission of needed) {
      if (held[permission] !== 'write') {
        throw new BridgeError(
          'DEPLOY_PERMISSION',
          `the GitHub App installation on ${fullName} needs the permission ${permission}: write (it has ${held[permission] ?? 'none'})`,
        );
      }
    }
    return;
  }
  const probes = {
    contents: () => github.rest.git.createRef({ ...repository, ref: '', sha: '' }),
    pull_requests: () => github.rest.pulls.create({ ...repository, head: '', base: '' }),
  };
  for (const permission of needed) {
    const status = await probes[permission]().then(
      () => 200,
      (error: unknown) => statusOf(error),
    );
    if (status === 401) throw new BridgeError('DEPLOY_AUTH', `GitHub refused the token for ${fullName} (HTTP 401)`);
    if (status === 403 || status === 404) {
      throw new BridgeError(
        'DEPLOY_PERMISSION',
        `the token may not write to ${fullName}: it needs the permission ${permission}: write`,
      );
    }
  }
}
