/**
 * The requests of one operation on one OCI repository: only GET and HEAD, the registry's
 * credentials (basic, bearer, or the token flow: a 401 `Bearer realm=…` answered by a token from
 * the realm, cached until it expires), one deadline, and a byte budget over every answer.
 */
import type { GitHttpResponse } from 'isomorphic-git';
import { concatBytes } from '../../bytes.js';
import { BridgeError, isBridgeError } from '../../errors.js';
import { redactUrl } from '../../urls.js';
import type { RegistryConnection } from '../interface.js';
import { type OciTarget, ociTarget } from '../oci-url.js';
import { authorizationHeaders, type RegistryHttp } from '../reader.js';
import { parseChallenge } from './challenge.js';

export { type OciTarget, ociTarget };

export interface TokenCache {
  get(key: string): string | undefined;
  set(key: string, token: string, expiresInSeconds: number): void;
}

/** Tokens per repository and credentials, in memory, forgotten a little before they expire. */
export function tokenCache(now: () => number = Date.now, maxEntries = 10_000): TokenCache {
  const tokens = new Map<string, { token: string; expiresAt: number }>();
  return {
    get(key) {
      const entry = tokens.get(key);
      if (entry && entry.expiresAt > now()) return entry.token;
      tokens.delete(key);
      return undefined;
    },
    set(key, token, expiresInSeconds) {
      if (tokens.size >= maxEntries) tokens.delete(tokens.keys().next().value as string);
      tokens.set(key, { token, expiresAt: now() + Math.max(expiresInSeconds - 10, 1) * 1000 });
    },
  };
}

export interface OciSession {
  target: OciTarget;
  /** Sends GET or HEAD to `/v2/<name>/<path>` (or a `/v2/…` path from a Link header). */
  request(method: 'GET' | 'HEAD', path: string, accept: string): Promise<GitHttpResponse>;
  /** Bytes received so far in this operation. */
  bytes(): number;
  requests(): number;
}

export interface SessionOptions {
  connect(registry: RegistryConnection): RegistryHttp;
  tokens: TokenCache;
  timeoutMs: number;
  /** Every answer of the operation together. */
  maxBytes: number;
}

const maxTokenBytes = 64 * 1024;

