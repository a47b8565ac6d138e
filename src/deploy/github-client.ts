/**
 * The Octokit a GitHub deployment repository is reached with: @octokit/rest with the throttling
 * and retry plugins, token or GitHub App authentication, and GitHub's answers as BridgeErrors.
 *
 * - Primary limits (403/429 with `x-ratelimit-remaining: 0`, waited out until `x-ratelimit-reset`)
 *   and secondary limits (`retry-after`) are handled by the throttling plugin; a 429 that is
 *   neither (GitHub's plain "API rate limit exceeded") waits `retry-after` here. Waits longer than
 *   `maxRateLimitWaitSeconds` are not taken: the error goes back to the job queue, which retries later.
 * - 5xx answers and dropped connections are retried with backoff by the retry plugin; every
 *   operation of the provider is idempotent, so a retried write whose first attempt did happen
 *   is recognised ("Reference already exists", "A pull request already exists").
 * - Writes with one credential are spaced (GitHub asks for a second between mutating requests).
 * - GitHub App installation tokens are made from the private key and renewed before they expire.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { BridgeError, isBridgeError } from '../errors.js';
import type { GitHubMemory } from './github-memory.js';
import type { GitHubProviderSettings } from './settings.js';

export interface GitHubPlatform {
  fetch?: typeof fetch;
  /** Least time between two writes with one credential; default 1000 ms (GitHub's advice). */
  writeSpacingMs?: number;
  /** Milliseconds per second of `retry-after` and of the retry plugin's backoff; default 1000 (tests: a few). */
  retryAfterBaseMs?: number;
  /** Longest rate-limit wait taken inside one operation; default 60 s. */
  maxRateLimitWaitSeconds?: number;
  /** Retries of one request after 5xx answers or limits; default 3. */
  retries?: number;
  now?: () => number;
  /** What was last seen of repositories (github-memory.ts); default the process-wide one. */
  memory?: GitHubMemory;
}

export type GitHubOctokit = InstanceType<typeof BridgeOctokit>;

const BridgeOctokit = Octokit.plugin(throttling, retry);

/** One queue per credential: writes start at least `spacingMs` apart, in the order asked. */
const writeQueues = new Map<string, Promise<unknown>>();

function writeSpacing(spacingMs: number) {
  return {
    key: (id: string) => ({
      schedule<T>(_options: unknown, task: (...args: unknown[]) => Promise<T>, ...args: unknown[]): Promise<T> {
        const previous = writeQueues.get(id) ?? Promise.resolve();
        const slot = previous.then(() => new Promise((resolve) => setTimeout(resolve, spacingMs)));
        writeQueues.set(id, slot);
        void slot.then(() => {
          if (writeQueues.get(id) === slot) writeQueues.delete(id);
        });
        return previous.then(() => task(...args));
      },
    }),
  };
}

export interface GitHubClient {
  octokit: GitHubOctokit;
  /** A GitHub App's JWT, for the `/app` and installation routes; undefined for token auth. */
  appJwt(): Promise<string | undefined>;
}

