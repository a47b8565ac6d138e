/**
 * Gitea and Forgejo deliveries (`X-Gitea-Event` / `X-Forgejo-Event`, `X-Gitea-Delivery` /
 * `X-Forgejo-Delivery`). Their payloads follow GitHub's field names (`repository.clone_url`,
 * `ref_type`, `release.tag_name`); release actions are `published`, `updated`, `deleted`.
 */
import type { ParsedDelivery } from './delivery.js';
import { parseGithubLike } from './github.js';

export function parseGitea(headers: Headers, body: Uint8Array): ParsedDelivery {
  return parseGithubLike(
    'gitea',
    ['x-forgejo-event', 'x-gitea-event', 'x-gogs-event'],
    'Missing X-Gitea-Event or X-Forgejo-Event header',
    headers,
    body,
  );
}
