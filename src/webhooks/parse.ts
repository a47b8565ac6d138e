/**
 * One entry point for the receivers: the parser of each forge, and the delivery id, which falls
 * back to the body's SHA-256 for the rare delivery without an id header, so that an identical
 * redelivery is still recognised.
 */
import { toHex } from '../bytes.js';
import { BridgeError } from '../errors.js';
import { unsafeTextReason } from '../text.js';
import { type Delivery, deliveryIdHeaders, type Forge, firstHeader, type ParsedDelivery } from './delivery.js';
import { parseDistribution } from './distribution.js';
import { parseGitea } from './gitea.js';
import { parseGithub } from './github.js';
import { parseGitlab } from './gitlab.js';

const parsers: Record<Forge, (headers: Headers, body: Uint8Array<ArrayBuffer>) => ParsedDelivery> = {
  github: parseGithub,
  gitea: parseGitea,
  gitlab: parseGitlab,
  distribution: parseDistribution,
};

/** Parses a verified delivery; throws BridgeError BAD_REQUEST naming what is wrong with it. */
export async function parseDelivery(forge: Forge, headers: Headers, body: Uint8Array<ArrayBuffer>): Promise<Delivery> {
  const parsed = parsers[forge](headers, body);
  checkStoredText(parsed);
  return { ...parsed, deliveryId: parsed.deliveryId ?? (await bodyDigestId(body)) };
}

/** The fields a delivery row stores must be storable on every database (PostgreSQL refuses NUL). */
function checkStoredText(parsed: ParsedDelivery): void {
  const fields: [string, string | null][] = [
    ['event', parsed.event],
    ['action', parsed.action],
    ['ref', parsed.ref],
    ['cloneUrl', parsed.cloneUrl],
    ...parsed.repositoryUrls.map((url): [string, string] => ['repository URL', url]),
  ];
  for (const [field, value] of fields) {
    const reason = value === null ? null : unsafeTextReason(value, { allowBlank: true });
    if (reason !== null) throw new BridgeError('BAD_REQUEST', `Webhook payload ${field} ${reason}`);
  }
}

/** The delivery id without parsing the body (for a verified delivery whose body is unusable). */
export async function deliveryIdOf(forge: Forge, headers: Headers, body: Uint8Array<ArrayBuffer>): Promise<string> {
  return firstHeader(headers, deliveryIdHeaders[forge]) ?? (await bodyDigestId(body));
}

async function bodyDigestId(body: Uint8Array<ArrayBuffer>): Promise<string> {
  return `sha256:${toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', body)))}`;
}
