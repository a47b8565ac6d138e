/**
 * OCI registry notifications in the CNCF distribution envelope
 * (`application/vnd.docker.distribution.events.v1+json`: `{ events: [{ id, action, target:
 * { repository, tag, digest, url }, request: { host } }] }`), the push notification of
 * docker-registry, Harbor and others. A push of a tagged manifest is a `tag` delivery; pulls and
 * blob pushes are `other`. One envelope may carry several events: the first tagged manifest push
 * (or delete) decides, since every event of one repository leads to the same poll.
 * Verified by a configured secret header (`Authorization: Bearer <secret>` in the registry's
 * endpoint `headers`), see verify.ts.
 */
import { BridgeError } from '../errors.js';
import type { ParsedDelivery } from './delivery.js';
import { isObject, type JsonObject, parseJsonObject, text } from './payload.js';

export function parseDistribution(_headers: Headers, body: Uint8Array): ParsedDelivery {
  const payload = parseJsonObject(body);
  const events = Array.isArray(payload.events) ? payload.events.filter(isObject) : null;
  if (events === null) throw new BridgeError('BAD_REQUEST', 'A distribution notification needs an events array');
  const tagged = events.find(
    (event) => (text(event, 'action') === 'push' || text(event, 'action') === 'delete') && text(event, 'target.tag'),
  );
  const chosen: JsonObject | undefined = tagged ?? events[0];
  const action = chosen ? text(chosen, 'action') : null;
  const repositoryUrls = chosen ? repositoryUrlsOf(chosen) : [];
  return {
    forge: 'distribution',
    // The envelope has no id header; each event has an id: the first names the delivery.
    deliveryId: chosen ? text(chosen, 'id') : null,
    event: 'notification',
    action,
    kind: tagged ? 'tag' : 'other',
    repositoryUrls,
    cloneUrl: repositoryUrls[0] ?? null,
    ref: tagged ? text(tagged, 'target.tag') : null,
    deleted: tagged !== undefined && action === 'delete',
  };
}

/** `https://<request.host>/<target.repository>`: matched by repository key, which ignores the scheme. */
function repositoryUrlsOf(event: JsonObject): string[] {
  const repository = text(event, 'target.repository');
  const host = text(event, 'request.host');
  if (repository === null || host === null) return [];
  return [`https://${host}/${repository}`];
}
