/**
 * The fake GitHub's HTTP server on 127.0.0.1: Git smart HTTP at `/<owner>/<repo>.git/…` (Debian's
 * `git http-backend`, src/runtime/node/git-http-backend.ts) and the REST routes at the root, with
 * authentication, rate-limit headers, injected faults, a request log and recorded responses.
 * The public handle (FakeGitHub) is assembled in index.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleGitHttpBackend } from '../../../src/runtime/node/git-http-backend.js';
import { authorizeRepo, badCredentials, type Caller, callerOf, canSee } from './auth.js';
import { type FaultInjector, type FaultRule, faultAnswer } from './faults.js';
import {
  type BaseContext,
  type CompiledRoute,
  HttpError,
  isAppRoute,
  matchRoute,
  notFound,
  type Reply,
} from './router.js';
import { errorBody, type PullRecord } from './shapes.js';
import type { FakeState, RepoState } from './state.js';

export interface RequestRecord {
  method: string;
  path: string;
  /** GitHub's route template, `/{owner}/{repo}.git/<service>` for Git, or undefined (no route). */
  route: string | undefined;
  status: number;
  /** The answer came from an injected fault. */
  faulted: boolean;
  /** Milliseconds from the request's arrival to its answer (REST only). */
  durationMs?: number;
}

export interface ResponseRecord {
  method: string;
  path: string;
  route: string;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body; undefined for 204 and raw media types. */
  body: unknown;
  /** Why the route is not in GitHub's OpenAPI description, when it is not. */
  undocumented?: string;
}

interface RateBucket {
  limit: number;
  used: number;
  /** Epoch seconds. */
  reset: number;
}

export interface ServerParts {
  state: FakeState;
  routes: CompiledRoute[];
  faults: FaultInjector;
  requests: RequestRecord[];
  responses: ResponseRecord[];
  rateLimit: number;
  recordResponses: boolean;
  baseUrl: () => string;
  pullClosed: (repo: RepoState, pull: PullRecord) => void;
}

const gitPath = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)\.git(\/.*)$/;

