/**
 * The one error type of margo-bridge. `code` is a closed union so that the HTTP layer,
 * the CLI and the job runner can map it once (status, exit code, retry or dead letter).
 * Messages, details and the cause never carry secrets.
 */
import { withoutUrlCredentials } from './urls.js';

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_DESCRIPTION'
  | 'INVALID_VALUES'
  | 'IMMUTABLE_SETTING'
  | 'INVALID_TARGET'
  | 'PROFILE_NOT_FOUND'
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_DNS'
  | 'REGISTRY_TIMEOUT'
  | 'REGISTRY_TLS'
  | 'REGISTRY_AUTH'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_PROTOCOL'
  | 'DEPLOY_AUTH'
  | 'DEPLOY_PERMISSION'
  | 'DEPLOY_NOT_FOUND'
  | 'DEPLOY_UNREACHABLE'
  | 'TAG_NOT_FOUND'
  | 'NO_DESCRIPTION'
  | 'LIMIT_EXCEEDED'
  | 'UNSAFE_PATH'
  | 'ADDRESS_REFUSED'
  | 'CONFIG_INVALID'
  | 'BUSY'
  | 'INTERNAL';

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 502 | 503;

/** The HTTP status of each code, for the API (http/) and the web pages (ui/). */
export const statusOf: Record<ErrorCode, HttpErrorStatus> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_DESCRIPTION: 422,
  INVALID_VALUES: 422,
  IMMUTABLE_SETTING: 422,
  INVALID_TARGET: 422,
  PROFILE_NOT_FOUND: 422,
  // Registry failures reach the API only from a connection test the caller asked for: their input.
  REGISTRY_UNREACHABLE: 422,
  REGISTRY_DNS: 422,
  REGISTRY_TIMEOUT: 422,
  REGISTRY_TLS: 422,
  REGISTRY_AUTH: 422,
  REGISTRY_NOT_FOUND: 422,
  REGISTRY_PROTOCOL: 422,
  // Deployment repository failures: from a connection test or a proposal the caller asked for.
  DEPLOY_AUTH: 422,
  DEPLOY_PERMISSION: 422,
  DEPLOY_NOT_FOUND: 422,
  DEPLOY_UNREACHABLE: 502,
  TAG_NOT_FOUND: 404,
  NO_DESCRIPTION: 422,
  LIMIT_EXCEEDED: 422,
  UNSAFE_PATH: 422,
  ADDRESS_REFUSED: 422,
  CONFIG_INVALID: 500,
  // Temporarily refused for load (the unverified webhook body budget); answered with Retry-After.
  BUSY: 503,
  INTERNAL: 500,
};

/** Every code, in the order above (the OpenAPI error schema's enum). */
export const errorCodes = Object.keys(statusOf) as [ErrorCode, ...ErrorCode[]];

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  /** `options.cause` is kept redacted (`redactedCause`): a cause is logged, and URLs in it may hold credentials. */
  constructor(code: ErrorCode, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
    if (options?.cause !== undefined) this.cause = redactedCause(options.cause);
  }
}

/** Causes of causes kept at most; deeper ones (or a cycle) are cut. */
const MAX_CAUSE_DEPTH = 4;

/**
 * `cause` with the `user:password@` of every URL removed from its text: an Error becomes a copy with
 * the same name, `code` and redacted message, stack and cause; anything else becomes redacted text.
 */
export function redactedCause(cause: unknown, depth = 0): unknown {
  if (!(cause instanceof Error)) return withoutUrlCredentials(String(cause));
  const copy = new Error(withoutUrlCredentials(cause.message));
  copy.name = cause.name;
  copy.stack = cause.stack === undefined ? undefined : withoutUrlCredentials(cause.stack);
  const { code } = cause as { code?: unknown };
  if (typeof code === 'string') Object.assign(copy, { code });
  if (cause.cause !== undefined && depth < MAX_CAUSE_DEPTH) copy.cause = redactedCause(cause.cause, depth + 1);
  return copy;
}

export function isBridgeError(error: unknown, code?: ErrorCode): error is BridgeError {
  return error instanceof BridgeError && (code === undefined || error.code === code);
}
