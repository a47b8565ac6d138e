/**
 * What the worker does with a failed job: the error's BridgeError code says whether trying
 * again can help (`retry`, with exponential backoff) or not (`dead` at once). Errors that are
 * not BridgeErrors (a driver error, a bug, a network exception) are retried: they are more
 * often transient than not, and attempts are bounded by the job's maxAttempts.
 */
import { type ErrorCode, isBridgeError } from '../errors.js';
import { withoutUrlCredentials } from '../urls.js';

export type FailureAction = 'retry' | 'dead';

/** Every code listed, so a new code fails to compile until someone decides. */
export const FAILURE_ACTIONS: Record<ErrorCode, FailureAction> = {
  // The remote side or our own infrastructure may recover.
  REGISTRY_UNREACHABLE: 'retry',
  REGISTRY_DNS: 'retry',
  REGISTRY_TIMEOUT: 'retry',
  REGISTRY_PROTOCOL: 'retry',
  DEPLOY_UNREACHABLE: 'retry',
  CONFLICT: 'retry',
  INTERNAL: 'retry',
  BUSY: 'retry',
  // Wrong input, content or configuration: the same job would fail the same way. The poll
  // schedule (not the job queue) retries a registry whose credentials or TLS are fixed later.
  BAD_REQUEST: 'dead',
  UNAUTHORIZED: 'dead',
  FORBIDDEN: 'dead',
  NOT_FOUND: 'dead',
  UNSUPPORTED_MEDIA_TYPE: 'dead',
  PAYLOAD_TOO_LARGE: 'dead',
  INVALID_DESCRIPTION: 'dead',
  INVALID_VALUES: 'dead',
  IMMUTABLE_SETTING: 'dead',
  INVALID_TARGET: 'dead',
  PROFILE_NOT_FOUND: 'dead',
  REGISTRY_TLS: 'dead',
  REGISTRY_AUTH: 'dead',
  REGISTRY_NOT_FOUND: 'dead',
  DEPLOY_AUTH: 'dead',
  DEPLOY_PERMISSION: 'dead',
  DEPLOY_NOT_FOUND: 'dead',
  TAG_NOT_FOUND: 'dead',
  NO_DESCRIPTION: 'dead',
  LIMIT_EXCEEDED: 'dead',
  UNSAFE_PATH: 'dead',
  ADDRESS_REFUSED: 'dead',
  CONFIG_INVALID: 'dead',
};

export function failureAction(error: unknown): FailureAction {
  return isBridgeError(error) ? FAILURE_ACTIONS[error.code] : 'retry';
}

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before the next attempt after `attempts` attempts (1-based): baseMs·2^(attempts-1),
 * capped at maxMs, then "equal jitter": half fixed, half random, so retries of many jobs
 * that failed together spread out but never come sooner than half the nominal delay.
 */
export function backoffDelay(attempts: number, backoff: Backoff, random: () => number = Math.random): number {
  const nominal = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/** The text stored as a job's lastError: code and message, with any URL credentials removed. */
export function describeError(error: unknown): string {
  const text = isBridgeError(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  return withoutUrlCredentials(text);
}
