/**
 * GitLab deliveries (`X-Gitlab-Event`, delivery id `Idempotency-Key`, which stays the same across
 * retries, else `X-Gitlab-Event-UUID`). The kind comes from the payload's `object_kind`:
 * `tag_push`, `push`, `release` (actions create, update, delete), `merge_request`.
 * GitLab has no ping: its "Test" button sends a sample of the chosen event.
 */
import { BridgeError } from '../errors.js';
import { type DeliveryKind, deliveryIdHeaders, firstHeader, type ParsedDelivery } from './delivery.js';
import { type JsonObject, parseJsonObject, splitRef, text, urls } from './payload.js';

const ZERO_SHA = /^0+$/;

export function parseGitlab(headers: Headers, body: Uint8Array): ParsedDelivery {
  const event = firstHeader(headers, ['x-gitlab-event']);
  if (event === null) throw new BridgeError('BAD_REQUEST', 'Missing X-Gitlab-Event header');
  const payload = parseJsonObject(body);
  const objectKind = text(payload, 'object_kind') ?? text(payload, 'event_name');
  const action = text(payload, 'action') ?? text(payload, 'object_attributes.action');
  const { kind, ref, deleted } = classifyGitlab(objectKind, action, payload);
  return {
    forge: 'gitlab',
    deliveryId: firstHeader(headers, deliveryIdHeaders.gitlab),
    event,
    action,
    kind,
    repositoryUrls: urls(payload, [
      'project.git_http_url',
      'project.web_url',
      'repository.git_http_url',
      'repository.homepage',
    ]),
    cloneUrl: text(payload, 'project.git_http_url') ?? text(payload, 'repository.git_http_url'),
    ref,
    deleted,
  };
}

function classifyGitlab(
  objectKind: string | null,
  action: string | null,
  payload: JsonObject,
): { kind: DeliveryKind; ref: string | null; deleted: boolean } {
  switch (objectKind) {
    case 'tag_push': {
      const ref = splitRef(text(payload, 'ref'));
      return { kind: 'tag', ref: ref?.name ?? null, deleted: ZERO_SHA.test(text(payload, 'after') ?? '') };
    }
    case 'push': {
      const ref = splitRef(text(payload, 'ref'));
      return { kind: ref?.type === 'branch' ? 'branch-push' : 'other', ref: ref?.name ?? null, deleted: false };
    }
    case 'release':
      return { kind: action === 'create' ? 'release' : 'other', ref: text(payload, 'tag'), deleted: false };
    case 'merge_request':
      return { kind: 'pull-request', ref: text(payload, 'object_attributes.iid'), deleted: false };
    default:
      return { kind: 'other', ref: null, deleted: false };
  }
}
