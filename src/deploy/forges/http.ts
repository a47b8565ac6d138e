/**
 * JSON over HTTP for forge APIs: bounded time, answers mapped to deployment errors (401 →
 * DEPLOY_AUTH, 403 → DEPLOY_PERMISSION, 404 → undefined for the caller to judge, 5xx/429 and
 * network → DEPLOY_UNREACHABLE, which jobs retry). The token never appears in a message.
 */
import { BridgeError } from '../../errors.js';
import type { Fetch } from './interface.js';

export interface ForgeHttp {
  /** Parsed JSON; undefined for 404. */
  json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T } | undefined>;
}

export function forgeHttp(options: {
  apiUrl: string;
  name: string;
  headers: Record<string, string>;
  fetch: Fetch;
  timeoutMs?: number;
}): ForgeHttp {
  const root = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async json<T>(method: string, path: string, body?: unknown) {
      let response: Response;
      try {
        response = await options.fetch(`${root}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...options.headers,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new BridgeError(
          'DEPLOY_UNREACHABLE',
          `${options.name} API at ${root} did not answer: ${(error as Error).message}`,
        );
      }
      const text = await response.text();
      const data = text === '' ? undefined : parseJson(text);
      if (response.status === 404) return undefined;
      if (response.ok || response.status === 409 || response.status === 422)
        return { status: response.status, data: data as T };
      const reason = messageOf(data) ?? response.statusText;
      if (response.status === 401) {
        throw new BridgeError('DEPLOY_AUTH', `${options.name} refused the token (HTTP 401: ${reason})`, {
          status: 401,
        });
      }
      if (response.status === 403) {
        throw new BridgeError(
          'DEPLOY_PERMISSION',
          `${options.name} refused ${method} ${path} (HTTP 403: ${reason}): the token needs write access to the repository and its pull requests`,
          { status: 403 },
        );
      }
      throw new BridgeError(
        'DEPLOY_UNREACHABLE',
        `${options.name} answered ${method} ${path} with HTTP ${response.status}: ${reason}`,
        {
          status: response.status,
        },
      );
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Gitea `{ message }`, GitLab `{ message }` (string or list) or `{ error }`. */
export function messageOf(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { message, error } = data as { message?: unknown; error?: unknown };
  const text = Array.isArray(message) ? message.join('; ') : (message ?? error);
  return typeof text === 'string' ? text.slice(0, 300) : undefined;
}
