/**
 * Signature checks, run on the raw body before anything of it is parsed.
 * Several secrets may be valid at once (rotation): a delivery passes when one of them verifies.
 * - GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body.
 * - Gitea/Forgejo: `X-Forgejo-Signature` / `X-Gitea-Signature`, bare hex HMAC-SHA256 of the body
 *   (newer Gitea also sends GitHub's header, accepted as well).
 * - GitLab: `X-Gitlab-Token` (the shared secret itself) and/or the signing token scheme of
 *   Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`,
 *   HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed with the base64 after `whsec_`), whose
 *   timestamp must be within five minutes of now. Every credential a delivery presents must verify.
 */

import { concatBytes, fromBase64, fromHex } from '../bytes.js';
import { type Forge, firstHeader } from './delivery.js';
import { constantTimeEqual, hmacKey, verifyHmac } from './hmac.js';

export interface WebhookSecret {
  value: string;
  /**
   * Set for a registry's own secret: it proves only deliveries about that repository
   * (compared with `repositoryKey` of the delivery's URLs after parsing).
   */
  repositoryKey?: string;
}

export type RejectReason = 'no-secret-configured' | 'missing-signature' | 'bad-signature' | 'stale-timestamp';

export type Verification = { ok: true; secret: WebhookSecret } | { ok: false; reason: RejectReason };

/** How far a GitLab signing timestamp may be from now, either way. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

/** Prefix of Standard Webhooks signing secrets (GitLab signing tokens). */
const SIGNING_PREFIX = 'whsec_';

const encoder = new TextEncoder();

export async function verifySignature(
  forge: Forge,
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
  secrets: readonly WebhookSecret[],
  now: number,
): Promise<Verification> {
  if (secrets.length === 0) return { ok: false, reason: 'no-secret-configured' };
  switch (forge) {
    case 'github':
      return verifyHexHmac(firstHeader(headers, ['x-hub-signature-256']), 'sha256=', body, secrets);
    case 'gitea': {
      const bare = firstHeader(headers, ['x-forgejo-signature', 'x-gitea-signature']);
      if (bare !== null) return verifyHexHmac(bare, '', body, secrets);
      return verifyHexHmac(firstHeader(headers, ['x-hub-signature-256']), 'sha256=', body, secrets);
    }
    case 'gitlab':
      return verifyGitlab(headers, body, secrets, now);
  }
}

async function verifyHexHmac(
  header: string | null,
  prefix: string,
  body: Uint8Array<ArrayBuffer>,
  secrets: readonly WebhookSecret[],
): Promise<Verification> {
  if (header === null) return { ok: false, reason: 'missing-signature' };
  if (!header.toLowerCase().startsWith(prefix)) return { ok: false, reason: 'bad-signature' };
  const mac = fromHex(header.slice(prefix.length));
  if (mac === undefined) return { ok: false, reason: 'bad-signature' };
  for (const secret of secrets) {
    if (await verifyHmac(await hmacKey(secret.value), mac, body)) return { ok: true, secret };
  }
  return { ok: false, reason: 'bad-signature' };
}

async function verifyGitlab(
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
  secrets: readonly WebhookSecret[],
  now: number,
): Promise<Verification> {
  const token = firstHeader(headers, ['x-gitlab-token']);
  const signature = firstHeader(headers, ['webhook-signature']);
  if (token === null && signature === null) return { ok: false, reason: 'missing-signature' };
  let matched: WebhookSecret | null = null;
  if (signature !== null) {
    const signed = await verifySigningToken(headers, signature, body, secrets, now);
    if (!signed.ok) return signed;
    matched = signed.secret;
  }
  if (token !== null) {
    const tokenMatch = await matchToken(token, secrets);
    if (tokenMatch === null) return { ok: false, reason: 'bad-signature' };
    // A registry-scoped secret on one credential must not widen what the other one proves.
    matched = matched?.repositoryKey !== undefined ? matched : tokenMatch;
  }
  return matched ? { ok: true, secret: matched } : { ok: false, reason: 'bad-signature' };
}

async function matchToken(token: string, secrets: readonly WebhookSecret[]): Promise<WebhookSecret | null> {
  let found: WebhookSecret | null = null;
  // Compare with every secret, not stopping at the first match, so timing says nothing about which one.
  for (const secret of secrets) {
    if ((await constantTimeEqual(token, secret.value)) && found === null) found = secret;
  }
  return found;
}

async function verifySigningToken(
  headers: Headers,
  signature: string,
  body: Uint8Array<ArrayBuffer>,
  secrets: readonly WebhookSecret[],
  now: number,
): Promise<Verification> {
  const id = firstHeader(headers, ['webhook-id']);
  const timestamp = firstHeader(headers, ['webhook-timestamp']);
  if (id === null || timestamp === null) return { ok: false, reason: 'missing-signature' };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, reason: 'bad-signature' };
  if (Math.abs(now - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS)
    return { ok: false, reason: 'stale-timestamp' };
  const macs = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => fromBase64(entry.slice(3)))
    .filter((mac): mac is Uint8Array<ArrayBuffer> => mac !== undefined);
  if (macs.length === 0) return { ok: false, reason: 'bad-signature' };
  const signed = concatBytes([encoder.encode(`${id}.${timestamp}.`), body]);
  for (const secret of secrets) {
    if (!secret.value.startsWith(SIGNING_PREFIX)) continue;
    const keyBytes = fromBase64(secret.value.slice(SIGNING_PREFIX.length));
    if (keyBytes === undefined) continue;
    const key = await hmacKey(keyBytes);
    for (const mac of macs) {
      if (await verifyHmac(key, mac, signed)) return { ok: true, secret };
    }
  }
  return { ok: false, reason: 'bad-signature' };
}
