/**
 * Faults a test asks for: a status or a rate-limit answer instead of (or after) the real one, on
 * the nth matching call of a route, for `count` calls.
 *
 *   gh.injectFault({ method: 'POST', route: '/repos/{owner}/{repo}/pulls', nth: 1, count: 1,
 *                    fault: { type: 'status', status: 502 }, after: true });
 */
import { docs } from './router.js';
import { errorBody } from './shapes.js';

export type Fault =
  /** A server error (GitHub's JSON error body). */
  | { type: 'status'; status: 500 | 502 | 503 | 504 }
  /** 429 with `retry-after` (seconds). */
  | { type: 'too-many-requests'; retryAfter: number }
  /** 403 "You have exceeded a secondary rate limit" with `retry-after` (seconds). */
  | { type: 'secondary-limit'; retryAfter: number }
  /** 403 with `x-ratelimit-remaining: 0` and a reset `resetAfter` seconds from now. */
  | { type: 'primary-limit'; resetAfter: number }
  /** The connection is dropped without an answer. */
  | { type: 'disconnect' };

export interface FaultRule {
  /** HTTP method; any when absent. */
  method?: string;
  /** A route template (`/repos/{owner}/{repo}/pulls`, `/{owner}/{repo}.git/git-receive-pack`) or a path pattern. */
  route: string | RegExp;
  /** The first matching call that fails (1-based); default 1. */
  nth?: number;
  /** How many consecutive matching calls fail from the nth on; default 1. */
  count?: number;
  fault: Fault;
  /** Run the real handler first (its side effects happen), then answer with the fault. */
  after?: boolean;
}

interface ActiveRule extends FaultRule {
  seen: number;
  fired: number;
}

export interface FaultAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export class FaultInjector {
  private readonly rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, fired: 0 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** Faults still to fire (a test can check that all of them happened). */
  pending(): number {
    return this.rules.reduce((sum, rule) => sum + Math.max((rule.count ?? 1) - rule.fired, 0), 0);
  }

  /** The rule that fires for this call, if any (every matching rule counts the call). */
  take(method: string, template: string | undefined, path: string): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      const matches = typeof rule.route === 'string' ? rule.route === template : rule.route.test(path);
      if (!matches) continue;
      rule.seen += 1;
      const nth = rule.nth ?? 1;
      if (!chosen && rule.seen >= nth && rule.seen < nth + (rule.count ?? 1)) {
        rule.fired += 1;
        chosen = rule;
      }
    }
    return chosen;
  }
}

export function faultAnswer(fault: Exclude<Fault, { type: 'disconnect' }>, nowMs = Date.now()): FaultAnswer {
  switch (fault.type) {
    case 'status':
      return {
        status: fault.status,
        body: errorBody(fault.status, fault.status === 500 ? 'Server Error' : 'Service Unavailable', docs.repos),
        headers: {},
      };
    case 'too-many-requests':
      return {
        status: 429,
        body: errorBody(429, 'API rate limit exceeded. Please retry your request again later.', docs.rateLimits),
        headers: { 'retry-after': String(fault.retryAfter) },
      };
    case 'secondary-limit':
      return {
        status: 403,
        body: errorBody(
          403,
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
          `${docs.rateLimits}#about-secondary-rate-limits`,
        ),
        headers: { 'retry-after': String(fault.retryAfter) },
      };
    case 'primary-limit':
      return {
        status: 403,
        body: errorBody(
          403,
          'API rate limit exceeded for installation.',
          `${docs.rateLimits}#about-primary-rate-limits`,
        ),
        headers: {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(nowMs / 1000 + fault.resetAfter)),
        },
      };
  }
}
