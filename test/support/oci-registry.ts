/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) on 127.0.0.1 with
 * its storage in a temporary directory, plus the tests' own push client (test/support/oci-push.ts).
 *
 *   const registry = await startOciRegistry({ auth?: 'htpasswd' | 'token', tls?: 'https' | 'mtls' });
 *   registry.url('apps/hello')   // http(s)://127.0.0.1:PORT/apps/hello (the margo-bridge registry URL)
 *   registry.accessLog()         // every request: { method, path, status, userAgent }
 *   await registry.settled()     // before reading the log: the registry writes it after answering
 *   registry.tokenRequests       // requests the token server answered (auth 'token')
 *   registry.blobPath(digest)    // the stored blob file (tests corrupt it to break a digest)
 *   registry.ca / clientCert / clientKey   // PEM when tls is set
 *   await registry.stop()
 *
 * Auth: 'htpasswd' = basic auth for OCI_USER / OCI_PASSWORD; 'token' = the token flow, a small
 * token server of the tests' own issuing ES256 JWTs signed with the test CA's key (the registry
 * trusts that certificate, named in the token's `x5c`). The push client's requests carry the user
 * agent PUSH_USER_AGENT, so margo-bridge's own requests can be told apart in the access log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCertificates } from './git-server.js';

export const OCI_USER = 'publisher';
export const OCI_PASSWORD = 'oci-test-password';
/** bcrypt (cost 4) of OCI_PASSWORD: the registry's htpasswd accepts bcrypt only, and no tool here may make one. */
const htpasswdLine = `${OCI_USER}:$2b$04$/LFZ1vv0LBbab/wJXaDJq.qrprcb0szumJhuM47VKmobM2agwNkZ6`;
export const PUSH_USER_AGENT = 'margo-bridge-tests-oci-push';
const service = 'margo-bridge-test-registry';
const issuer = 'margo-bridge-test-token-server';

export interface OciRegistryOptions {
  auth?: 'htpasswd' | 'token';
  tls?: 'https' | 'mtls';
  /**
   * docker-registry 2.8 sends every tag in one answer (it paginates only `_catalog`): with a page
   * size, a pass-through proxy in front pages `tags/list` as OCI 1.1 registries do (`n`, `last`,
   * `Link: <…>; rel="next"`). Plain HTTP without auth only.
   */
  tagPageSize?: number;
  /** The registry's notification endpoint: it POSTs distribution envelopes there with `Authorization: Bearer <secret>`. */
  notify?: { url: string; secret: string };
}

export interface AccessLogEntry {
  method: string;
  path: string;
  status: number;
  userAgent: string;
}

export interface OciRegistry {
  origin: string;
  url(name: string): string;
  accessLog(): AccessLogEntry[];
  /** Requests margo-bridge sent (everything but the tests' push client). */
  readerRequests(): AccessLogEntry[];
  /** Resolves once the access log has been quiet for 100 ms (the registry writes it after answering). */
  settled(): Promise<void>;
  tokenRequests: { scope: string; authorized: boolean }[];
  blobPath(digest: string): string;
  /** Authorization header value for the push client. */
  pushAuthorization(name: string): Promise<string | undefined>;
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  stop(): Promise<void>;
}

export async function startOciRegistry(options: OciRegistryOptions = {}): Promise<OciRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'margo-bridge-oci-'));
  const port = await freePort();
  const certificates = options.tls || options.auth === 'token' ? await testCertificates() : undefined;
  const scheme = options.tls ? 'https' : 'http';
  const origin = `${scheme}://127.0.0.1:${port}`;
  const tokenRequests: OciRegistry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  let tokenRealm = '';

  const config: string[] = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomUUID()}`,
  ];
  if (options.tls && certificates) {
    await writeFile(join(dir, 'server.pem'), certificates.serverCert);
    await writeFile(join(dir, 'server.key'), certificates.serverKey);
    await writeFile(join(dir, 'ca.pem'), certificates.ca);
    config.push('  tls:', `    certificate: ${join(dir, 'server.pem')}`, `    key: ${join(dir, 'server.key')}`);
    if (options.tls === 'mtls') config.push('    clientcas:', `      - ${join(dir, 'ca.pem')}`);
  }
  if (options.auth === 'htpasswd') {
    await writeFile(join(dir, 'htpasswd'), `${htpasswdLine}\n`);
    config.push('auth:', '  htpasswd:', '    realm: margo-bridge-tests', `    path: ${join(dir, 'htpasswd')}`);
  }
  if (options.auth === 'token' && certificates) {
    await writeFile(join(dir, 'token-ca.pem'), certificates.ca);
    const signer = tokenSigner(certificates.ca, certificates.caKey);
    tokenServer = createHttpServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const scope = url.searchParams.get('scope') ?? '';
      const authorized = request.headers.authorization === basicHeader(OCI_USER, OCI_PASSWORD);
      tokenRequests.push({ scope, authorized });
      // Anonymous callers get a token without access: the registry then refuses it (as Docker Hub does).
      const access = authorized ? accessOf(scope) : [];
      if (request.headers.authorization && !authorized) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token: signer(url.searchParams.get('service') ?? '', access), expires_in: 300 }));
    });
    await new Promise<void>((resolve) => tokenServer!.listen(0, '127.0.0.1', resolve));
    const address = tokenServer.address() as { port: number };
    tokenRealm = `http://127.0.0.1:${address.port}/token`;
    config.push(
      'auth:',
      '  token:',
      `    realm: ${tokenRealm}`,
      `    service: ${service}`,
      `    issuer: ${issuer}`,
      `    rootcertbundle: ${join(dir, 'token-ca.pem')}`,
    );
  }
  if (options.notify) {
    config.push(
      'notifications:',
      '  endpoints:',
      '    - name: margo-bridge',
      `      url: ${options.notify.url}`,
      '      headers:',
      `        Authorization: [Bearer ${options.notify.secret}]`,
      '      timeout: 2s',
      '      threshold: 1',
      '      backoff: 200ms',
    );
  }
  await writeFile(join(dir, 'config.yml'), `${config.join('\n')}\n`);

  const log: AccessLogEntry[] = [];
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) {
      const entry = /"(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) HTTP\/[\d.]+" (\d+) \S+ "[^"]*" "([^"]*)"/.exec(
        line,
      );
      if (entry) log.push({ method: entry[1]!, path: entry[2]!, status: Number(entry[3]), userAgent: entry[4]! });
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  await waitForRegistry(child, origin, certificates);
  const proxy = options.tagPageSize ? await pagingProxy(origin, options.tagPageSize) : undefined;
  const front = proxy?.origin ?? origin;

  const pushAuthorization = async (name: string): Promise<string | undefined> => {
    if (options.auth === 'htpasswd') return basicHeader(OCI_USER, OCI_PASSWORD);
    if (options.auth !== 'token') return undefined;
    const url = `${tokenRealm}?service=${service}&scope=repository:${name}:pull,push`;
    const response = await fetch(url, { headers: { authorization: basicHeader(OCI_USER, OCI_PASSWORD) } });
    return `Bearer ${((await response.json()) as { token: string }).token}`;
  };

  return {
    origin: front,
    url: (name) => `${front}/${name}`,
    accessLog: () => [...log],
    readerRequests: () => log.filter((entry) => entry.userAgent !== PUSH_USER_AGENT),
    async settled() {
      for (let count = -1, attempt = 0; count !== log.length && attempt < 50; attempt++) {
        count = log.length;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    tokenRequests,
    blobPath: (digest) => {
      const [algorithm, hex] = digest.split(':') as [string, string];
      return join(dir, 'storage', 'docker', 'registry', 'v2', 'blobs', algorithm, hex.slice(0, 2), hex, 'data');
    },
    pushAuthorization,
    ...(certificates && options.tls
      ? { ca: certificates.ca, clientCert: certificates.clientCert, clientKey: certificates.clientKey }
      : {}),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      if (tokenServer) await new Promise((resolve) => tokenServer!.close(resolve));
      if (proxy) await proxy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** `repository:<name>:pull,push` → the token's access claim. */
function accessOf(scope: string): { type: string; name: string; actions: string[] }[] {
  return scope
    .split(' ')
    .filter(Boolean)
    .map((one) => {
      const [type, ...rest] = one.split(':');
      const actions = (rest.pop() ?? '').split(',').filter(Boolean);
      return { type: type ?? '', name: rest.join(':'), actions };
    });
}

/** ES256 JWTs in the form the registry's token auth verifies: `x5c` chain to its root bundle. */
function tokenSigner(certificatePem: string, keyPem: string) {
  const x5c = [new X509Certificate(certificatePem).raw.toString('base64')];
  const key = createPrivateKey(keyPem);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return (audience: string, access: ReturnType<typeof accessOf>): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = encode({ alg: 'ES256', typ: 'JWT', x5c });
    const claims = encode({
      iss: issuer,
      sub: OCI_USER,
      aud: audience,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${signature.toString('base64url')}`;
  };
}

/** Forwards every request to the registry; pages `GET …/tags/list` answers by `n` and `last`, with a Link header. */
async function pagingProxy(target: string, pageSize: number): Promise<{ origin: string; close(): Promise<void> }> {
  const { request } = await import('node:http');
  const server = createHttpServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', target);
    const paged = incoming.method === 'GET' && url.pathname.endsWith('/tags/list');
    const forwarded = request(
      `${target}${url.pathname}${url.search}`,
      { method: incoming.method, headers: { ...incoming.headers, host: new URL(target).host } },
      (answer) => {
        if (!paged || answer.statusCode !== 200) {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
          return;
        }
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const body = JSON.parse(Buffer.concat(parts).toString()) as { name: string; tags: string[] };
          const all = [...body.tags].sort();
          const last = url.searchParams.get('last');
          const n = Math.min(Number(url.searchParams.get('n') ?? pageSize) || pageSize, pageSize);
          const from = last === null ? 0 : all.findIndex((tag) => tag > last);
          const page = from < 0 ? [] : all.slice(from, from + n);
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (from >= 0 && from + n < all.length) {
            headers.link = `<${url.pathname}?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"`;
          }
          outgoing.writeHead(200, headers).end(JSON.stringify({ name: body.name, tags: page }));
        });
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `/v2/` until the registry answers (200 or 401), at most 10 s. */
async function waitForRegistry(
  child: ChildProcess,
  origin: string,
  certificates: { ca: string; clientCert: string; clientKey: string } | undefined,
): Promise<void> {
  const { request } = await import(origin.startsWith('https') ? 'node:https' : 'node:http');
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const ready = await new Promise<boolean>((resolve) => {
      const outgoing = request(
        `${origin}/v2/`,
        {
          headers: { 'user-agent': PUSH_USER_AGENT },
          ...(certificates ? { ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey } : {}),
        },
        (response: IncomingMessage) => {
          response.resume();
          resolve(response.statusCode === 200 || response.statusCode === 401);
        },
      );
      outgoing.on('error', () => resolve(false));
      outgoing.end();
    });
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('docker-registry did not start within 10 s');
}
