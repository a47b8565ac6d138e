/**
 * Runs Debian's `git http-backend` as a CGI program for one HTTP request (smart HTTP, protocol v2
 * passes through). Used by the test Git server (`test/support/git-server.ts`) and by the local
 * demonstration registry (`margo-bridge serve --demo`).
 *
 *   handleGitHttpBackend(request, response, { projectRoot, pathInfo, remoteUser? })
 *     → Promise<{ status, service, bytesSent, bytesReceived }>
 *
 * `pathInfo` is the path below the project root, e.g. `/app.git/info/refs`; the query string is
 * taken from `request.url`. Every repository under `projectRoot` is exported (GIT_HTTP_EXPORT_ALL);
 * make a repository read-only with `git config http.receivepack false`.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GitHttpBackendOptions {
  /** Directory holding the bare repositories. */
  projectRoot: string;
  /** Path of the request below the project root, starting with `/`. */
  pathInfo: string;
  /** Set when the caller authenticated the request; http-backend then allows receive-pack if enabled. */
  remoteUser?: string;
  /** Program to run; default Debian's `/usr/lib/git-core/git-http-backend`. */
  backendPath?: string;
  /**
   * Serve partial clones (`uploadpack.allowFilter`), as GitHub, GitLab, Gitea and Forgejo do;
   * default true. False plays a server without them (the reader then fetches whole trees).
   */
  allowFilter?: boolean;
}

export interface GitHttpBackendResult {
  status: number;
  /** `git-upload-pack`, `git-receive-pack` or undefined for other paths. */
  service: string | undefined;
  /** Response body bytes written to the client. */
  bytesSent: number;
  /** Request body bytes read from the client. */
  bytesReceived: number;
}

const defaultBackend = '/usr/lib/git-core/git-http-backend';

/** The smart-HTTP service a request is for: from `?service=` on the advertisement, else the path. */
export function gitServiceOf(pathInfo: string, query: string): string | undefined {
  const fromQuery = new URLSearchParams(query).get('service');
  if (fromQuery) return fromQuery;
  const match = /\/(git-upload-pack|git-receive-pack|git-upload-archive)$/.exec(pathInfo);
  return match?.[1];
}

export function handleGitHttpBackend(
  request: IncomingMessage,
  response: ServerResponse,
  options: GitHttpBackendOptions,
): Promise<GitHttpBackendResult> {
  const query = (request.url ?? '').split('?')[1] ?? '';
  const service = gitServiceOf(options.pathInfo, query);
  // A minimal environment: the machine's GIT_* variables (GIT_SSL_CAINFO, GIT_DIR in hooks) and the
  // user's git configuration must not change what the server does.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: options.pathInfo,
    QUERY_STRING: query,
    REMOTE_ADDR: request.socket.remoteAddress ?? '',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
  };
  if (options.allowFilter !== false) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'uploadpack.allowFilter';
    env.GIT_CONFIG_VALUE_0 = 'true';
  }
  const contentLength = request.headers['content-length'];
  if (contentLength !== undefined) env.CONTENT_LENGTH = contentLength;
  // Without GIT_PROTOCOL protocol v2 silently falls back to v0 (stack-notes).
  const gitProtocol = request.headers['git-protocol'];
  if (typeof gitProtocol === 'string') env.GIT_PROTOCOL = gitProtocol;
  const contentEncoding = request.headers['content-encoding'];
  if (typeof contentEncoding === 'string') env.HTTP_CONTENT_ENCODING = contentEncoding;
  if (options.remoteUser !== undefined) env.REMOTE_USER = options.remoteUser;

  return new Promise((resolve) => {
    const child = spawn(options.backendPath ?? defaultBackend, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let bytesSent = 0;
    let bytesReceived = 0;
    let status = 200;
    let headerBuffer: Buffer | undefined = Buffer.alloc(0);
    let stderr = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve({ status, service, bytesSent, bytesReceived });
    };
    const fail = (message: string) => {
      status = 502;
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`git http-backend failed: ${message}\n`);
      } else {
        response.destroy();
      }
      finish();
    };

    request.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
    });
    request.pipe(child.stdin);
    child.stdin.on('error', () => {
      // The backend may exit before reading the whole body (e.g. 403); the response says why.
    });
    // A client that disconnects must not leave the backend running.
    response.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });

    child.stdout.on('data', (chunk: Buffer) => {
      if (headerBuffer === undefined) {
        bytesSent += chunk.length;
        response.write(chunk);
        return;
      }
      headerBuffer = Buffer.concat([headerBuffer, chunk]);
      const crlf = headerBuffer.indexOf('\r\n\r\n');
      const lf = headerBuffer.indexOf('\n\n');
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (end < 0) return;
      const headerText = headerBuffer.subarray(0, end).toString('latin1');
      const body = headerBuffer.subarray(end);
      headerBuffer = undefined;
      const headers: Record<string, string> = {};
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      if (body.length > 0) {
        bytesSent += body.length;
        response.write(body);
      }
    });
    child.on('error', (error) => fail(error.message));
    child.on('close', (code) => {
      if (headerBuffer !== undefined) {
        fail(`exit code ${code}${stderr ? `: ${stderr.trim()}` : ''}`);
        return;
      }
      response.end();
      finish();
    });
  });
}
