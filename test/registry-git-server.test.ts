/**
 * The test Git server itself, driven by native git: every mode serves, refuses what it must,
 * passes protocol v2 through, refuses pushes, and logs each request.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, type GitServerOptions, startGitServer } from './support/git-server.js';
import {
  buildFixtureRegistries,
  createRegistryRoot,
  type FixtureRegistries,
  publishRelease,
  removeRegistryRoot,
} from './support/registries.js';

const run = promisify(execFile);
let root: string;
let fixtures: FixtureRegistries;
const servers: GitServer[] = [];

beforeAll(async () => {
  root = await createRegistryRoot();
  fixtures = await buildFixtureRegistries(root);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await removeRegistryRoot(root);
});

async function serve(options: Omit<GitServerOptions, 'root'> = {}): Promise<GitServer> {
  const server = await startGitServer({ root, ...options });
  servers.push(server);
  return server;
}

async function lsRemote(server: GitServer, url: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run('git', ['-c', 'protocol.version=2', 'ls-remote', '--tags', url], {
      env: server.nativeGitEnv(),
    });
    return { ok: true, out: stdout };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr ?? error) };
  }
}

function withCredentials(url: string, credentials: string): string {
  return url.replace('://', `://${credentials}@`);
}

describe('test git server', () => {
  it('serves anonymously with protocol v2 and logs service, status and bytes', async () => {
    const server = await serve();
    const result = await lsRemote(server, server.url('hello'));
    expect(result.ok).toBe(true);
    expect(result.out).toContain(`${fixtures.hello.tags['v1.0.0']}\trefs/tags/v1.0.0^{}`);
    expect(result.out).toContain(`${fixtures.hello.moved.to}\trefs/tags/v1.2.0^{}`);
    expect(server.requests.map((r) => [r.method, r.path, r.service, r.status])).toEqual([
      ['GET', '/hello.git/info/refs', 'git-upload-pack', 200],
      ['POST', '/hello.git/git-upload-pack', 'git-upload-pack', 200],
    ]);
    expect(server.requests.every((r) => r.gitProtocol === 'version=2' && r.bytesSent > 0)).toBe(true);
  });

  it('answers 404 for a repository that does not exist', async () => {
    const server = await serve();
    expect((await lsRemote(server, server.url('missing'))).ok).toBe(false);
    expect(server.requests[0]?.status).toBe(404);
  });

  it('requires basic credentials and logs 401 without them', async () => {
    const server = await serve({ auth: { type: 'basic', username: 'reader', password: 's3cret' } });
    expect((await lsRemote(server, server.url('hello'))).ok).toBe(false);
    expect(server.requests[0]).toMatchObject({ status: 401, authorization: 'none', service: 'git-upload-pack' });
    expect((await lsRemote(server, withCredentials(server.url('hello'), 'reader:wrong'))).ok).toBe(false);
    expect((await lsRemote(server, withCredentials(server.url('hello'), 'reader:s3cret'))).ok).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({ status: 200, authorization: 'basic' });
  });

  it('requires a bearer token', async () => {
    const server = await serve({ auth: { type: 'bearer', token: 'tok-123' } });
    const withHeader = async (token: string) => {
      try {
        await run('git', ['-c', `http.extraHeader=Authorization: Bearer ${token}`, 'ls-remote', server.url('hello')], {
          env: server.nativeGitEnv(),
        });
        return true;
      } catch {
        return false;
      }
    };
    expect(await withHeader('wrong')).toBe(false);
    expect(await withHeader('tok-123')).toBe(true);
    expect(server.requests.map((r) => r.status)).toContain(401);
    expect(server.requests.at(-1)).toMatchObject({ status: 200, authorization: 'bearer' });
  });

  it('serves HTTPS with the run CA, and refuses mTLS clients without a certificate', async () => {
    const https = await serve({ tls: 'https' });
    expect(https.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(https.ca).toContain('BEGIN CERTIFICATE');
    expect((await lsRemote(https, https.url('hello'))).ok).toBe(true);

    const mtls = await serve({ tls: 'mtls' });
    expect(mtls.clientCert).toContain('BEGIN CERTIFICATE');
    expect((await lsRemote(mtls, mtls.url('hello'))).ok).toBe(true);
    const withoutClientCert = { ...mtls.nativeGitEnv() };
    delete withoutClientCert.GIT_SSL_CERT;
    delete withoutClientCert.GIT_SSL_KEY;
    await expect(run('git', ['ls-remote', mtls.url('hello')], { env: withoutClientCert })).rejects.toThrow();
  });

  it('refuses pushes (read-only registries) and logs git-receive-pack', async () => {
    const server = await serve({ auth: { type: 'basic', username: 'writer', password: 'pw' } });
    const clone = await mkdtemp(join(tmpdir(), 'margo-bridge-push-'));
    try {
      const env = server.nativeGitEnv();
      const url = withCredentials(server.url('hello'), 'writer:pw');
      await run('git', ['clone', '--quiet', url, clone], { env });
      await expect(run('git', ['-C', clone, 'push', url, 'HEAD:refs/heads/pushed'], { env })).rejects.toThrow();
      const receive = server.requests.filter((r) => r.service === 'git-receive-pack');
      expect(receive.length).toBeGreaterThan(0);
      expect(receive.every((r) => r.status === 403 || r.status === 401)).toBe(true);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  it('publishRelease makes a new tag visible at once', async () => {
    const server = await serve();
    const commit = await publishRelease(root, 'hello', 'v9.9.9', { 'CHANGES.md': 'new\n' }, { annotated: false });
    const result = await lsRemote(server, server.url('hello'));
    expect(result.out).toContain(`${commit}\trefs/tags/v9.9.9`);
  });
});
