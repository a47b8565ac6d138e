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
 * What the headers alone decide (no secret, no or a malformed signature, a wrong GitLab token, a
 * stale timestamp) is decided before the body is read (`startVerification`); the MACs are then
 * computed while the body streams in (`BodyVerifier`).
 */

import { fromBase64, fromHex, utf8 } from '../bytes.js';
import { BodyMacs, sameBytes } from './body-mac.js';
import { type Forge, firstHeader } from './delivery.js';
import { constantTimeEqual } from './hmac.js';

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

/** The headers' verdict: refused already, or the check the body must still pass. */
export type Precheck = { ok: false; reason: RejectReason } | { ok: true; verifier: BodyVerifier };

export interface BodyVerifier {
  update(chunk: Uint8Array): void;
  finish(): Promise<Verification>;
}

export async function startVerification(
  forge: Forge,
  headers: Headers,
  secrets: readonly WebhookSecret[],
  now: number,
): Promise<Precheck> {
  if (secrets.length === 0) return { ok: false, reason: 'no-secret-configured' };
  switch (forge) {
    case 'github':
      return hexHmacCheck(firstHeader(headers, ['x-hub-signature-256']), 'sha256=', secrets);
    case 'gitea': {
      const bare = firstHeader(headers, ['x-forgejo-signature', 'x-gitea-signature']);
      if (bare !== null) return hexHmacCheck(bare, '', secrets);
      return hexHmacCheck(firstHeader(headers, ['x-hub-signature-256']), 'sha256=', secrets);
    }
    case 'gitlab':
      return gitlabCheck(headers, secrets, now);
    case 'distribution':
      return secretHeaderCheck(headers, secrets);
  }
}

/** The whole check over a body already in memory. */
export async function verifySignature(
  forge: Forge,
  headers: Headers,
  body: Uint8Array<ArrayBuffer>,
  secrets: readonly WebhookSecret[],
  now: number,
): Promise<Verification> {
  const precheck = await startVerification(forge, headers, secrets, now);
  if (!precheck.ok) return precheck;
  precheck.verifier.update(body);
  return precheck.verifier.finish();
}

const refused = (reason: RejectReason): Precheck => ({ ok: false, reason });

/** A verifier passing when one candidate's MAC over `prefix + body` equals one of `macs`. */
function macVerifier(
  candidates: readonly { secret: WebhookSecret; key: Uint8Array<ArrayBuffer> }[],
  macs: readonly Uint8Array[],
  prefix?: Uint8Array,
): BodyVerifier {
  const computed = new BodyMacs(
    candidates.map((candidate) => candidate.key),
    prefix,
  );
  return {
    update: (chunk) => computed.update(chunk),
    async finish() {
      const digests = await computed.digests();
      for (const [index, digest] of digests.entries()) {
        if (macs.some((mac) => sameBytes(mac, digest))) return { ok: true, secret: candidates[index]!.secret };
      }
      return { ok: false, reason: 'bad-signature' };
    },
  };
}

function hexHmacCheck(header: string | null, prefix: string, secrets: readonly WebhookSecret[]): Precheck {
  if (header === null) return refused('missing-signature');
  if (!header.toLowerCase().startsWith(prefix)) return refused('bad-signature');
  const mac = fromHex(header.slice(prefix.length));
  if (mac === undefined || mac.length !== 32) return refused('bad-signature');
  const candidates = secrets.map((secret) => ({ secret, key: utf8(secret.value) }));
  return { ok: true, verifier: macVerifier(candidates, [mac]) };
}

async function gitlabCheck(headers: Headers, secrets: readonly WebhookSecret[], now: number): Promise<Precheck> {
  const token = firstHeader(headers, ['x-gitlab-token']);
  const signature = firstHeader(headers, ['webhook-signature']);
  if (token === null && signature === null) return refused('missing-signature');
  let tokenMatch: WebhookSecret | null = null;
  if (token !== null) {
    tokenMatch = await matchToken(token, secrets);
    if (tokenMatch === null) return refused('bad-signature');
  }
  if (signature === null) {
    const matched = tokenMatch;
    return { ok: true, verifier: { update() {}, finish: async () => ({ ok: true, secret: matched! }) } };
  }
  const signed = signingTokenCheck(headers, signature, secrets, now);
  if (!signed.ok || tokenMatch === null) return signed;
  const bodyCheck = signed.verifier;
  const byToken = tokenMatch;
  return {
    ok: true,
    verifier: {
      update: (chunk) => bodyCheck.update(chunk),
      async finish() {
        const verified = await bodyCheck.finish();
        if (!verified.ok) return verified;
        // A registry-scoped secret on one credential must not widen what the other one proves.
        return { ok: true, secret: verified.secret.repositoryKey !== undefined ? verified.secret : byToken };
      },
    },
  };
}

/**
 * OCI registry notifications carry no signature: the registry's endpoint sends a configured header,
 * `Authorization: Bearer <secret>` (or `X-Margo-Bridge-Token: <secret>`), compared in constant time.
 */
async function secretHeaderCheck(headers: Headers, secrets: readonly WebhookSecret[]): Promise<Precheck> {
  const bearer = firstHeader(headers, ['authorization']);
  const token = bearer?.toLowerCase().startsWith('bearer ')
    ? bearer.slice(7).trim()
    : firstHeader(headers, ['x-margo-bridge-token']);
  if (token === null || token === '') return refused('missing-signature');
  const matched = await matchToken(token, secrets);
  if (matched === null) return refused('bad-signature');
  return { ok: true, verifier: { update() {}, finish: async () => ({ ok: true, secret: matched }) } };
}

async function matchToken(token: string, secrets: readonly WebhookSecret[]): Promise<WebhookSecret | null> {
  let found: WebhookSecret | null = null;
  // Compare with every secret, not stopping at the first match, so timing says nothing about which one.
  for (const secret of secrets) {
    if ((await constantTimeEqual(token, secret.value)) && found === null) found = secret;
  }
  return found;
}

function signingTokenCheck(
  headers: Headers,
  signature: string,
  secrets: readonly WebhookSecret[],
  now: number,
): Precheck {
  const id = firstHeader(headers, ['webhook-id']);
  const timestamp = firstHeader(headers, ['webhook-timestamp']);
  if (id === null || timestamp === null) return refused('missing-signature');
  if (!/^\d{1,15}$/.test(timestamp)) return refused('bad-signature');
  if (Math.abs(now - Number(timestamp) * 1000) > SIGNATURE_TOLERANCE_MS) return refused('stale-timestamp');
  const macs = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => fromBase64(entry.slice(3)))
    .filter((mac): mac is Uint8Array<ArrayBuffer> => mac !== undefined && mac.length === 32);
  if (macs.length === 0) return refused('bad-signature');
  const candidates = secrets.flatMap((secret) => {
    if (!secret.value.startsWith(SIGNING_PREFIX)) return [];
    const key = fromBase64(secret.value.slice(SIGNING_PREFIX.length));
    return key === undefined ? [] : [{ secret, key }];
  });
  // No signing secret is configured: nothing could verify this signature, whatever the body.
  if (candidates.length === 0) return refused('bad-signature');
  return { ok: true, verifier: macVerifier(candidates, macs, utf8(`${id}.${timestamp}.`)) };
}