export function gitHubClient(settings: GitHubProviderSettings, platform: GitHubPlatform): GitHubClient {
  const baseUrl = (settings.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const now = platform.now ?? Date.now;
  const base = platform.retryAfterBaseMs ?? 1000;
  const maxWait = platform.maxRateLimitWaitSeconds ?? 60;
  const retries = platform.retries ?? 3;
  const auth = settings.auth;
  const identity =
    auth.type === 'app' ? `app:${auth.appId}:${auth.installationId}` : `repo:${settings.owner}/${settings.repo}`;
  const spacing = writeSpacing(platform.writeSpacingMs ?? 1000);
  const withinLimits = (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
    retryCount < retries && retryAfter <= maxWait;

  const octokit = new BridgeOctokit({
    baseUrl,
    userAgent: 'margo-bridge',
    ...(auth.type === 'token' ? { auth: auth.token } : {}),
    ...(platform.fetch ? { request: { fetch: platform.fetch } } : {}),
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    throttle: {
      id: `${baseUrl}|${identity}`,
      retryAfterBaseValue: base,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: withinLimits,
      onSecondaryRateLimit: withinLimits,
      // The plugin's own groups are process-wide Bottleneck instances; this spacing is the same rule.
      write: spacing as never,
      notifications: spacing as never,
    },
    // 429 is the throttling plugin's and the wrapper's below; 4xx are answers, not accidents.
    retry: { retries, retryAfterBaseValue: base, doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451] },
  });

  // A plain 429 (no rate-limit headers the throttling plugin recognises): wait `retry-after`.
  octokit.hook.wrap('request', async (request, options) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(options);
      } catch (error) {
        const status = statusOf(error);
        const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
        const retryAfter = Number(headers?.['retry-after'] ?? Number.NaN);
        if (status !== 429 || !Number.isFinite(retryAfter) || retryAfter > maxWait || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, retryAfter) * base));
      }
    }
  });

  if (auth.type === 'token') return { octokit, appJwt: async () => undefined };

  const app = auth;
  const appAuth = createAppAuth({
    appId: auth.appId,
    privateKey: auth.privateKey,
    installationId: auth.installationId,
    request: octokit.request,
  });
  let token: { value: string; expiresAt: number; issuedAt: number } | undefined;
  let renewing: Promise<string> | undefined;
  async function installationToken(): Promise<string> {
    const at = now();
    // Renewed while a quarter of its life (at most five minutes) is left, so no request carries an expiring token.
    const margin = token ? Math.min(5 * 60_000, (token.expiresAt - token.issuedAt) / 4) : 0;
    if (token && token.expiresAt - margin > at) return token.value;
    renewing ??= (async () => {
      try {
        const result = await appAuth({ type: 'installation', refresh: true });
        token = { value: result.token, expiresAt: Date.parse(result.expiresAt), issuedAt: now() };
        return result.token;
      } catch (error) {
        throw translateGitHubError(error, `GitHub App ${app.appId} installation ${app.installationId}`);
      } finally {
        renewing = undefined;
      }
    })();
    return renewing;
  }
  const jwtRoutes = /^\/app(\/|$)|^\/repos\/[^/]+\/[^/]+\/installation$/;
  octokit.hook.before('request', async (options) => {
    const path = new URL(options.url.replace(/\{[^}]+\}/g, 'x'), 'http://github.invalid').pathname;
    if (jwtRoutes.test(path)) return;
    options.headers.authorization = `token ${await installationToken()}`;
  });
  // A token revoked or expired early (GitHub answers 401): one new token, one more try.
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (error) {
      if (statusOf(error) !== 401 || token === undefined) throw error;
      token = undefined;
      return request(options);
    }
  });
  return {
    octokit,
    appJwt: async () => (await appAuth({ type: 'app' })).token,
  };
}

/** GitHub's answers as BridgeErrors that say what to fix; never a token or a private key. */
export function translateGitHubError(error: unknown, where: string): unknown {
  if (isBridgeError(error)) return error;
  const status = statusOf(error);
  if (typeof status !== 'number') {
    const cause = error instanceof Error ? error.message : String(error);
    return new BridgeError('DEPLOY_UNREACHABLE', `could not reach GitHub for ${where} (${cause})`);
  }
  const response = (error as { response?: { headers?: Record<string, string | undefined>; data?: unknown } }).response;
  const message = (response?.data as { message?: string } | undefined)?.message ?? '';
  const headers = response?.headers ?? {};
  if (status === 401) {
    return new BridgeError(
      'DEPLOY_AUTH',
      `GitHub refused the credentials for ${where} (HTTP 401 ${message || 'Unauthorized'})`,
      {
        status,
      },
    );
  }
  const limited =
    status === 429 || headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(message) || headers['retry-after'];
  if ((status === 403 || status === 429) && limited) {
    const reset = Number(headers['x-ratelimit-reset']);
    const until = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
    return new BridgeError(
      'DEPLOY_UNREACHABLE',
      `GitHub's rate limit holds requests for ${where}${until}; trying again later`,
      {
        status,
      },
    );
  }
  if (status === 403) {
    const needed = headers['x-accepted-github-permissions'];
    return new BridgeError(
      'DEPLOY_PERMISSION',
      `GitHub refused ${where}: ${message || 'Forbidden'}${needed ? ` (needs ${needed.replace(/=/g, ': ')})` : ''}`,
      { status },
    );
  }
  if (status === 404) {
    return new BridgeError('DEPLOY_NOT_FOUND', `${where} was not found on GitHub, or these credentials cannot see it`, {
      status,
    });
  }
  if (status >= 500)
    return new BridgeError('DEPLOY_UNREACHABLE', `GitHub answered HTTP ${status} for ${where}`, { status });
  return new BridgeError('CONFLICT', `GitHub refused ${where} (HTTP ${status}: ${message})`, { status });
}

/** The HTTP status of an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}
