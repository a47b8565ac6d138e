/**
 * Credentials and TLS per registry against the real server: basic, bearer (sent up front), HTTPS
 * with a CA made for this run, mTLS; refusals name the status and never echo the credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection, RegistryReader } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { expectBridgeError } from '../src/registry/reader.contract.js';
import { type GitServer, type GitServerOptions, startGitServer } from './support/git-server.js';
import {
  buildFixtureRegistries,
  createRegistryRoot,
  type FixtureRegistries,
  removeRegistryRoot,
} from './support/registries.js';

let root: string;
let fixtures: FixtureRegistries;
const servers: GitServer[] = [];
const reader: RegistryReader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });

beforeAll(async () => {
  root = await createRegistryRoot();
  fixtures = await buildFixtureRegistries(root);
});
afterAll(async () => {
  for (const server of servers) {
    expect(server.requests.filter((request) => request.service === 'git-receive-pack')).toEqual([]);
    await server.stop();
  }
  await removeRegistryRoot(root);
});

async function serve(options: Omit<GitServerOptions, 'root'>): Promise<GitServer> {
  const server = await startGitServer({ root, ...options });
  servers.push(server);
  return server;
}

function connection(server: GitServer, extra: Partial<RegistryConnection>): RegistryConnection {
  return { url: server.url('hello'), allowHttp: true, auth: { type: 'none' }, ...extra };
}

async function expectWorks(server: GitServer, registry: RegistryConnection): Promise<void> {
  expect((await reader.listReleases(registry)).map((release) => release.tag)).toContain('v1.0.0');
  const pkg = await reader.readRelease(registry, 'v1.0.0');
  expect(pkg.release.commit).toBe(fixtures.hello.tags['v1.0.0']);
  expect(pkg.resources).toHaveLength(4);
  // The reader is done at the end of the pack, possibly before the server has logged the request.
  await server.settled();
  expect(server.requests.length).toBeGreaterThan(0);
}

describe('basic auth', () => {
  it('sends the credentials up front: no 401 round trip', async () => {
    const server = await serve({ auth: { type: 'basic', username: 'reader', password: 'pa:ss wörd' } });
    await expectWorks(
      server,
      connection(server, { auth: { type: 'basic', username: 'reader', password: 'pa:ss wörd' } }),
    );
    expect(server.requests.every((request) => request.status === 200 && request.authorization === 'basic')).toBe(true);
  });

  it('names 401 without echoing the credentials', async () => {
    const server = await serve({ auth: { type: 'basic', username: 'reader', password: 'right' } });
    for (const auth of [
      { type: 'basic', username: 'reader', password: 'wrong-password-42' } as const,
      { type: 'none' } as const,
    ]) {
      const error = await expectBridgeError(reader.listReleases(connection(server, { auth })), 'REGISTRY_AUTH');
      expect(error.message).toContain('401');
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(
        /wrong-password-42|reader/,
      );
    }
  });

  it('names 403', async () => {
    const server = await serve({ auth: { type: 'basic', username: 'reader', password: 'right' }, refuseWith: 403 });
    const auth = { type: 'basic', username: 'reader', password: 'nope' } as const;
    const error = await expectBridgeError(reader.readRelease(connection(server, { auth }), 'v1.0.0'), 'REGISTRY_AUTH');
    expect(error.message).toContain('403');
  });
});

describe('bearer token', () => {
  it('sends Authorization: Bearer up front', async () => {
    const server = await serve({ auth: { type: 'bearer', token: 'glpat-abc123' } });
    await expectWorks(server, connection(server, { auth: { type: 'bearer', token: 'glpat-abc123' } }));
    expect(server.requests.every((request) => request.status === 200 && request.authorization === 'bearer')).toBe(true);
  });

  it('reports a rejected token without echoing it', async () => {
    const server = await serve({ auth: { type: 'bearer', token: 'glpat-abc123' } });
    const error = await expectBridgeError(
      reader.readRelease(connection(server, { auth: { type: 'bearer', token: 'glpat-stolen' } }), 'v1.0.0'),
      'REGISTRY_AUTH',
    );
    expect(error.message).not.toContain('glpat');
  });
});

describe('HTTPS with a private CA', () => {
  it('verifies the server with the registry CA bundle only for that registry', async () => {
    const server = await serve({ tls: 'https' });
    await expectWorks(server, connection(server, { allowHttp: false, tls: { caCert: server.ca! } }));
  });

  it('fails verification without the CA and names the certificate subject and issuer', async () => {
    const server = await serve({ tls: 'https' });
    const error = await expectBridgeError(
      reader.listReleases(connection(server, { allowHttp: false })),
      'REGISTRY_TLS',
    );
    expect(error.message).toContain('CN=127.0.0.1');
    expect(error.message).toContain('CN=margo-bridge test CA');
    expect(server.requests).toEqual([]);
  });

  it('reports TLS settings that are not PEM', async () => {
    const server = await serve({ tls: 'https' });
    const tls = { caCert: server.ca!, clientCert: 'not a certificate', clientKey: 'not a key' };
    const error = await expectBridgeError(
      reader.listReleases(connection(server, { allowHttp: false, tls })),
      'REGISTRY_TLS',
    );
    expect(error.message).toContain('PEM');
    expect(error.message).not.toContain('not a key');
  });

  it('refuses a plain-http registry unless allowed', async () => {
    const server = await serve({});
    await expectBridgeError(reader.listReleases(connection(server, { allowHttp: false })), 'CONFIG_INVALID');
    expect(server.requests).toEqual([]);
  });
});

describe('mTLS', () => {
  it('presents the registry client certificate', async () => {
    const server = await serve({ tls: 'mtls' });
    const tls = { caCert: server.ca!, clientCert: server.clientCert!, clientKey: server.clientKey! };
    await expectWorks(server, connection(server, { allowHttp: false, tls }));
  });

  it.each([
    ['TLS 1.2', 'TLSv1.2'],
    ['TLS 1.3', 'TLSv1.3'],
  ] as const)(
    'describes an untrusted server certificate without presenting the client certificate (%s)',
    async (_name, tlsMaxVersion) => {
      // The server requires a client certificate; the registry has one, but not the CA of the server's certificate.
      const server = await serve({ tls: 'mtls', tlsMaxVersion });
      const tls = { clientCert: server.clientCert!, clientKey: server.clientKey! };
      const error = await expectBridgeError(
        reader.listReleases(connection(server, { allowHttp: false, tls })),
        'REGISTRY_TLS',
      );
      expect(error.message).toContain('certificate subject CN=127.0.0.1');
      expect(error.message).toContain('issuer CN=margo-bridge test CA');
      // Nothing but handshakes: no HTTP request on any connection.
      expect(server.requests.filter((request) => request.method !== 'TLS')).toEqual([]);
      // The diagnostic connection, the last one, presented no client certificate.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.connections.length).toBeGreaterThan(0);
      expect(server.connections.at(-1)).toEqual({ handshake: 'refused', clientCertificate: null });
    },
  );

  it('reports a handshake refused for a missing client certificate', async () => {
    const server = await serve({ tls: 'mtls' });
    const error = await expectBridgeError(
      reader.listReleases(connection(server, { allowHttp: false, tls: { caCert: server.ca! } })),
      'REGISTRY_TLS',
    );
    expect(error.message).toContain('client certificate');
  });
});
