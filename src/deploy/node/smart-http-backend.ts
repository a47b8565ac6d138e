/**
 * The Node side of Git smart HTTP for `local` deployment repositories: Debian's
 * `git http-backend` (src/runtime/git-http-backend.ts) writes the answer straight to Node's
 * response. Needs the @hono/node-server bindings (`c.env.incoming` and `c.env.outgoing`).
 */
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { BridgeError } from '../../errors.js';
import { handleGitHttpBackend } from '../../runtime/git-http-backend.js';
import type { GitBackend } from '../smart-http.js';

export function nodeGitBackend(root: string): GitBackend {
  return async (c, pathInfo) => {
    const bindings = c.env as Partial<HttpBindings> | undefined;
    if (!bindings?.incoming || !bindings.outgoing) {
      throw new BridgeError('INTERNAL', 'Git smart HTTP needs the Node server (no incoming request to hand on)');
    }
    await handleGitHttpBackend(bindings.incoming, bindings.outgoing, { projectRoot: root, pathInfo });
    return RESPONSE_ALREADY_SENT;
  };
}
