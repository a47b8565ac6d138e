/**
 * GitHub deliveries (`X-GitHub-Event`, `X-GitHub-Delivery`), payloads as published in
 * `@octokit/webhooks-examples`: push, create/delete (tags), release, pull_request, ping.
 */
import { BridgeError } from '../errors.js';
import { type DeliveryKind, deliveryIdHeaders, firstHeader, type ParsedDelivery } from './delivery.js';
import { flag, type JsonObject, parseJsonObject, splitRef, text, urls } from './payload.js';

/** Release actions after which the release's tag exists: worth a look at the registry. */
const RELEASE_ACTIONS = new Set(['published', 'released', 'prereleased']);

export function parseGithub(headers: Headers, body: Uint8Array): ParsedDelivery {
  return parseGithubLike('github', ['x-github-event'], 'Missing X-GitHub-Event header', headers, body);
}

/**
 * Gitea and Forgejo copy GitHub's event names and payload fields: both parsers differ only in the
 * forge, the event headers they read and the error for a missing one.
 */
export function parseGithubLike(
  forge: 'github' | 'gitea',
  eventHeaders: string[],
  missingEvent: string,
  headers: Headers,
  body: Uint8Array,
): ParsedDelivery {
  const event = firstHeader(headers, eventHeaders);
  if (event === null) throw new BridgeError('BAD_REQUEST', missingEvent);
  const payload = parseJsonObject(body);
  const action = text(payload, 'action');
  const { kind, ref, deleted } = classifyGithubLike(event, action, payload);
  return {
    forge,
    deliveryId: firstHeader(headers, deliveryIdHeaders[forge]),
    event,
    action,
    kind,
    repositoryUrls: urls(payload, ['repository.clone_url', 'repository.html_url']),
    cloneUrl: text(payload, 'repository.clone_url'),
    ref,
    deleted,
  };
}

function classifyGithubLike(
  event: string,
  action: string | null,
  payload: JsonObject,
): { kind: DeliveryKind; ref: string | null; deleted: boolean } {
  switch (event) {
    case 'ping':
      return { kind: 'ping', ref: null, deleted: false };
    case 'push': {
      const ref = splitRef(text(payload, 'ref'));
      if (ref === null) return { kind: 'other', ref: null, deleted: false };
      return { kind: ref.type === 'tag' ? 'tag' : 'branch-push', ref: ref.name, deleted: flag(payload, 'deleted') };
    }
    case 'create':
    case 'delete':
      if (text(payload, 'ref_type') !== 'tag') return { kind: 'other', ref: text(payload, 'ref'), deleted: false };
      return { kind: 'tag', ref: text(payload, 'ref'), deleted: event === 'delete' };
    case 'release':
      return {
        kind: action !== null && RELEASE_ACTIONS.has(action) ? 'release' : 'other',
        ref: text(payload, 'release.tag_name'),
        deleted: false,
      };
    case 'pull_request':
      return {
        kind: 'pull-request',
        ref: text(payload, 'number') ?? text(payload, 'pull_request.number'),
        deleted: false,
      };
    default:
      return { kind: 'other', ref: null, deleted: false };
  }
}
