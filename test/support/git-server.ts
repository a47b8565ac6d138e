/**
 * A real smart-HTTP Git server for tests: Debian's `git http-backend` as CGI behind a small Node
 * server on 127.0.0.1, port 0 (core: src/runtime/node/git-http-backend.ts).
 *
 *   const server = await startGitServer({ root, auth?, tls? });
 *   server.url('app')        // http(s)://127.0.0.1:PORT/app.git (clone URL, no credentials)
 *   server.baseUrl           // http(s)://127.0.0.1:PORT
 *   server.requests          // every request: { method, path, service, status, bytesSent, bytesReceived, ... }
 *   server.connections       // every TLS handshake: { handshake, clientCertificate }
 *   server.clearRequests()
 *   await server.settled()   // every request so far answered and logged (bytesSent is final)
 *   server.ca / clientCert / clientKey   // PEM strings when tls is set (clientCert/Key for 'mtls')
 *   server.nativeGitEnv()    // environment for native `git` against this server (see below)
 *   await server.stop()
 *
 * Options:
 *   root   directory of bare repositories `<name>.git` (see test/support/registries.ts)
 *   auth   { type: 'basic', username, password } | { type: 'bearer', token }; missing or wrong
 *          credentials get 401 (with `WWW-Authenticate`), a valid bearer token of another registry never
 *          exists here. Anonymous when absent.
 *   tls    'https' (a CA generated for this run signs a certificate for 127.0.0.1 and localhost) or
 *          'mtls' (additionally requires a client certificate signed by the same CA).
 *   tlsMaxVersion  'TLSv1.2' to stop at TLS 1.2 (the client certificate is then sent before the
 *          client has the server's Finished, so what a client presents always reaches the server).
 *   delayMs  wait this long before answering each request (timeouts).
 *   refuseWith  401 (default) or 403 for missing or wrong credentials.
 *
 * Environment trap: the machine sets GIT_SSL_CAINFO (which overrides `git -c http.sslCAInfo`) and
 * NODE_EXTRA_CA_CERTS. Run native git with `nativeGitEnv()`, which sets GIT_SSL_CAINFO to this run's
 * CA (and the client certificate for mTLS) and ignores the user's and system's git configuration.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { gitServiceOf, handleGitHttpBackend } from '../../src/runtime/node/git-http-backend.js';

const run = promisify(execFile);

export type GitServerAuth = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

export interface GitServerOptions {
  root: string;
  auth?: GitServerAuth;
  tls?: 'https' | 'mtls';
  /** Highest TLS version the server speaks (Node's default, TLS 1.3, when absent). */
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  delayMs?: number;
  /** Status for missing or wrong credentials: 401 (default, with a challenge) or 403 (as some forges answer). */
  refuseWith?: 401 | 403;
  /** Serve partial clones (`filter`); default true, as the big forges do. */
  allowFilter?: boolean;
}

export interface GitRequestLog {
  method: string;
  /** Path without the query string, e.g. `/app.git/info/refs`. */
  path: string;
  query: string;
  /** `git-upload-pack`, `git-receive-pack`, or undefined. */
  service: string | undefined;
  status: number;
  bytesSent: number;
  bytesReceived: number;
  /** The `Git-Protocol` request header (`version=2` for protocol v2). */
  gitProtocol: string | undefined;
  /** Whether the request carried an Authorization header (its value is never logged). */
  authorization: 'none' | 'basic' | 'bearer' | 'other';
}

/** One TLS connection as the server saw it (https and mtls modes). */
export interface TlsConnectionLog {
  /** `completed`: the server accepted the handshake; `refused`: it failed (e.g. no client certificate in mtls). */
  handshake: 'completed' | 'refused';
  /** The CN of the client certificate the client presented, or null when it presented none. */
  clientCertificate: string | null;
}

export interface GitServer {
  baseUrl: string;
  url(repo: string): string;
  requests: GitRequestLog[];
  connections: TlsConnectionLog[];
  clearRequests(): void;
  /** Resolves when every request received so far is answered and its log entry complete. */
  settled(): Promise<void>;
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  nativeGitEnv(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export interface TestCertificates {
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

let certificates: Promise<TestCertificates> | undefined;

/** A CA, a server certificate (127.0.0.1, localhost) and a client certificate, made once per test process. */
export function testCertificates(): Promise<TestCertificates> {
  certificates ??= makeCertificates();
  return certificates;
}

async function makeCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'margo-bridge-ca-'));
  try {
    return await makeCertificatesIn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeCertificatesIn(dir: string): Promise<TestCertificates> {
  await makeCa(dir, 'ca', '/CN=margo-bridge test CA');
  const server = await issueCertificate(
    dir,
    'server',
    '/CN=127.0.0.1',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  const client = await issueCertificate(
    dir,
    'client',
    '/CN=margo-bridge test client',
    'ca',
    'extendedKeyUsage=clientAuth\n',
  );
  return {
    ca: await readFile(join(dir, 'ca.pem'), 'utf8'),
    caKey: await readFile(join(dir, 'ca.key'), 'utf8'),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
  };
}

const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, ...args: string[]) {
  return run('openssl', args, { cwd: dir, env: { PATH: process.env.PATH } });
}

/** A self-signed CA in `dir`: `<name>.pem` and `<name>.key` (EC P-256, valid 2 days). */
export async function makeCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    subject,
  );
}

/**
 * A certificate `<name>.pem` / `<name>.key` in `dir` with the given extensions (openssl extfile
 * lines), signed by `<issuer>.pem` / `<issuer>.key` there (EC P-256, valid 2 days).
 */
