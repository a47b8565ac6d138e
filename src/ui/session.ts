/**
 * Server-side sessions for the web pages. Signing in with an API token creates a session row
 * (store `sessions`); the browser holds only a random id in an HttpOnly, SameSite=Strict cookie
 * (`Secure` and `__Host-` prefixed over HTTPS), and the store keeps its SHA-256, so a leaked
 * database cannot be replayed. Sessions end at sign-out, after an idle time, after an absolute
 * lifetime, or when their token is deleted. Each session has a CSRF token that every form posts.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { toBase64Url } from '../bytes.js';
import type { SessionDraft, SessionRecord, TokenRecord } from '../store/interface.js';
import type { UiEnv } from './env.js';

/** A session unused this long ends (seconds). */
export const SESSION_IDLE_SECONDS = 2 * 60 * 60;
/** No session lives longer than this, used or not (seconds). */
export const SESSION_MAX_SECONDS = 12 * 60 * 60;
/** The sign-in form's CSRF cookie (double submit: there is no session yet to hold the token). */
const SIGN_IN_COOKIE = 'mb_signin';
/** Touch the row at most once a minute, not on every request. */
const TOUCH_AFTER_MS = 60_000;

export function randomToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

function cookieName(secure: boolean): string {
  return secure ? '__Host-mb_session' : 'mb_session';
}

function cookieOptions(secure: boolean, maxAge?: number) {
  return { path: '/', httpOnly: true, sameSite: 'Strict' as const, secure, ...(maxAge ? { maxAge } : {}) };
}

/** Whether the request reached us over HTTPS (directly or through a proxy that says so). */
export function isSecure(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** Loads the session named by the cookie; an expired one is deleted and treated as absent. */
export const loadSession: MiddlewareHandler<UiEnv> = async (c, next) => {
  const secure = isSecure(c);
  c.set('secure', secure);
  c.set('session', undefined);
  const raw = getCookie(c, cookieName(secure));
  if (raw !== undefined && raw.length <= 100) {
    const services = c.get('services');
    const id = await services.hashToken(raw);
    const session = await services.store.sessions.get(id);
    const now = services.clock.now();
    if (session && session.expiresAt > now && session.createdAt + SESSION_MAX_SECONDS * 1000 > now) {
      c.set('session', session);
      const expiresAt = Math.min(now + SESSION_IDLE_SECONDS * 1000, session.createdAt + SESSION_MAX_SECONDS * 1000);
      if (expiresAt - session.expiresAt > TOUCH_AFTER_MS) await services.store.sessions.touch(id, expiresAt);
    } else if (session) {
      await services.store.sessions.delete(id);
    }
  }
  await next();
};

/** Starts a session for `token`, carrying a draft (typed values of a form whose session had expired). */
export async function startSession(
  c: Context<UiEnv>,
  token: TokenRecord,
  draft: SessionDraft | null,
): Promise<SessionRecord> {
  const services = c.get('services');
  const raw = randomToken();
  const now = services.clock.now();
  const session: SessionRecord = {
    id: await services.hashToken(raw),
    tokenId: token.id,
    tokenName: token.name,
    role: token.role,
    csrf: randomToken(),
    draft,
    createdAt: now,
    expiresAt: now + SESSION_IDLE_SECONDS * 1000,
  };
  await services.store.sessions.create(session);
  await services.store.sessions.deleteExpired(now);
  setCookie(c, cookieName(c.get('secure')), raw, cookieOptions(c.get('secure'), SESSION_MAX_SECONDS));
  deleteCookie(c, SIGN_IN_COOKIE, cookieOptions(c.get('secure')));
  return session;
}

export async function endSession(c: Context<UiEnv>): Promise<void> {
  const session = c.get('session');
  if (session) await c.get('services').store.sessions.delete(session.id);
  deleteCookie(c, cookieName(c.get('secure')), cookieOptions(c.get('secure')));
}

/** The sign-in form's CSRF token: the cookie's value, set when absent. */
export function signInToken(c: Context<UiEnv>): string {
  const current = getCookie(c, SIGN_IN_COOKIE);
  if (current !== undefined && /^[A-Za-z0-9_-]{43}$/.test(current)) return current;
  const token = randomToken();
  setCookie(c, SIGN_IN_COOKIE, token, cookieOptions(c.get('secure'), 60 * 60));
  return token;
}

export function signInTokenMatches(c: Context<UiEnv>, posted: string | undefined): boolean {
  const cookie = getCookie(c, SIGN_IN_COOKIE);
  return cookie !== undefined && posted !== undefined && sameText(cookie, posted);
}

/** Constant-time comparison of two tokens. */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** What a form held when the session expired, once, on the page it was posted to. */
export async function takeDraft(c: Context<UiEnv>): Promise<SessionDraft['fields'] | undefined> {
  const session = c.get('session');
  if (!session?.draft || session.draft.path !== c.req.path) return undefined;
  const { fields } = session.draft;
  session.draft = null;
  await c.get('services').store.sessions.setDraft(session.id, null);
  return fields;
}
