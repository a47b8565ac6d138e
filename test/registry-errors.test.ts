/**
 * Specific, safe errors for every way reaching a registry fails, and the outbound address guard
 * (issue 5) on connections and redirects.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryConnection } from '../src/registry/interface.js';
import { classifyAddress, createNodeRegistryReader, guardHost } from '../src/registry/node/index.js';
import { expectBridgeError } from '../src/registry/reader.contract.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { buildFixtureRegistries, createRegistryRoot, removeRegistryRoot } from './support/registries.js';

let root: string;
let server: GitServer;
const extraServers: Server[] = [];
const reader = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: true });
const guarded = createNodeRegistryReader({ storage: { kind: 'memory' }, allowPrivateNetworks: false });

beforeAll(async () => {
  root = await createRegistryRoot();
  await buildFixtureRegistries(root);
  server = await startGitServer({ root });
});
afterAll(async () => {
  expect(server.requests.filter((request) => request.service === 'git-receive-pack')).toEqual([]);
  await server.stop();
  for (const extra of extraServers) {
    extra.closeAllConnections();
    await new Promise((resolve) => extra.close(resolve));
  }
  await removeRegistryRoot(root);
});

function connection(url: string, extra: Partial<RegistryConnection> = {}): RegistryConnection {
  return { url, allowHttp: true, auth: { type: 'none' }, ...extra };
}

/** A small HTTP server on 127.0.0.1 for answers a Git server would not give. */
async function httpServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const extra = createServer(handler);
  extraServers.push(extra);
  await new Promise<void>((resolve) => extra.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(extra.address() as AddressInfo).port}`;
}

describe('registry errors', () => {
  it('unreachable host', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await expectBridgeError(
      reader.listReleases(connection(`http://127.0.0.1:${port}/hello.git`)),
      'REGISTRY_UNREACHABLE',
    );
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('DNS failure', async () => {
    const error = await expectBridgeError(
      reader.listReleases(connection('https://registry.does-not-exist.invalid/app.git')),
      'REGISTRY_DNS',
    );
    expect(error.message).toContain('registry.does-not-exist.invalid');
  });

  it('timeout (per registry), without waiting for the server', async () => {
    const slow = await startGitServer({ root, delayMs: 3000 });
    try {
      const started = Date.now();
      const error = await expectBridgeError(
        reader.listReleases(connection(slow.url('hello'), { timeoutMs: 300 })),
        'REGISTRY_TIMEOUT',
      );
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error.message).toContain('300 ms');
    } finally {
      await slow.stop();
    }
  });

  it('repository not found', async () => {
    await expectBridgeError(reader.readRelease(connection(server.url('nothing-here')), 'v1.0.0'), 'REGISTRY_NOT_FOUND');
  });

  it('a server that is not a Git server', async () => {
    const url = await httpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>hello</html>');
    });
    await expectBridgeError(reader.listReleases(connection(`${url}/app.git`)), 'REGISTRY_PROTOCOL');
  });

  it('credentials inside the URL are refused and never repeated', async () => {
    const error = await expectBridgeError(
      reader.listReleases(connection(server.url('hello').replace('://', '://alice:hunter2@'))),
      'CONFIG_INVALID',
    );
    expect(error.message).not.toMatch(/alice|hunter2/);
  });
});

describe('outbound address guard', () => {
  it('classifies addresses', () => {
    expect(
      [
        '169.254.169.254',
        '::ffff:169.254.169.254',
        'fe80::1',
        'fd00:ec2::254',
        '127.0.0.1',
        '::1',
        '0.0.0.0',
        '10.1.2.3',
        '172.20.0.1',
        '192.168.1.1',
        '::ffff:10.0.0.1',
        'fd12:3456::1',
        '8.8.8.8',
        '2001:4860:4860::8888',
      ].map((address) => [address, classifyAddress(address)]),
    ).toEqual([
      ['169.254.169.254', 'link-local'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd00:ec2::254', 'metadata'],
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.20.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['::ffff:10.0.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['8.8.8.8', 'public'],
      ['2001:4860:4860::8888', 'public'],
    ]);
  });

  it('checks every resolved address of a name', async () => {
    const resolver = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '169.254.169.254', family: 4 as const },
    ];
    await expectBridgeError(guardHost('mixed.example', true, resolver), 'ADDRESS_REFUSED');
    const publicOnly = async () => [{ address: '93.184.216.34', family: 4 as const }];
    expect(await guardHost('public.example', false, publicOnly)).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses loopback unless private networks are allowed', async () => {
    const error = await expectBridgeError(guarded.listReleases(connection(server.url('hello'))), 'ADDRESS_REFUSED');
    expect(error.message).toContain('allowPrivateNetworks');
    await expectBridgeError(
      guarded.listReleases(connection(server.url('hello').replace('127.0.0.1', 'localhost'))),
      'ADDRESS_REFUSED',
    );
  });

  it('always refuses link-local and metadata addresses', async () => {
    for (const host of ['169.254.169.254', '[fe80::1]', '[fd00:ec2::254]', '[::ffff:169.254.169.254]']) {
      await expectBridgeError(
        reader.listReleases(connection(`http://${host}/latest/meta-data.git`)),
        'ADDRESS_REFUSED',
      );
    }
  });

  it('checks redirects too, and follows safe ones', async () => {
    const toMetadata = await httpServer((_request, response) => {
      response.writeHead(302, {
        location: 'http://169.254.169.254/latest/meta-data/info/refs?service=git-upload-pack',
      });
      response.end();
    });
    await expectBridgeError(reader.listReleases(connection(`${toMetadata}/app.git`)), 'ADDRESS_REFUSED');

    const toGitServer = await httpServer((request, response) => {
      response.writeHead(301, { location: `${server.url('hello')}${request.url?.replace(/^\/moved\.git/, '')}` });
      response.end();
    });
    const releases = await reader.listReleases(connection(`${toGitServer}/moved.git`));
    expect(releases.map((release) => release.tag)).toContain('v1.0.0');
  });
});
