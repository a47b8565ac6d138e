/**
 * OCI registry credentials and transport against the real registry: htpasswd basic auth, the
 * token flow (401 + `WWW-Authenticate: Bearer realm=…` → token from the tests' token server →
 * retry, tokens cached), HTTPS with a CA generated for the run, client certificates, and the
 * outbound address guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection } from '../src/registry/interface.js';
import { createNodeRegistryReader } from '../src/registry/node/index.js';
import { expectBridgeError } from '../src/registry/reader.contract.js';
import { pushPackage } from './support/oci-push.js';
import { OCI_PASSWORD, OCI_USER, type OciRegistry, startOciRegistry } from './support/oci-registry.js';
import { helloPackage } from './support/registries.js';

const reader = () => createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
const basic = { type: 'basic', username: OCI_USER, password: OCI_PASSWORD } as const;

function connection(registry: OciRegistry, extra: Partial<RegistryConnection> = {}): RegistryConnection {
  return { kind: 'oci', url: registry.url('apps/hello'), allowHttp: true, auth: { type: 'none' }, ...extra };
}

describe('OCI token flow', () => {
  let registry: OciRegistry;
  beforeAll(async () => {
    registry = await startOciRegistry({ auth: 'token' });
    await pushPackage(registry, 'apps/hello', '1.0.0', await helloPackage('1.0.0'));
  }, 30_000);
  afterAll(async () => {
    await registry.settled();
    expect(new Set(registry.readerRequests().map((entry) => entry.method))).toEqual(new Set(['GET', 'HEAD']));
    await registry.stop();
  });

  it('fetches a token from the realm with the configured credentials, retries, and reuses it', async () => {
    const oci = reader();
    registry.tokenRequests.length = 0;
    const releases = await oci.listReleases(connection(registry, { auth: basic }));
    expect(releases.map((release) => release.tag)).toEqual(['1.0.0']);
    expect(registry.tokenRequests).toEqual([{ scope: 'repository:apps/hello:pull', authorized: true }]);
    const pkg = await oci.readRelease(connection(registry, { auth: basic }), '1.0.0');
    expect(pkg.report?.kind).toBe('description');
    // The token is cached until it expires: the second operation asked for none.
    expect(registry.tokenRequests).toHaveLength(1);
  });

  it('refuses anonymous access and wrong credentials with REGISTRY_AUTH', async () => {
    await expectBridgeError(reader().listReleases(connection(registry)), 'REGISTRY_AUTH');
    const wrong = await expectBridgeError(
      reader().listReleases(connection(registry, { auth: { ...basic, password: 'wrong' } })),
      'REGISTRY_AUTH',
    );
    expect(wrong.message).not.toContain('wrong');
  });
});

describe('OCI over HTTPS with a CA of the run and client certificates', () => {
  let registry: OciRegistry;
  beforeAll(async () => {
    registry = await startOciRegistry({ tls: 'mtls', auth: 'htpasswd' });
    await pushPackage(registry, 'apps/hello', '1.0.0', await helloPackage('1.0.0'));
  }, 30_000);
  afterAll(async () => registry.stop());

  it('reads with the registry CA and client certificate; refuses an unknown CA and a missing client certificate', async () => {
    const tls = { caCert: registry.ca!, clientCert: registry.clientCert!, clientKey: registry.clientKey! };
    const releases = await reader().listReleases(connection(registry, { allowHttp: false, auth: basic, tls }));
    expect(releases.map((release) => release.tag)).toEqual(['1.0.0']);
    await expectBridgeError(
      reader().listReleases(connection(registry, { allowHttp: false, auth: basic })),
      'REGISTRY_TLS',
    );
    await expectBridgeError(
      reader().listReleases(connection(registry, { allowHttp: false, auth: basic, tls: { caCert: registry.ca! } })),
      'REGISTRY_TLS',
    );
  });

  it('sends no plain-http request to an https registry unless allowed, and keeps to the address guard', async () => {
    await expectBridgeError(
      reader().listReleases({
        ...connection(registry),
        url: registry.url('apps/hello').replace('https:', 'http:'),
        allowHttp: false,
      }),
      'CONFIG_INVALID',
    );
    const guarded = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: false });
    await expectBridgeError(
      guarded.listReleases(connection(registry, { allowHttp: false, auth: basic })),
      'ADDRESS_REFUSED',
    );
  });
});
