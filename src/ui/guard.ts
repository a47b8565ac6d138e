/**
 * Who may reach a page and with which form: pages need a session (else the sign-in page, which
 * for a form post keeps what was typed), every POST needs the session's CSRF token and, when the
 * browser sends one, this origin, and actions need a role.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { BridgeError } from '../errors.js';
import type { PostedForm } from '../margo/form.js';
import type { Role, SessionRecord } from '../store/interface.js';
import { hasRole, type UiEnv } from './env.js';
import { signInPage } from './pages/sign-in.js';
import { sameText } from './session.js';

/** Paths that need no session. */
const PUBLIC = new Set(['/sign-in']);

/** Posts that only act (no page of their own): after a new sign-in the End User returns to the page above them. */
const ACTIONS = /\/(sync|delete|approve|close|remove|retry|propose|sign-out)$/;

/** The page to return to after signing in again (a path of this site only). */
export function returnPath(path: string, method: string): string {
  const page = method === 'POST' && ACTIONS.test(path) ? path.replace(ACTIONS, '') || '/' : path;
  return safeReturn(page);
}

export function safeReturn(path: string | undefined): string {
  return path !== undefined && /^\/(?![/\\])[^\s]*$/.test(path) ? path : '/';
}

/** The posted form, repeated fields as arrays (`sensitive`, multi-selects). */
export async function postedForm(c: Context<UiEnv>): Promise<PostedForm> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new BridgeError('UNSUPPORTED_MEDIA_TYPE', 'forms are posted as application/x-www-form-urlencoded');
  }
  const body = await c.req.parseBody({ all: true });
  const form: PostedForm = {};
  for (const [key, value] of Object.entries(body)) {
    const values = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
    form[key] = values.length === 1 ? values[0] : values;
  }
  return form;
}

export function single(form: PostedForm, name: string): string | undefined {
  const value = form[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * Pages need a session: a GET without one goes to the sign-in page; a POST without one (an
 * expired session mid-form) gets the sign-in page carrying what was typed, so nothing is lost.
 * A POST with one must carry its CSRF token and come from this origin.
 */
export const guard: MiddlewareHandler<UiEnv> = async (c, next) => {
  if (PUBLIC.has(c.req.path)) return next();
  const session = c.get('session');
  if (c.req.method === 'POST') {
    checkOrigin(c);
    const form = await postedForm(c);
    if (!session) {
      const { _csrf: _ignored, ...typed } = form;
      const back = returnPath(c.req.path, 'POST');
      return signInPage(c, { returnTo: back, carry: typed, expired: true }, 401);
    }
    const token = single(form, '_csrf');
    if (token === undefined || !sameText(token, session.csrf)) {
      throw new BridgeError(
        'FORBIDDEN',
        'the form was missing its security token or it was out of date; reload the page and try again',
      );
    }
    return next();
  }
  if (!session) {
    const query = new URL(c.req.url).search;
    return c.redirect(`/sign-in?return=${encodeURIComponent(safeReturn(c.req.path + query))}`, 303);
  }
  return next();
};

/** A browser sends Origin on posts; one from another site is refused even with a valid token. */
function checkOrigin(c: Context<UiEnv>): void {
  const origin = c.req.header('origin');
  if (origin === undefined || origin === 'null') return;
  const expected = new URL(c.req.url);
  const forwardedHost = c.req.header('x-forwarded-host');
  const host = forwardedHost ?? c.req.header('host') ?? expected.host;
  if (!URL.canParse(origin) || new URL(origin).host !== host) {
    throw new BridgeError('FORBIDDEN', 'the form was posted from another site');
  }
}

/** The session of a page behind `guard` (always present there). */
export function sessionOf(c: Context<UiEnv>): SessionRecord {
  const session = c.get('session');
  if (!session) throw new BridgeError('UNAUTHORIZED', 'sign in first');
  return session;
}

/** Throws FORBIDDEN (a 403 page) unless the session has `role`. */
export function requireRole(c: Context<UiEnv>, role: Role): SessionRecord {
  const session = sessionOf(c);
  if (!hasRole(session, role)) {
    throw new BridgeError('FORBIDDEN', `this needs the ${role} role; you are signed in as ${session.role}`);
  }
  return session;
}
