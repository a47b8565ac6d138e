/**
 * Git smart HTTP, read-only, for the `local` deployment repositories: `/git/<name>.git`, so that a
 * Flux `GitRepository` or Argo CD watches them. Only fetching is served (the ref advertisement of
 * `git-upload-pack` and its POST); pushing (`git-receive-pack`) is refused with 403 before any
 * Git program runs, and the repositories refuse it themselves too (`http.receivepack false`).
 *
 * Access is anonymous or needs a margo-bridge token of any role, sent as `Authorization: Bearer
 * <token>` or as the password of Basic auth (what Git clients and Flux secrets send).
 *
 *   registerGitSmartHttp(app, {
 *     access: 'viewer',
 *     backend: nodeGitBackend(localRepositoryRoot(dataDir), handleGitHttpBackend),
 *     verifyToken: async (c, token) => …the store knows the token (any role)…,
 *   })
 */
import type { Context, Env, Hono } from 'hono';
import { fromBase64 } from '../bytes.js';

/** Runs the Git side of one request for `pathInfo` (e.g. `/name.git/info/refs`) and answers it. */
export type GitBackend<E extends Env = Env> = (c: Context<E>, pathInfo: string) => Promise<Response>;

export interface GitSmartHttpOptions<E extends Env> {
  access: 'anonymous' | 'viewer';
  backend: GitBackend<E>;
  /** Whether `token` is a margo-bridge token (any role); asked only for `viewer` access. */
  verifyToken(c: Context<E>, token: string): Promise<boolean>;
}

const path = /^\/git\/([a-z0-9][a-z0-9_-]{0,62})\.git(\/info\/refs|\/git-upload-pack|\/git-receive-pack)$/;

export function registerGitSmartHttp<E extends Env>(app: Hono<E>, options: GitSmartHttpOptions<E>): void {
  app.on(['GET', 'POST'], '/git/*', async (c) => {
    const match = path.exec(c.req.path);
    const service = c.req.query('service');
    const wantsPush = match?.[2] === '/git-receive-pack' || service === 'git-receive-pack';
    if (wantsPush) return c.text('these repositories are read-only: proposals are made through the API\n', 403);
    const advertisement = match?.[2] === '/info/refs' && c.req.method === 'GET' && service === 'git-upload-pack';
    const fetch = match?.[2] === '/git-upload-pack' && c.req.method === 'POST';
    if (!match || !(advertisement || fetch)) return c.text('not found\n', 404);
    if (options.access === 'viewer') {
      const token = tokenOf(c.req.header('authorization'));
      if (!token || !(await options.verifyToken(c, token))) {
        c.header('WWW-Authenticate', 'Basic realm="margo-bridge"');
        return c.text('a margo-bridge token is needed: send it as the password (or as a Bearer token)\n', 401);
      }
    }
    return options.backend(c, `/${match[1]}.git${match[2]}`);
  });
}

function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = fromBase64(basic[1] as string);
  if (!decoded) return undefined;
  const text = new TextDecoder().decode(decoded);
  const colon = text.indexOf(':');
  return colon >= 0 ? text.slice(colon + 1) || undefined : undefined;
}
