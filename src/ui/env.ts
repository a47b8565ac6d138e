/** What every page handler can read with `c.get(...)`. */
import type { Hono } from 'hono';
import type { Services } from '../services.js';
import { type Role, roleAtLeast, type SessionRecord } from '../store/interface.js';

export interface UiEnv {
  Variables: {
    services: Services;
    requestId: string;
    /** The signed-in session; absent on the sign-in page and for anonymous requests. */
    session: SessionRecord | undefined;
    /** Whether the request came over HTTPS (the cookie is then `Secure` and `__Host-` prefixed). */
    secure: boolean;
  };
}

export type UiApp = Hono<UiEnv>;

/** Viewer < operator < admin, as for the API's tokens. */
export function hasRole(session: Pick<SessionRecord, 'role'> | undefined, role: Role): boolean {
  return session !== undefined && roleAtLeast(session.role, role);
}
