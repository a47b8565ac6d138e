/**
 * Who is asking and what they may do: tokens (installation or personal) with a permission set
 * and a repository selection, GitHub App JWTs (RS256) for `/app/…` routes. Answers as GitHub does:
 * 401 "Bad credentials", 404 for repositories the caller cannot see, 403 "Resource not accessible
 * by integration" for a missing permission.
 */
import { createPublicKey, verify } from 'node:crypto';
import { docs, HttpError, notFound } from './router.js';
import { errorBody } from './shapes.js';
import type { Access, AppRecord, FakeState, PermissionName, RepoState, TokenRecord } from './state.js';

export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'token'; token: TokenRecord }
  | { kind: 'jwt'; raw: string }
  | { kind: 'invalid' };

export const badCredentials = () =>
  new HttpError(401, errorBody(401, 'Bad credentials', 'https://docs.github.com/rest'));

/** The credential of a request: `token X`, `Bearer X`, or Basic with the token as password (git). */
export function callerOf(state: FakeState, authorization: string | undefined, now = Date.now()): Caller {
  if (!authorization) return { kind: 'anonymous' };
  const [scheme = '', value = ''] = authorization.split(' ', 2);
  let secret = value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    secret = colon >= 0 ? decoded.slice(colon + 1) || decoded.slice(0, colon) : decoded;
  } else if (!['token', 'bearer'].includes(scheme.toLowerCase())) {
    return { kind: 'invalid' };
  }
  const token = state.tokens.get(secret);
  if (token)
    return token.expiresAt !== undefined && token.expiresAt <= now ? { kind: 'invalid' } : { kind: 'token', token };
  if (secret.split('.').length === 3) return { kind: 'jwt', raw: secret };
  return { kind: 'invalid' };
}

export function canSee(token: TokenRecord | undefined, repo: RepoState): boolean {
  if (!token) return !repo.record.private;
  if (token.repositories === undefined) return true;
  const name = `${repo.record.owner.login}/${repo.record.name}`.toLowerCase();
  return token.repositories.some((allowed) => allowed.toLowerCase() === name);
}

function grants(token: TokenRecord, permission: PermissionName, access: Access): boolean {
  if (permission === 'metadata') return true;
  const held = token.permissions[permission];
  return held === 'write' || (held === 'read' && access === 'read');
}

/** Throws GitHub's answer when the caller may not use `permission` on `repo`. */
export function authorizeRepo(
  caller: Caller,
  repo: RepoState | undefined,
  permission: readonly PermissionName[],
  access: Access,
): TokenRecord | undefined {
  if (caller.kind === 'invalid') throw badCredentials();
  if (caller.kind === 'jwt') {
    throw new HttpError(403, errorBody(403, 'Resource not accessible by integration', docs.apps));
  }
  const token = caller.kind === 'token' ? caller.token : undefined;
  if (!repo || !canSee(token, repo)) throw notFound();
  if (!token) {
    if (access === 'write') throw new HttpError(401, errorBody(401, 'Requires authentication', docs.repos));
    return undefined;
  }
  if (!permission.some((name) => grants(token, name, access))) {
    const who = token.kind === 'installation' ? 'integration' : 'personal access token';
    // GitHub names the permissions that would have been accepted.
    const accepted = permission.map((name) => `${name}=${access}`).join('; ');
    throw new HttpError(403, errorBody(403, `Resource not accessible by ${who}`, docs.repos), {
      'x-accepted-github-permissions': accepted,
    });
  }
  return token;
}

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies an app JWT as GitHub does (RS256, `iss` = app id, `exp` at most 10 minutes ahead). */
export function verifyAppJwt(state: FakeState, caller: Caller, nowMs = Date.now()): AppRecord {
  const undecodable = new HttpError(401, errorBody(401, 'A JSON web token could not be decoded', docs.apps));
  if (caller.kind !== 'jwt') throw caller.kind === 'token' ? undecodable : badCredentials();
  const [headerPart = '', payloadPart = '', signaturePart = ''] = caller.raw.split('.');
  const header = base64UrlJson(headerPart);
  const payload = base64UrlJson(payloadPart);
  if (!header || !payload || header.alg !== 'RS256') throw undecodable;
  const app = state.apps.get(Number(payload.iss));
  if (!app) throw undecodable;
  const key = createPublicKey(app.publicKey);
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) throw undecodable;
  const now = Math.floor(nowMs / 1000);
  const { iat, exp } = payload;
  if (typeof iat !== 'number' || iat > now + 60) {
    throw new HttpError(
      401,
      errorBody(
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
        docs.apps,
      ),
    );
  }
  if (typeof exp !== 'number' || exp <= now) {
    throw new HttpError(
      401,
      errorBody(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
        docs.apps,
      ),
    );
  }
  if (exp - iat > 600 + 60) {
    throw new HttpError(401, errorBody(401, "'Expiration time' claim ('exp') is too far in the future.", docs.apps));
  }
  return app;
}
