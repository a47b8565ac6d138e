/**
 * The fake's REST routes: GitHub's path templates (as in the OpenAPI description, so that recorded
 * responses can be checked against the documented operation), the permission each needs, and a
 * handler. Handlers throw `HttpError` for GitHub's error answers.
 */

import type { Caller } from './auth.js';
import type { Account, PullRecord } from './shapes.js';
import { errorBody } from './shapes.js';
import type { Access, FakeState, PermissionName, RepoState, TokenRecord } from './state.js';

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as is (raw media type), instead of JSON. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message));
  }
}

export const docs = {
  refs: 'https://docs.github.com/rest/git/refs',
  blobs: 'https://docs.github.com/rest/git/blobs',
  trees: 'https://docs.github.com/rest/git/trees',
  commits: 'https://docs.github.com/rest/git/commits',
  contents: 'https://docs.github.com/rest/repos/contents',
  repos: 'https://docs.github.com/rest/repos/repos',
  branches: 'https://docs.github.com/rest/branches/branches',
  pulls: 'https://docs.github.com/rest/pulls/pulls',
  labels: 'https://docs.github.com/rest/issues/labels',
  apps: 'https://docs.github.com/rest/apps/apps',
  rateLimits: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
};

export function notFound(documentation?: string): HttpError {
  return new HttpError(404, errorBody(404, 'Not Found', documentation));
}

/** GitHub's 422 with `errors` (field problems) or a plain message. */
export function unprocessable(message: string, documentation: string, errors?: Record<string, unknown>[]): HttpError {
  return new HttpError(422, { ...errorBody(422, message, documentation), ...(errors ? { errors } : {}) });
}

/** What every handler gets. */
export interface BaseContext {
  state: FakeState;
  /** Base URL of the fake (API and web pages). */
  base: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  caller: Caller;
  /** Called after a pull request was closed or merged (webhook deliveries). */
  pullClosed: (repo: RepoState, pull: PullRecord) => void;
}

/** Handlers of `/repos/{owner}/{repo}/…` routes: the repository is visible and the permission held. */
export interface RouteContext extends BaseContext {
  repo: RepoState;
  /** Who is asking: the token's user or bot (a placeholder account for anonymous reads). */
  actor: Account;
  token: TokenRecord | undefined;
}

export type Route = RepoRoute | AppRoute;

export interface RepoRoute {
  method: string;
  /** GitHub's path template, e.g. `/repos/{owner}/{repo}/git/refs/{ref}`. */
  template: string;
  auth: { kind: 'repo'; permission: readonly PermissionName[]; access: Access };
  /** Not in GitHub's current OpenAPI description (legacy paths the fixtures use): why. */
  undocumented?: string;
  handler: (context: RouteContext) => Promise<Reply>;
}

export interface AppRoute {
  method: string;
  template: string;
  /** The app's JWT, verified by the handler. */
  auth: { kind: 'app' };
  undocumented?: string;
  handler: (context: BaseContext) => Promise<Reply>;
}

export function isAppRoute(route: Route): route is AppRoute {
  return route.auth.kind === 'app';
}

/** Parameters whose values may contain `/` (refs, paths, branch names); always the template's last. */
const greedy = new Set(['ref', 'path', 'branch']);

export type CompiledRoute = Route & { pattern: RegExp; names: string[] };

export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.template.replace(/\/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    // An empty greedy value (`/contents/` lists the root) is allowed; the handler decides.
    return greedy.has(name) ? '(?:/(.*))?' : '/([^/]+)';
  });
  return { ...route, names, pattern: new RegExp(`^${source}/?$`) };
}

export function matchRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; params: Record<string, string> } | 'method-not-allowed' | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
    return { route, params };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

/** A required string field of a JSON body, else GitHub's 422 for an invalid request. */
export function requireString(body: unknown, field: string, documentation: string): string {
  const value = isRecord(body) ? body[field] : undefined;
  if (typeof value !== 'string') {
    throw unprocessable(`Invalid request.\n\n"${field}" wasn't supplied.`, documentation);
  }
  return value;
}

export function optionalString(body: unknown, field: string): string | undefined {
  const value = isRecord(body) ? body[field] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}
