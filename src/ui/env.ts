/** What every page handler can read with `c.get(...)`. */
import type { Hono } from 'hono';
import type { Services } from '../services.js';
import type { Role, SessionRecord } from '../store/interface.js';

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

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Viewer < operator < admin, as the API's tokens (http/auth.ts). */
export function hasRole(session: Pick<SessionRecord, 'role'> | undefined, role: Role): boolean {
  return session !== undefined && rank[session.role] >= rank[role];
}
