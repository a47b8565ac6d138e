/**
 * A registry's server is verified before it is shown the registry's client certificate (issue 10).
 *
 * Node's TLS client runs OpenSSL without peer verification and checks the server's certificate only
 * once the handshake is over; in TLS 1.2 the client certificate is sent during the handshake, so a
 * server that fails verification would still receive it. Hence every connection that will present
 * a client certificate is preceded by a probe that presents none:
 * - the probe's handshake completes (the server does not require a client certificate, or TLS 1.3,
 *   where the client verifies before the server can refuse): Node's own verdict (`authorized`, which
 *   covers the chain and the host name) decides;
 * - the server ends the probe's handshake for want of a client certificate (TLS 1.2): it has sent its
 *   certificate chain already, and that chain is checked here against the same trust anchors
 *   (validity, signatures up to an anchor, CA flags of intermediates, server purpose, host name).
 * The key never leaves the process either way; what the probe withholds is the certificate itself,
 * the registry's client identity.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';

export interface ProbeTarget {
  host: string;
  port: number;
  /** SNI name; absent for an IP address. */
  servername?: string | undefined;
  lookup?: LookupFunction | undefined;
  /** Trust anchors as given to Node (PEM); absent: Node's defaults. */
  ca?: string | readonly string[] | undefined;
}

export interface ServerProbe {
  /** The server's certificate; absent when the connection failed before the server sent one. */
  certificate?: X509Certificate;
  /** Why the server fails verification (an OpenSSL or Node code); undefined when it passes. */
  untrusted?: string;
  /** The probe's connection error when there was no certificate to judge. */
  error?: Error;
}

const probeTimeoutMs = 10_000;
const maxChainDepth = 8;
const serverAuthPurposes = ['1.3.6.1.5.5.7.3.1', '2.5.29.37.0'];

/** Connects without a client certificate, sends nothing but the handshake, and judges the server. */
export function probeServer(target: ProbeTarget): Promise<ServerProbe> {
  return new Promise((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: target.host,
        port: target.port,
        ...(target.servername ? { servername: target.servername } : {}),
        ...(target.lookup ? { lookup: target.lookup } : {}),
        ...(target.ca !== undefined ? { ca: target.ca as string[] } : {}),
        rejectUnauthorized: false,
      });
    } catch (error) {
      resolve({ error: error as Error });
      return;
    }
    let settled = false;
    const done = (probe: ServerProbe) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(probe);
    };
    // Node's agent sets an empty servername for an IP address.
    const name = target.servername || target.host;
    socket.setTimeout(probeTimeoutMs, () =>
      done({ error: Object.assign(new Error('TLS probe timed out'), { code: 'ETIMEDOUT' }) }),
    );
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerX509Certificate();
      const untrusted = socket.authorized ? undefined : String(socket.authorizationError ?? 'CERT_UNTRUSTED');
      done({ ...(certificate ? { certificate } : {}), ...(untrusted ? { untrusted } : {}) });
    });
    socket.once('error', (error) => {
      let certificate: X509Certificate | undefined;
      try {
        certificate = socket.getPeerX509Certificate();
      } catch {
        certificate = undefined;
      }
      if (!certificate) done({ error });
      else {
        const untrusted = chainFailure(certificate, name, trustAnchors(target.ca), new Date());
        done({ certificate, error, ...(untrusted ? { untrusted } : {}) });
      }
    });
  });
}

/** `CN=…, O=…, OU=…` of a certificate's subject or issuer, as the errors name certificates. */
export function describeName(distinguishedName: string): string {
  const parts = distinguishedName
    .split('\n')
    .filter((part) => /^(CN|O|OU)=/.test(part))
    .sort((a, b) => order(a) - order(b));
  return parts.length > 0 ? parts.join(', ') : 'unknown';
}

function order(part: string): number {
  return ['CN', 'O', 'OU'].indexOf(part.slice(0, part.indexOf('=')));
}

/**
 * Why a chain the server sent is not to be trusted for `hostname`, or undefined. Codes as OpenSSL
 * and Node name them.
 */
export function chainFailure(
  leaf: X509Certificate,
  hostname: string,
  anchors: readonly X509Certificate[],
  now: Date,
): string | undefined {
  const purposes = leaf.keyUsage;
  if (purposes && purposes.length > 0 && !purposes.some((purpose) => serverAuthPurposes.includes(purpose))) {
    return 'INVALID_PURPOSE';
  }
  let certificate = leaf;
  for (let depth = 0; depth < maxChainDepth; depth++) {
    const expiry = validityFailure(certificate, now);
    if (expiry) return expiry;
    const anchor = anchors.find((candidate) => issuedBy(certificate, candidate));
    if (anchor) {
      const anchorExpiry = validityFailure(anchor, now);
      if (anchorExpiry) return anchorExpiry;
      return hostFailure(leaf, hostname);
    }
    const issuer = certificate.issuerCertificate;
    if (!issuer || issuer.fingerprint256 === certificate.fingerprint256) {
      if (certificate.checkIssued(certificate)) {
        return depth === 0 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN';
      }
      return depth === 0 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
    }
    if (!issuedBy(certificate, issuer)) return 'CERT_SIGNATURE_FAILURE';
    if (!issuer.ca) return 'INVALID_CA';
    certificate = issuer;
  }
  return 'CERT_CHAIN_TOO_LONG';
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

function validityFailure(certificate: X509Certificate, now: Date): string | undefined {
  if (now.getTime() < Date.parse(certificate.validFrom)) return 'CERT_NOT_YET_VALID';
  if (now.getTime() > Date.parse(certificate.validTo)) return 'CERT_HAS_EXPIRED';
  return undefined;
}

function hostFailure(leaf: X509Certificate, hostname: string): string | undefined {
  const matched = isIP(hostname) ? leaf.checkIP(hostname) : leaf.checkHost(hostname);
  return matched ? undefined : 'ERR_TLS_CERT_ALTNAME_INVALID';
}

/** The certificates Node trusts for these `ca` options: the given ones, or its defaults. */
export function trustAnchors(ca: ProbeTarget['ca']): X509Certificate[] {
  if (ca === undefined) return defaultAnchors();
  const roots = parsedRoots();
  return (typeof ca === 'string' ? [ca] : ca).flatMap((pem) => {
    const root = roots.get(pem);
    return root ? [root] : parseBundle(pem);
  });
}

let roots: Map<string, X509Certificate> | undefined;
let defaults: X509Certificate[] | undefined;

function parsedRoots(): Map<string, X509Certificate> {
  roots ??= new Map(tls.rootCertificates.map((pem) => [pem, new X509Certificate(pem)]));
  return roots;
}

/** Node's default trust: its bundled roots and the file NODE_EXTRA_CA_CERTS names (read once, as Node does). */
function defaultAnchors(): X509Certificate[] {
  if (defaults) return defaults;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem = '';
  try {
    extraPem = extra ? readFileSync(extra, 'utf8') : '';
  } catch {
    // Node itself warns about an unreadable file and goes on without it.
  }
  defaults = [...parsedRoots().values(), ...parseBundle(extraPem)];
  return defaults;
}

function parseBundle(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}
