/**
 * isomorphic-git's HTTP client for one registry on Node: the registry's own TLS settings (extra CA
 * bundle, client certificate) in its own agent (nothing process-wide), the outbound address guard on
 * every connection and redirect, the caller's abort signal, and network failures as specific,
 * credential-free BridgeErrors.
 */

import type { X509Certificate } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';
import { BridgeError } from '../../errors.js';
import { redactUrl } from '../../urls.js';
import type { RegistryTls } from '../interface.js';
import { withoutAuthorization } from '../reader.js';
import { guardHost, type ResolvedAddress, type Resolver } from './address-guard.js';
import { describeName, type ProbeTarget, probeServer } from './tls-probe.js';

export interface NodeHttpOptions {
  tls?: RegistryTls;
  allowPrivateNetworks: boolean;
  /** Follow redirects to plain http:// only when the registry allows http. */
  allowHttp: boolean;
  resolve?: Resolver;
}

const maxRedirects = 5;

const tlsVerificationCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'CERT_CHAIN_TOO_LONG',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export function createNodeHttpClient(options: NodeHttpOptions): { client: HttpClient; close(): void } {
  const tlsSettings = options.tls ?? {};
  const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets: 4 };
  // An extra CA bundle adds to the public roots instead of replacing them.
  if (tlsSettings.caCert) agentOptions.ca = [...tls.rootCertificates, tlsSettings.caCert];
  if (tlsSettings.clientCert) agentOptions.cert = tlsSettings.clientCert;
  if (tlsSettings.clientKey) agentOptions.key = tlsSettings.clientKey;
  const httpsAgent = tlsSettings.clientCert ? new ServerFirstAgent(agentOptions) : new https.Agent(agentOptions);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  async function request(gitRequest: GitHttpRequest): Promise<GitHttpResponse> {
    const body = gitRequest.body ? await collect(gitRequest.body) : undefined;
    let url = new URL(gitRequest.url);
    const method = gitRequest.method ?? 'GET';
    let headers = { ...(gitRequest.headers ?? {}) };
    for (let redirects = 0; ; redirects++) {
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttp)) {
        throw new BridgeError('REGISTRY_PROTOCOL', `refused to follow a redirect to ${redactUrl(url.toString())}`);
      }
      const addresses = await guardHost(url.hostname, options.allowPrivateNetworks, options.resolve);
      const response = await send(
        url,
        method,
        headers,
        method === 'GET' ? undefined : body,
        addresses,
        gitRequest.signal,
      );
      const location = response.headers.location;
      const status = response.statusCode ?? 0;
      if (location && [301, 302, 303, 307, 308].includes(status) && redirects < maxRedirects) {
        response.resume();
        const next = new URL(location, url);
        // Credentials stay with the host they were configured for.
        if (next.host !== url.host) headers = withoutAuthorization(headers);
        // Only 307/308 keep a request body; git clients do not replay a POST elsewhere otherwise.
        if (method !== 'GET' && status !== 307 && status !== 308) {
          throw new BridgeError('REGISTRY_PROTOCOL', `registry redirected a ${method} request (HTTP ${status})`);
        }
        url = next;
        continue;
      }
      return {
        url: url.toString(),
        method,
        statusCode: status,
        statusMessage: response.statusMessage ?? '',
        headers: flattenHeaders(response),
        body: streamBody(response, gitRequest.signal),
      };
    }
  }

  function send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    addresses: ResolvedAddress[],
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage> {
    const secure = url.protocol === 'https:';
    const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    };
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let outgoing: http.ClientRequest;
      try {
        outgoing = (secure ? https : http).request({
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method,
          headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          agent: secure ? httpsAgent : httpAgent,
          lookup,
        });
      } catch (error) {
        // Unusable TLS settings (e.g. a certificate that is not PEM) fail while the request is built.
        networkError(error as Error, url, addresses, false).then(reject, reject);
        return;
      }
      const onAbort = () => outgoing.destroy(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('response', (response) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(response);
      });
      // Whether the TLS handshake completed tells a refused handshake from a broken connection.
      let handshakeDone = !secure;
      outgoing.on('socket', (socket) => {
        if ((socket as { encrypted?: boolean }).encrypted && !socket.connecting) handshakeDone = true;
        socket.once('secureConnect', () => {
          handshakeDone = true;
        });
      });
      outgoing.on('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) reject(signal.reason);
        else if (error instanceof BridgeError) reject(error);
        else networkError(error, url, addresses, handshakeDone).then(reject, reject);
      });
      outgoing.end(body);
    });
  }

  return {
    client: { request },
    close() {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

async function collect(body: AsyncIterableIterator<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

function flattenHeaders(response: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The response body; stopping early (a limit) or an abort destroys the connection. */
async function* streamBody(
  response: IncomingMessage,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<Uint8Array> {
  const onAbort = () => response.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      yield new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    }
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new BridgeError('REGISTRY_UNREACHABLE', `the connection broke while reading the answer (${codeOf(error)})`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!response.complete) response.destroy();
  }
}

function codeOf(error: unknown): string {
  return (error as { code?: string } | null)?.code ?? (error instanceof Error ? error.message : String(error));
}

/** A failed connection as a specific BridgeError; TLS verification failures name the certificate. */
async function networkError(
  error: Error,
  url: URL,
  addresses: ResolvedAddress[],
  handshakeDone: boolean,
): Promise<BridgeError> {
  const code = codeOf(error);
  const where = `${url.protocol}//${url.host}`;
  if (tlsVerificationCodes.has(code)) {
    return untrustedServer(where, code, await peerCertificate(url, addresses[0]!));
  }
  if (code.startsWith('ERR_OSSL')) {
    return new BridgeError(
      'REGISTRY_TLS',
      `the registry's CA bundle or client certificate and key could not be used (${code}); check they are PEM`,
      { code },
    );
  }
  if (code.startsWith('ERR_SSL') || code === 'EPROTO' || /alert|handshake/i.test(error.message)) {
    return new BridgeError(
      'REGISTRY_TLS',
      `the TLS handshake with ${where} failed (${code}); the server may require a client certificate or refuse the one given`,
      { code },
    );
  }
  if (code === 'ECONNRESET' && !handshakeDone) {
    return new BridgeError(
      'REGISTRY_TLS',
      `${where} closed the connection during the TLS handshake; the server may require a client certificate or refuse the one given`,
      { code },
    );
  }
  if (code === 'ETIMEDOUT') return new BridgeError('REGISTRY_TIMEOUT', `connecting to ${where} timed out`, { code });
  return new BridgeError('REGISTRY_UNREACHABLE', `could not reach ${where} (${code})`, { code });
}

/**
 * An https.Agent that opens each connection carrying the registry's client certificate only after a
 * probe without it has verified the server (tls-probe.ts): a server that fails verification never
 * receives the certificate, also in TLS 1.2 where Node would send it before checking the server.
 */
class ServerFirstAgent extends https.Agent {
  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const fail = callback as (err: Error) => void;
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? 443);
    probeServer({
      host,
      port,
      servername: options.servername,
      lookup: options.lookup,
      ca: (options.ca ?? this.options.ca) as ProbeTarget['ca'],
    })
      .then((probe) => {
        if (!probe.certificate) fail(probe.error ?? new Error('the server sent no certificate'));
        else if (probe.untrusted) {
          const where = `https://${host.includes(':') ? `[${host}]` : host}${port === 443 ? '' : `:${port}`}`;
          fail(
            untrustedServer(where, probe.untrusted, probe.certificate, ' (the client certificate was not presented)'),
          );
        } else {
          // Unusable TLS settings (a certificate that is not PEM) throw here.
          const socket = super.createConnection(options);
          if (socket) callback?.(null, socket);
        }
      })
      .catch(fail);
    return undefined;
  }
}

function untrustedServer(
  where: string,
  code: string,
  certificate: X509Certificate | undefined,
  note = '',
): BridgeError {
  const named = certificate ? describedCertificate(certificate) : undefined;
  const naming = named ? ` (certificate subject ${named.subject}, issuer ${named.issuer})` : '';
  return new BridgeError('REGISTRY_TLS', `TLS verification of ${where} failed: ${code}${naming}${note}`, {
    code,
    ...(named ?? {}),
  });
}

function describedCertificate(certificate: X509Certificate): { subject: string; issuer: string } {
  return { subject: describeName(certificate.subject), issuer: describeName(certificate.issuer) };
}

/**
 * The server's certificate, fetched without verification, only to describe a verification failure.
 * The server just failed verification, so this connection presents no client certificate (it
 * would reveal the registry's client identity to it) and sends nothing but the handshake. A
 * server that then refuses the handshake for the missing client certificate (TLS 1.2) has sent
 * its certificate already: it is read from the failed connection.
 */
async function peerCertificate(url: URL, address: ResolvedAddress): Promise<X509Certificate | undefined> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const probe = await probeServer({
    host: address.address,
    port: Number(url.port || 443),
    ...(hostname === address.address ? {} : { servername: hostname }),
  });
  return probe.certificate;
}
