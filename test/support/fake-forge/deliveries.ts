/**
 * Webhook deliveries the forges send when a pull request changes, with the payload fields their
 * documentation gives (Gitea/Forgejo "pull_request" like GitHub's: action closed + merged, or
 * reopened; GitLab "Merge Request Hook": object_attributes.action merge / close / reopen) and
 * their authentication (Gitea: HMAC-SHA256 hex in X-Gitea-Signature; GitLab: X-Gitlab-Token).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { FakePull, ForgeCore } from './core.js';

export interface ForgeDelivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export async function giteaPullRequestDelivery(
  core: ForgeCore,
  origin: string,
  pull: FakePull,
  action: 'closed' | 'reopened' | 'opened',
  secret: string,
  flavour: 'gitea' | 'forgejo' = 'gitea',
): Promise<ForgeDelivery> {
  const [owner, name] = pull.repository.split('/');
  const body = JSON.stringify({
    action,
    number: pull.number,
    pull_request: {
      id: pull.number,
      number: pull.number,
      title: pull.title,
      state: pull.state,
      merged: pull.merged,
      merge_commit_sha: pull.mergeCommit,
      html_url: `${origin}/${pull.repository}/pulls/${pull.number}`,
      head: { ref: pull.head, sha: await core.headOf(pull) },
      base: { ref: pull.base },
    },
    repository: {
      id: 1,
      name,
      owner: { login: owner },
      full_name: pull.repository,
      html_url: `${origin}/${pull.repository}`,
      clone_url: core.cloneUrl(pull.repository),
    },
    sender: { login: 'reviewer' },
  });
  const prefix = flavour === 'forgejo' ? 'x-forgejo' : 'x-gitea';
  return {
    path: '/webhooks/gitea',
    headers: {
      'content-type': 'application/json',
      [`${prefix}-event`]: 'pull_request',
      [`${prefix}-delivery`]: randomUUID(),
      [`${prefix}-signature`]: createHmac('sha256', secret).update(body).digest('hex'),
    },
    body,
  };
}

export async function gitlabMergeRequestDelivery(
  core: ForgeCore,
  origin: string,
  pull: FakePull,
  action: 'merge' | 'close' | 'reopen',
  secret: string,
): Promise<ForgeDelivery> {
  const body = JSON.stringify({
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: { username: 'reviewer' },
    project: {
      id: 1,
      path_with_namespace: pull.repository,
      web_url: `${origin}/${pull.repository}`,
      git_http_url: core.cloneUrl(pull.repository),
      default_branch: 'main',
    },
    object_attributes: {
      id: 1000 + pull.number,
      iid: pull.number,
      source_branch: pull.head,
      target_branch: pull.base,
      state: pull.merged ? 'merged' : pull.state === 'open' ? 'opened' : 'closed',
      action,
      title: pull.title,
      url: `${origin}/${pull.repository}/-/merge_requests/${pull.number}`,
      last_commit: { id: await core.headOf(pull) },
    },
    labels: [],
    repository: { name: pull.repository, homepage: `${origin}/${pull.repository}` },
  });
  const uuid = randomUUID();
  return {
    path: '/webhooks/gitlab',
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': 'Merge Request Hook',
      'x-gitlab-token': secret,
      'x-gitlab-event-uuid': uuid,
      'idempotency-key': uuid,
    },
    body,
  };
}
