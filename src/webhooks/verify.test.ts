import { describe, expect, it } from 'vitest';
import { fixture, forgeHeaders, hexHmac, newSigningToken, standardSignature } from '../../test/support/webhooks.js';
import { type RejectReason, SIGNATURE_TOLERANCE_MS, verifySignature, type WebhookSecret } from './verify.js';

const body = fixture('gitea/push-tag.json');
const now = Date.now();
const current: WebhookSecret = { value: 'current-secret' };
const previous: WebhookSecret = { value: 'previous-secret' };

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

async function rejected(promise: ReturnType<typeof verifySignature>): Promise<RejectReason> {
  const result = await promise;
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

describe('GitHub signatures (X-Hub-Signature-256)', () => {
  it('accepts the HMAC-SHA256 of the raw body and says which secret matched', async () => {
    const h = headers(forgeHeaders('github', body, 'current-secret', { event: 'push' }));
    expect(await verifySignature('github', h, body, [previous, current], now)).toEqual({ ok: true, secret: current });
  });

  it('accepts any of several secrets during a rotation, old and new', async () => {
    for (const secret of [current, previous]) {
      const h = headers(forgeHeaders('github', body, secret.value, { event: 'push' }));
      expect(await verifySignature('github', h, body, [current, previous], now)).toEqual({ ok: true, secret });
    }
  });

  it('rejects a retired secret once it is removed from the list', async () => {
    const h = headers(forgeHeaders('github', body, 'previous-secret', { event: 'push' }));
    expect(await rejected(verifySignature('github', h, body, [current], now))).toBe('bad-signature');
  });

  it('rejects a body changed after signing', async () => {
    const h = headers(forgeHeaders('github', body, 'current-secret', { event: 'push' }));
    const tampered = new Uint8Array(body);
    tampered[10] = (tampered[10]! + 1) % 256;
    expect(await rejected(verifySignature('github', h, tampered, [current], now))).toBe('bad-signature');
  });

  it('rejects a missing header, a missing sha256= prefix, non-hex and short signatures', async () => {
    const mac = hexHmac('current-secret', body);
    expect(await rejected(verifySignature('github', headers({}), body, [current], now))).toBe('missing-signature');
    for (const value of [mac, `sha1=${mac}`, `sha256=${mac.slice(0, 40)}`, `sha256=${'z'.repeat(64)}`, 'sha256=']) {
      const h = headers({ 'x-hub-signature-256': value });
      expect(await rejected(verifySignature('github', h, body, [current], now)), value).toBe('bad-signature');
    }
  });

  it('accepts an upper-case hex signature (hex is case-insensitive)', async () => {
    const h = headers({ 'x-hub-signature-256': `sha256=${hexHmac('current-secret', body).toUpperCase()}` });
    expect((await verifySignature('github', h, body, [current], now)).ok).toBe(true);
  });

  it('rejects everything while no secret is configured', async () => {
    const h = headers(forgeHeaders('github', body, 'current-secret', { event: 'push' }));
    expect(await rejected(verifySignature('github', h, body, [], now))).toBe('no-secret-configured');
  });

  it('returns a registry-scoped secret with its repository key, for the receiver to check after parsing', async () => {
    const scoped: WebhookSecret = { value: 'registry-secret', repositoryKey: 'github.com/acme/app' };
    const h = headers(forgeHeaders('github', body, 'registry-secret', { event: 'push' }));
    expect(await verifySignature('github', h, body, [current, scoped], now)).toEqual({ ok: true, secret: scoped });
  });
});

describe('Gitea and Forgejo signatures (bare hex)', () => {
  it('accepts X-Gitea-Signature and X-Forgejo-Signature', async () => {
    const mac = hexHmac('current-secret', body);
    for (const name of ['x-gitea-signature', 'x-forgejo-signature']) {
      expect((await verifySignature('gitea', headers({ [name]: mac }), body, [previous, current], now)).ok, name).toBe(
        true,
      );
    }
  });

  it("accepts GitHub's X-Hub-Signature-256 that newer Gitea sends as well", async () => {
    const h = headers({ 'x-hub-signature-256': `sha256=${hexHmac('current-secret', body)}` });
    expect((await verifySignature('gitea', h, body, [current], now)).ok).toBe(true);
  });

  it('rejects a wrong or missing signature, and a sha256= prefix on the bare header', async () => {
    const mac = hexHmac('current-secret', body);
    expect(await rejected(verifySignature('gitea', headers({}), body, [current], now))).toBe('missing-signature');
    const wrong = headers({ 'x-gitea-signature': hexHmac('other', body) });
    expect(await rejected(verifySignature('gitea', wrong, body, [current], now))).toBe('bad-signature');
    const prefixed = headers({ 'x-gitea-signature': `sha256=${mac}` });
    expect(await rejected(verifySignature('gitea', prefixed, body, [current], now))).toBe('bad-signature');
  });
});

describe('GitLab: X-Gitlab-Token and signing tokens', () => {
  const signing: WebhookSecret = { value: newSigningToken() };
  const seconds = Math.floor(now / 1000);

  it('accepts the shared token, any of the rotated ones, and rejects others', async () => {
    for (const secret of [current, previous]) {
      const h = headers(forgeHeaders('gitlab', body, secret.value, { event: 'Tag Push Hook' }));
      expect(await verifySignature('gitlab', h, body, [current, previous], now)).toEqual({ ok: true, secret });
    }
    const h = headers(forgeHeaders('gitlab', body, 'guessed', { event: 'Tag Push Hook' }));
    expect(await rejected(verifySignature('gitlab', h, body, [current, previous], now))).toBe('bad-signature');
    for (const almost of ['current-secre', 'current-secrets', 'Current-secret']) {
      const near = headers({ 'x-gitlab-token': almost });
      expect(await rejected(verifySignature('gitlab', near, body, [current], now)), almost).toBe('bad-signature');
    }
  });

  it('rejects a delivery with neither token nor signature', async () => {
    expect(await rejected(verifySignature('gitlab', headers({}), body, [current], now))).toBe('missing-signature');
  });

  it('accepts a signing-token signature alone (v1,<base64> over id.timestamp.body)', async () => {
    const h = headers(
      forgeHeaders('gitlab', body, '', { event: 'Tag Push Hook', signingToken: signing.value, noToken: true }),
    );
    expect(await verifySignature('gitlab', h, body, [current, signing], now)).toEqual({ ok: true, secret: signing });
  });

  it('accepts token and signature together, and rejects when either one is wrong', async () => {
    const both = forgeHeaders('gitlab', body, 'current-secret', {
      event: 'Tag Push Hook',
      signingToken: signing.value,
    });
    expect((await verifySignature('gitlab', headers(both), body, [current, signing], now)).ok).toBe(true);
    const badToken = { ...both, 'x-gitlab-token': 'wrong' };
    expect(await rejected(verifySignature('gitlab', headers(badToken), body, [current, signing], now))).toBe(
      'bad-signature',
    );
    const badSignature = {
      ...both,
      'webhook-signature': standardSignature(newSigningToken().replace('whsec_', 'whsec_A'), 'x', seconds, body),
    };
    expect(await rejected(verifySignature('gitlab', headers(badSignature), body, [current, signing], now))).toBe(
      'bad-signature',
    );
  });

  it('accepts when one of several space-separated signatures matches (signing-token rotation)', async () => {
    const h = forgeHeaders('gitlab', body, '', { event: 'Tag Push Hook', signingToken: signing.value, noToken: true });
    h['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} ${h['webhook-signature']}`;
    expect((await verifySignature('gitlab', headers(h), body, [signing], now)).ok).toBe(true);
  });

  it('rejects a signature whose timestamp is more than five minutes old or ahead (replay)', async () => {
    const tooOld = Math.floor((now - SIGNATURE_TOLERANCE_MS) / 1000) - 2;
    const tooNew = Math.floor((now + SIGNATURE_TOLERANCE_MS) / 1000) + 2;
    for (const timestampSeconds of [tooOld, tooNew]) {
      const h = forgeHeaders('gitlab', body, '', {
        event: 'Tag Push Hook',
        signingToken: signing.value,
        noToken: true,
        timestampSeconds,
      });
      expect(await rejected(verifySignature('gitlab', headers(h), body, [signing], now))).toBe('stale-timestamp');
    }
    const justInside = Math.floor((now - SIGNATURE_TOLERANCE_MS) / 1000) + 5;
    const h = forgeHeaders('gitlab', body, '', {
      event: 'Tag Push Hook',
      signingToken: signing.value,
      noToken: true,
      timestampSeconds: justInside,
    });
    expect((await verifySignature('gitlab', headers(h), body, [signing], now)).ok).toBe(true);
  });

  it('rejects a replayed signature whose timestamp header was changed to look fresh', async () => {
    const old = Math.floor(now / 1000) - 3600;
    const h = forgeHeaders('gitlab', body, '', {
      event: 'Tag Push Hook',
      signingToken: signing.value,
      noToken: true,
      timestampSeconds: old,
    });
    h['webhook-timestamp'] = String(Math.floor(now / 1000));
    expect(await rejected(verifySignature('gitlab', headers(h), body, [signing], now))).toBe('bad-signature');
  });

  it('rejects signature headers without id or timestamp, and malformed timestamps', async () => {
    const h = forgeHeaders('gitlab', body, '', { event: 'Tag Push Hook', signingToken: signing.value, noToken: true });
    const { 'webhook-id': _id, ...withoutId } = h;
    expect(await rejected(verifySignature('gitlab', headers(withoutId), body, [signing], now))).toBe(
      'missing-signature',
    );
    const malformed = { ...h, 'webhook-timestamp': '12e3' };
    expect(await rejected(verifySignature('gitlab', headers(malformed), body, [signing], now))).toBe('bad-signature');
  });

  it('does not accept a plain secret as a signing key', async () => {
    const h = forgeHeaders('gitlab', body, '', {
      event: 'Tag Push Hook',
      signingToken: 'whsec_Y3VycmVudC1zZWNyZXQ=',
      noToken: true,
    });
    expect(await rejected(verifySignature('gitlab', headers(h), body, [current], now))).toBe('bad-signature');
  });
});