export async function issueCertificate(
  dir: string,
  name: string,
  subject: string,
  issuer: string,
  extensions: string,
): Promise<{ cert: string; key: string }> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, 'req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
  return {
    cert: await readFile(join(dir, `${name}.pem`), 'utf8'),
    key: await readFile(join(dir, `${name}.key`), 'utf8'),
  };
}

/** The CN of the client certificate a TLS connection presented, or null when it presented none. */
export function clientCertificateOf(socket: TLSSocket): string | null {
  try {
    const certificate = socket.getPeerCertificate();
    if (!certificate || Object.keys(certificate).length === 0) return null;
    const cn = certificate.subject?.CN;
    return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn.join(',') : 'unnamed';
  } catch {
    return null;
  }
}

function authorizationKind(header: string | undefined): GitRequestLog['authorization'] {
  if (!header) return 'none';
  const scheme = header.split(' ')[0]?.toLowerCase();
  return scheme === 'basic' ? 'basic' : scheme === 'bearer' ? 'bearer' : 'other';
}

/** The authenticated user name, or undefined when the request must be refused. */
function authenticate(auth: GitServerAuth, header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (auth.type === 'bearer') return header === `Bearer ${auth.token}` ? 'token' : undefined;
  if (!header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded === `${auth.username}:${auth.password}` ? auth.username : undefined;
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: GitRequestLog[] = [];
  const connections: TlsConnectionLog[] = [];
  const certs = options.tls ? await testCertificates() : undefined;
  // Native git reads the CA and client certificate from files: this server's own, removed by stop().
  const pemDir = certs ? await mkdtemp(join(tmpdir(), 'margo-bridge-git-server-')) : undefined;
  const pemFile = (name: string) => join(pemDir ?? '', name);
  if (certs) {
    await writeFile(pemFile('ca.pem'), certs.ca);
    await writeFile(pemFile('client.pem'), certs.clientCert);
    await writeFile(pemFile('client.key'), certs.clientKey, { mode: 0o600 });
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const [path = '/', query = ''] = (request.url ?? '/').split('?');
    const header = request.headers.authorization;
    const entry: GitRequestLog = {
      method: request.method ?? 'GET',
      path,
      query,
      service: gitServiceOf(path, query),
      status: 0,
      bytesSent: 0,
      bytesReceived: 0,
      gitProtocol: typeof request.headers['git-protocol'] === 'string' ? request.headers['git-protocol'] : undefined,
      authorization: authorizationKind(header),
    };
    requests.push(entry);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (response.destroyed) return;
    let remoteUser: string | undefined;
    if (options.auth) {
      remoteUser = authenticate(options.auth, header);
      if (remoteUser === undefined) {
        const status = options.refuseWith ?? 401;
        const body = status === 401 ? 'Authentication required\n' : 'Forbidden\n';
        const challenge = options.auth.type === 'basic' ? 'Basic realm="git"' : 'Bearer realm="git"';
        response.writeHead(status, {
          ...(status === 401 ? { 'www-authenticate': challenge } : {}),
          'content-type': 'text/plain',
        });
        response.end(body);
        entry.status = status;
        entry.bytesSent = body.length;
        request.resume();
        return;
      }
    }
    const result = await handleGitHttpBackend(request, response, {
      projectRoot: options.root,
      pathInfo: decodeURIComponent(path),
      ...(remoteUser !== undefined ? { remoteUser } : {}),
      ...(options.allowFilter === false ? { allowFilter: false } : {}),
    });
    Object.assign(entry, result);
  };
  // A client may stop reading at the end of the pack while the backend is still exiting.
  const inFlight = new Set<Promise<void>>();
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const handled = handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  };

  let server: Server;
  if (certs) {
    server = createHttpsServer(
      {
        key: certs.serverKey,
        cert: certs.serverCert,
        ca: certs.ca,
        requestCert: options.tls === 'mtls',
        rejectUnauthorized: options.tls === 'mtls',
        ...(options.tlsMaxVersion ? { maxVersion: options.tlsMaxVersion } : {}),
      },
      listener,
    );
    // Every handshake, with the client certificate it presented (even on a connection that then sends nothing).
    server.on('secureConnection', (socket: TLSSocket) => {
      connections.push({ handshake: 'completed', clientCertificate: clientCertificateOf(socket) });
    });
    server.on('tlsClientError', (_error, socket: TLSSocket) => {
      connections.push({ handshake: 'refused', clientCertificate: clientCertificateOf(socket) });
      // Handshakes refused for a missing client certificate (mtls) still show up in the request log, as status 0.
      if (options.tls === 'mtls') {
        requests.push({
          method: 'TLS',
          path: '',
          query: '',
          service: undefined,
          status: 0,
          bytesSent: 0,
          bytesReceived: 0,
          gitProtocol: undefined,
          authorization: 'none',
        });
      }
      socket.destroy();
    });
  } else {
    server = createHttpServer(listener);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `${certs ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    baseUrl,
    url: (repo) => `${baseUrl}/${repo}.git`,
    requests,
    connections,
    clearRequests: () => {
      requests.length = 0;
      connections.length = 0;
    },
    settled: async () => {
      await Promise.all(inFlight);
    },
    ...(certs ? { ca: certs.ca } : {}),
    ...(certs && options.tls === 'mtls' ? { clientCert: certs.clientCert, clientKey: certs.clientKey } : {}),
    nativeGitEnv: () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
      };
      delete env.GIT_SSL_CAINFO;
      delete env.GIT_DIR;
      if (certs) env.GIT_SSL_CAINFO = pemFile('ca.pem');
      if (certs && options.tls === 'mtls') {
        env.GIT_SSL_CERT = pemFile('client.pem');
        env.GIT_SSL_KEY = pemFile('client.key');
      }
      return env;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (pemDir) await rm(pemDir, { recursive: true, force: true });
    },
  };
}