export function createListener(parts: ServerParts) {
  const buckets = new Map<string, RateBucket>();
  const locks = new Map<string, Promise<unknown>>();

  /** Writes to one repository run one after another (GitHub serialises ref updates per repository). */
  function locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  function bucketOf(caller: Caller, request: IncomingMessage): RateBucket {
    // Tokens and app JWTs get the authenticated limit; anonymous callers GitHub's 60 per hour.
    const key =
      caller.kind === 'token'
        ? caller.token.token
        : caller.kind === 'jwt'
          ? 'app-jwt'
          : `anonymous:${request.socket.remoteAddress}`;
    const now = Math.floor(Date.now() / 1000);
    let bucket = buckets.get(key);
    if (!bucket || bucket.reset <= now) {
      bucket = { limit: key.startsWith('anonymous:') ? 60 : parts.rateLimit, used: 0, reset: now + 3600 };
      buckets.set(key, bucket);
    }
    return bucket;
  }

  async function serveGit(request: IncomingMessage, response: ServerResponse, match: RegExpExecArray) {
    const [, owner = '', name = '', rest = ''] = match;
    const method = request.method ?? 'GET';
    const service = /git-receive-pack/.test(request.url ?? '') ? 'git-receive-pack' : 'git-upload-pack';
    const route = `/{owner}/{repo}.git${rest}`;
    const record: RequestRecord = { method, path: `/${owner}/${name}.git${rest}`, route, status: 0, faulted: false };
    parts.requests.push(record);
    const rule = parts.faults.take(method, route, record.path);
    if (rule) {
      record.faulted = true;
      if (rule.fault.type === 'disconnect') {
        request.socket.destroy();
        return;
      }
      const answer = faultAnswer(rule.fault);
      record.status = answer.status;
      response.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      response.end(`${String(answer.body.message)}\n`);
      return;
    }
    const repo = parts.state.repo(owner, name);
    const caller = callerOf(parts.state, request.headers.authorization);
    const token = caller.kind === 'token' ? caller.token : undefined;
    const needs = service === 'git-receive-pack' ? 'write' : 'read';
    const refuse = (status: number, text: string) => {
      record.status = status;
      response.writeHead(status, {
        'content-type': 'text/plain',
        ...(status === 401 ? { 'www-authenticate': 'Basic realm="GitHub"' } : {}),
      });
      response.end(`${text}\n`);
    };
    if (caller.kind === 'invalid') return refuse(401, 'Invalid username or token.');
    if (!repo || !canSee(token, repo)) {
      return token ? refuse(404, 'Repository not found.') : refuse(401, 'Authentication required.');
    }
    if (needs === 'write' && !token) return refuse(401, 'Authentication required.');
    const held = token?.permissions.contents;
    if (token && (held === undefined || (needs === 'write' && held !== 'write'))) {
      return refuse(403, `Write access to repository not granted.`);
    }
    const result = await handleGitHttpBackend(request, response, {
      projectRoot: repo.record.gitDir.slice(0, repo.record.gitDir.lastIndexOf('/')),
      pathInfo: `/${repo.record.name}.git${rest}`,
      ...(token ? { remoteUser: token.actor.login } : {}),
    });
    record.status = result.status;
  }

  async function readBody(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, errorBody(400, 'Problems parsing JSON', 'https://docs.github.com/rest'));
    }
  }

  async function answerRest(
    request: IncomingMessage,
    method: string,
    url: URL,
    record: RequestRecord,
    caller: Caller,
    matched: ReturnType<typeof matchRoute>,
  ): Promise<Reply & { undocumented?: string }> {
    if (matched === undefined || matched === 'method-not-allowed') throw notFound();
    const { route, params } = matched;
    const base: BaseContext = {
      state: parts.state,
      base: parts.baseUrl(),
      params,
      query: url.searchParams,
      headers: request.headers,
      body: await readBody(request),
      caller,
      pullClosed: parts.pullClosed,
    };
    const rule = parts.faults.take(method, route.template, url.pathname);
    const fault = (chosen: FaultRule): Reply => {
      record.faulted = true;
      if (chosen.fault.type === 'disconnect') throw new Disconnect();
      const answer = faultAnswer(chosen.fault);
      return { status: answer.status, body: answer.body, headers: answer.headers };
    };
    if (rule && !rule.after) return fault(rule);
    let reply: Reply;
    if (isAppRoute(route)) {
      reply = await route.handler(base);
    } else {
      const repo = parts.state.repo(params.owner ?? '', params.repo ?? '');
      const token = authorizeRepo(caller, repo, route.auth.permission, route.auth.access);
      if (!repo) throw notFound();
      const context = {
        ...base,
        repo,
        token,
        actor: token?.actor ?? parts.state.account('ghost'),
      };
      const handler = route.handler;
      reply = method === 'GET' ? await handler(context) : await locked(repo.record.gitDir, () => handler(context));
    }
    if (rule?.after) return fault(rule);
    return route.undocumented ? { ...reply, undocumented: route.undocumented } : reply;
  }

  async function serveRest(request: IncomingMessage, response: ServerResponse, url: URL) {
    const method = request.method ?? 'GET';
    const record: RequestRecord = { method, path: url.pathname, route: undefined, status: 0, faulted: false };
    const arrived = performance.now();
    parts.requests.push(record);
    const caller = callerOf(parts.state, request.headers.authorization);
    const bucket = bucketOf(caller, request);
    const matched = matchRoute(parts.routes, method, url.pathname);
    if (typeof matched === 'object') record.route = matched.route.template;
    let reply: Reply & { undocumented?: string };
    try {
      if (caller.kind === 'invalid') throw badCredentials();
      if (bucket.used >= bucket.limit) {
        throw new HttpError(
          403,
          errorBody(
            403,
            'API rate limit exceeded.',
            'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits',
          ),
        );
      }
      reply = await answerRest(request, method, url, record, caller, matched);
    } catch (error) {
      if (error instanceof Disconnect) {
        record.status = 0;
        request.socket.destroy();
        return;
      }
      if (!(error instanceof HttpError)) {
        // A bug in the fake: say so loudly in the answer (tests show it), never hang.
        reply = { status: 500, body: errorBody(500, `fake GitHub bug: ${(error as Error).message}`) };
      } else {
        reply = { status: error.status, body: error.body, headers: error.headers };
      }
    }
    if (caller.kind !== 'invalid') bucket.used += 1;
    const headers: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `FAKE:${parts.requests.length}`,
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(Math.max(bucket.limit - bucket.used, 0)),
      'x-ratelimit-reset': String(bucket.reset),
      'x-ratelimit-used': String(bucket.used),
      'x-ratelimit-resource': 'core',
      ...(reply.raw ? {} : reply.status === 204 ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      ...reply.headers,
    };
    record.status = reply.status;
    record.durationMs = performance.now() - arrived;
    if (parts.recordResponses)
      parts.responses.push({
        method,
        path: url.pathname,
        route: record.route ?? url.pathname,
        status: reply.status,
        headers,
        body: reply.body,
        ...(reply.undocumented ? { undocumented: reply.undocumented } : {}),
      });
    response.writeHead(reply.status, headers);
    if (reply.raw) response.end(reply.raw);
    else if (reply.status === 204 || reply.body === undefined) response.end();
    else response.end(JSON.stringify(reply.body));
  }

  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const git = gitPath.exec(url.pathname);
    const work = git ? serveGit(request, response, git) : serveRest(request, response, url);
    work.catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`fake GitHub bug: ${(error as Error).message}\n`);
      } else {
        response.destroy();
      }
    });
  };
}

class Disconnect extends Error {}
