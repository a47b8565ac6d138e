/**
 * The Node side of Git smart HTTP for `local` deployment repositories: a CGI runner for
 * `git http-backend` (src/runtime/node/git-http-backend.ts `handleGitHttpBackend`, passed in by the
 * runtime) writes the answer straight to Node's response. Needs the @hono/node-server bindings
 * (`c.env.incoming` and `c.env.outgoing`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Env } from 'hono';
import { BridgeError } from '../../errors.js';
import type { GitBackend } from '../smart-http.js';

/** The shape of `handleGitHttpBackend`. */
export type GitHttpBackendRunner = (
  request: IncomingMessage,
  response: ServerResponse,
  options: { projectRoot: string; pathInfo: string },
) => Promise<unknown>;

export function nodeGitBackend<E extends Env>(root: string, run: GitHttpBackendRunner): GitBackend<E> {
  return async (c, pathInfo) => {
    const bindings = c.env as Partial<HttpBindings> | undefined;
    if (!bindings?.incoming || !bindings.outgoing) {
      throw new BridgeError('INTERNAL', 'Git smart HTTP needs the Node server (no incoming request to hand on)');
    }
    await run(bindings.incoming, bindings.outgoing, { projectRoot: root, pathInfo });
    return RESPONSE_ALREADY_SENT;
  };
}
