/**
 * Gitea and Forgejo deliveries (`X-Gitea-Event` / `X-Forgejo-Event`, `X-Gitea-Delivery` /
 * `X-Forgejo-Delivery`). Their payloads follow GitHub's field names (`repository.clone_url`,
 * `ref_type`, `release.tag_name`); release actions are `published`, `updated`, `deleted`.
 */
import { BridgeError } from '../errors.js';
import { deliveryIdHeaders, firstHeader, type ParsedDelivery } from './delivery.js';
import { classifyGithubLike } from './github.js';
import { parseJsonObject, text, urls } from './payload.js';

export function parseGitea(headers: Headers, body: Uint8Array): ParsedDelivery {
  const event = firstHeader(headers, ['x-forgejo-event', 'x-gitea-event', 'x-gogs-event']);
  if (event === null) throw new BridgeError('BAD_REQUEST', 'Missing X-Gitea-Event or X-Forgejo-Event header');
  const payload = parseJsonObject(body);
  const action = text(payload, 'action');
  const { kind, ref, deleted } = classifyGithubLike(event, action, payload);
  return {
    forge: 'gitea',
    deliveryId: firstHeader(headers, deliveryIdHeaders.gitea),
    event,
    action,
    kind,
    repositoryUrls: urls(payload, ['repository.clone_url', 'repository.html_url']),
    ref,
    deleted,
  };
}