export async function withOciSession<T>(
  registry: RegistryConnection,
  options: SessionOptions,
  work: (session: OciSession) => Promise<T>,
): Promise<T> {
  const target = ociTarget(registry);
  const timeoutMs = registry.timeoutMs ?? options.timeoutMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new BridgeError(
          'REGISTRY_TIMEOUT',
          `registry ${redactUrl(registry.url)} did not answer within ${timeoutMs} ms`,
        ),
      ),
    timeoutMs,
  );
  const connection = options.connect(registry);
  const configured = authorizationHeaders(registry);
  const tokenKey = `${target.origin}/${target.name}\n${configured.authorization ?? ''}`;
  let received = 0;
  let sent = 0;

  function counted(body: AsyncIterableIterator<Uint8Array> | undefined): AsyncIterableIterator<Uint8Array> | undefined {
    if (!body) return undefined;
    return (async function* () {
      for await (const chunk of body) {
        received += chunk.length;
        if (received > options.maxBytes) {
          throw new BridgeError('LIMIT_EXCEEDED', `registry answers exceeded ${options.maxBytes} bytes`, {
            limit: options.maxBytes,
          });
        }
        yield chunk;
      }
    })();
  }

  async function send(method: 'GET' | 'HEAD', url: string, headers: Record<string, string>) {
    sent++;
    const response = await connection.client.request({ url, method, headers, signal: controller.signal });
    return { ...response, body: counted(response.body) } as GitHttpResponse;
  }

  /** The token flow: GET the realm with the configured credentials (or none) for the challenge's scope. */
  async function fetchToken(params: Record<string, string>): Promise<string> {
    const realm = params.realm;
    if (!realm) throw new BridgeError('REGISTRY_AUTH', `registry ${target.origin} asked for a token without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new BridgeError('REGISTRY_AUTH', `registry ${target.origin} named a token realm that is not a URL`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && registry.allowHttp)) {
      throw new BridgeError('REGISTRY_AUTH', `registry ${target.origin} named a token realm that is not https`);
    }
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${target.name}:pull`);
    const response = await send('GET', url.toString(), { accept: 'application/json', ...configured });
    const text = new TextDecoder().decode(await readAll(response, maxTokenBytes, 'the token answer'));
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new BridgeError(
        'REGISTRY_AUTH',
        `the token service of ${target.origin} refused the credentials (HTTP ${response.statusCode})`,
        {
          status: response.statusCode,
        },
      );
    }
    if (response.statusCode !== 200) {
      throw new BridgeError(
        'REGISTRY_AUTH',
        `the token service of ${target.origin} answered HTTP ${response.statusCode}`,
        {
          status: response.statusCode,
        },
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new BridgeError('REGISTRY_AUTH', `the token service of ${target.origin} did not answer JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new BridgeError('REGISTRY_AUTH', `the token service of ${target.origin} sent no token`);
    }
    // The specification's default lifetime is 60 s.
    options.tokens.set(tokenKey, token, typeof body.expires_in === 'number' ? body.expires_in : 60);
    return token;
  }

  const session: OciSession = {
    target,
    bytes: () => received,
    requests: () => sent,
    async request(method, path, accept) {
      const url = path.startsWith('/v2/') ? `${target.origin}${path}` : `${target.origin}/v2/${target.name}/${path}`;
      const cached = options.tokens.get(tokenKey);
      const auth = cached ? { authorization: `Bearer ${cached}` } : configured;
      const response = await send(method, url, { accept, ...auth });
      if (response.statusCode !== 401) return response;
      const challenge = parseChallenge(response.headers?.['www-authenticate']);
      await readAll(response, maxTokenBytes, 'the 401 answer').catch(() => undefined);
      if (challenge?.scheme !== 'bearer' || registry.auth.type === 'bearer') return response;
      const token = await fetchToken(challenge.params);
      return send(method, url, { accept, authorization: `Bearer ${token}` });
    },
  };

  try {
    return await work(session);
  } catch (error) {
    if (controller.signal.aborted && isBridgeError(controller.signal.reason)) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    connection.close();
  }
}

/** A whole (small) answer, at most `maxBytes`. */
export async function readAll(response: GitHttpResponse, maxBytes: number, what: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new BridgeError('LIMIT_EXCEEDED', `${what} exceeds ${maxBytes} bytes`, { limit: maxBytes });
    }
    parts.push(chunk);
  }
  return concatBytes(parts);
}

/** An unexpected status as the same errors a Git registry gives; OCI error codes tell a missing tag. */
export async function statusError(response: GitHttpResponse, url: string, tag?: string): Promise<BridgeError> {
  const status = response.statusCode;
  const where = redactUrl(url);
  let codes: string[] = [];
  try {
    const body = JSON.parse(new TextDecoder().decode(await readAll(response, 64 * 1024, 'the error answer'))) as {
      errors?: { code?: unknown }[];
    };
    codes = (body.errors ?? []).map((entry) => String(entry.code));
  } catch {
    // Not an OCI error body: the status alone says enough.
  }
  if (status === 401 || status === 403) {
    return new BridgeError('REGISTRY_AUTH', `registry ${where} refused the credentials (HTTP ${status})`, { status });
  }
  if (status === 404 && tag !== undefined && !codes.includes('NAME_UNKNOWN')) {
    return new BridgeError('TAG_NOT_FOUND', `tag "${tag}" does not exist in ${where}`, { status });
  }
  if (status === 404) return new BridgeError('REGISTRY_NOT_FOUND', `no repository at ${where} (HTTP 404)`, { status });
  return new BridgeError('REGISTRY_PROTOCOL', `registry ${where} answered HTTP ${status}`, { status, codes });
}
