/** Starts the HTTP server and resolves once it listens; a bind error (port in use, no permission) rejects. */
import { serve } from '@hono/node-server';

export type HttpServer = ReturnType<typeof serve>;

/**
 * A client gets 20 s for its headers and 60 s for the whole request (a 25 MiB webhook body at
 * 3.5 Mbit/s), instead of Node's 60 s and 300 s, so a slow client cannot hold a worker for long.
 */
export const SERVER_TIMEOUTS = { headersTimeout: 20_000, requestTimeout: 60_000 };

export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  hostname: string,
): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname, serverOptions: SERVER_TIMEOUTS }, () => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}
