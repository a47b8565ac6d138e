/**
 * A registry's client certificate reaches only a server that passed verification (issue 10, item 13):
 * real TLS 1.2 and 1.3 servers on 127.0.0.1 that require client certificates and record, for every
 * handshake, whether one was presented. Certificates are made for the run with openssl: the run CA of
 * test/support/git-server.ts, and beside it another CA, a server certificate for another host name,
 * an intermediate CA and a certificate issued by a certificate that is no CA.
 */

import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeError } from '../src/errors.js';
import { createNodeHttpClient } from '../src/registry/node/http-client.js';
import { chainFailure, trustAnchors } from '../src/registry/node/tls-probe.js';
import {
  clientCertificateOf,
  issueCertificate,
  makeCa,
  type TestCertificates,
  testCertificates,
} from './support/git-server.js';

interface ServerCertificate {
  /** The certificate chain the server sends (leaf first). */
  cert: string;
  key: string;
}

interface Handshake {
  handshake: 'completed' | 'refused';
  clientCertificate: string | null;
}

let dir: string;
let certs: TestCertificates;
let otherCa: ServerCertificate;
let untrusted: ServerCertificate;
let otherHost: ServerCertificate;
let viaIntermediate: ServerCertificate;
let viaNonCa: ServerCertificate;
const servers: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'margo-bridge-tls-probe-'));
  certs = await testCertificates();
  await writeFile(join(dir, 'run-ca.pem'), certs.ca);
  await writeFile(join(dir, 'run-ca.key'), certs.caKey);
  await makeCa(dir, 'other-ca', '/CN=other CA');
  const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  untrusted = await issueCertificate(dir, 'untrusted', '/CN=127.0.0.1', 'other-ca', serverExt);
  otherCa = { cert: await readFile(join(dir, 'other-ca.pem'), 'utf8'), key: '' };
  otherHost = await issueCertificate(
    dir,
    'other-host',
    '/CN=elsewhere.example',
    'run-ca',
    'subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n',
  );
  const intermediate = await issueCertificate(
    dir,
    'intermediate',
    '/CN=run intermediate',
    'run-ca',
    'basicConstraints=critical,CA:TRUE\n',
  );
  const leaf = await issueCertificate(dir, 'intermediate-leaf', '/CN=127.0.0.1', 'intermediate', serverExt);
  viaIntermediate = { cert: leaf.cert + intermediate.cert, key: leaf.key };
  const nonCa = await issueCertificate(dir, 'non-ca', '/CN=not a CA', 'run-ca', 'basicConstraints=critical,CA:FALSE\n');
  const nonCaLeaf = await issueCertificate(dir, 'non-ca-leaf', '/CN=127.0.0.1', 'non-ca', serverExt);
  viaNonCa = { cert: nonCaLeaf.cert + nonCa.cert, key: nonCaLeaf.key };
});

afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** An HTTPS server that requires a client certificate of the run CA and records every handshake. */
async function serve(
  certificate: ServerCertificate,
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
  requestCert = true,
): Promise<{ url: string; handshakes: Handshake[] }> {
  const handshakes: Handshake[] = [];
  const server = createServer(
    { ...certificate, ca: certs.ca, requestCert, rejectUnauthorized: requestCert, maxVersion },
    (_request, response) => response.end('ok'),
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes.push({ handshake: 'completed', clientCertificate: clientCertificateOf(socket) });
  });
  server.on('tlsClientError', (_error, socket: TLSSocket) => {
    handshakes.push({ handshake: 'refused', clientCertificate: clientCertificateOf(socket) });
    socket.destroy();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/info/refs`, handshakes };
}

/** One GET with the registry's CA (the run CA) and client certificate. */
async function get(url: string): Promise<number> {
  const { client, close } = createNodeHttpClient({
    tls: { caCert: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey },
    allowPrivateNetworks: true,
    allowHttp: false,
  });
  try {
    const response = await client.request({ url, method: 'GET' });
    for await (const _chunk of response.body ?? []) {
      // drained
    }
    return response.statusCode;
  } finally {
    close();
  }
}

async function refused(url: string): Promise<BridgeError> {
  const error = await get(url).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(BridgeError);
  expect((error as BridgeError).code).toBe('REGISTRY_TLS');
  return error as BridgeError;
}

/** Lets the server record the end of the last handshake. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('a server that requires a client certificate (%s)', (version) => {
  it('never receives it when its certificate is of a CA the registry does not trust', async () => {
    const server = await serve(untrusted, version);
    const error = await refused(server.url);
    expect(error.message).toContain('certificate subject CN=127.0.0.1');
    expect(error.message).toContain('issuer CN=other CA');
    await settle();
    expect(server.handshakes.length).toBeGreaterThan(0);
    expect(server.handshakes.map((handshake) => handshake.clientCertificate)).toEqual(
      server.handshakes.map(() => null),
    );
  });

  it('never receives it when its certificate names another host', async () => {
    const server = await serve(otherHost, version);
    const error = await refused(server.url);
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toContain('certificate subject CN=elsewhere.example');
    await settle();
    expect(server.handshakes.length).toBeGreaterThan(0);
    expect(server.handshakes.every((handshake) => handshake.clientCertificate === null)).toBe(true);
  });

  it('never receives it when its chain runs through a certificate that is no CA', async () => {
    const server = await serve(viaNonCa, version);
    const error = await refused(server.url);
    // OpenSSL (TLS 1.3, Node's verdict) calls it an invalid purpose, the probe's own check an invalid CA.
    expect(error.message).toMatch(/INVALID_CA|INVALID_PURPOSE/);
    await settle();
    expect(server.handshakes.every((handshake) => handshake.clientCertificate === null)).toBe(true);
  });

  it('receives it when it is trusted (through an intermediate CA it sends)', async () => {
    const server = await serve(viaIntermediate, version);
    expect(await get(server.url)).toBe(200);
    await settle();
    // The probe presented nothing; the connection that carried the request presented the certificate.
    expect(server.handshakes.at(-1)).toEqual({ handshake: 'completed', clientCertificate: 'margo-bridge test client' });
    expect(server.handshakes.slice(0, -1).every((handshake) => handshake.clientCertificate === null)).toBe(true);
  });
});

describe('a trusted server that does not ask for a client certificate', () => {
  it('is probed once without the certificate, then used', async () => {
    const server = await serve(viaIntermediate, 'TLSv1.2', false);
    expect(await get(server.url)).toBe(200);
    expect(server.handshakes).toEqual([
      { handshake: 'completed', clientCertificate: null },
      { handshake: 'completed', clientCertificate: null },
    ]);
  });
});

describe('chainFailure', () => {
  it('judges validity, signatures, CA flags and the host name as OpenSSL and Node name them', () => {
    const anchors = trustAnchors([certs.ca]);
    // Outside a handshake a certificate has no issuer certificate: the anchors must reach it directly.
    const leafOf = (chain: ServerCertificate) => new X509Certificate(chain.cert);
    const now = new Date();
    const server = new X509Certificate(certs.serverCert);
    expect(chainFailure(server, '127.0.0.1', anchors, now)).toBeUndefined();
    expect(chainFailure(server, 'localhost', anchors, now)).toBeUndefined();
    expect(chainFailure(server, '127.0.0.2', anchors, now)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(chainFailure(server, '127.0.0.1', anchors, new Date(now.getTime() + 3 * 86_400_000))).toBe(
      'CERT_HAS_EXPIRED',
    );
    expect(chainFailure(server, '127.0.0.1', anchors, new Date(now.getTime() - 86_400_000))).toBe('CERT_NOT_YET_VALID');
    expect(chainFailure(leafOf(untrusted), '127.0.0.1', anchors, now)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(chainFailure(new X509Certificate(otherCa.cert), '127.0.0.1', anchors, now)).toBe(
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    );
    // A client certificate is not for servers.
    expect(chainFailure(new X509Certificate(certs.clientCert), '127.0.0.1', anchors, now)).toBe('INVALID_PURPOSE');
    expect(chainFailure(leafOf(viaIntermediate), '127.0.0.1', anchors, now)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});
