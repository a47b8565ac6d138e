/**
 * The one error shape of the HTTP API, `{ error: { code, message, details? } }`, and the one map
 * from error code to status. Every failure (validation, auth, not found, crashes) goes through here.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { BridgeError, type ErrorCode } from '../errors.js';
import type { AppEnv } from './env.js';

export const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
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
  TAG_NOT_FOUND: 404,
  NO_DESCRIPTION: 422,
  LIMIT_EXCEEDED: 422,
  UNSAFE_PATH: 422,
  ADDRESS_REFUSED: 422,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns any thrown value into the error response; unknown errors become INTERNAL without their text. */
export function errorResponse(c: Context<AppEnv>, error: unknown): Response {
  if (error instanceof BridgeError) {
    const status = statusOf[error.code];
    if (error.code === 'UNAUTHORIZED') c.header('WWW-Authenticate', 'Bearer');
    return c.json(errorBody(error.code, error.message, error.details), status);
  }
  if (error instanceof HTTPException) {
    const code = codeForStatus(error.status);
    return c.json(errorBody(code, error.message || code.toLowerCase().replace(/_/g, ' ')), statusOf[code]);
  }
  const requestId = c.get('requestId') as string | undefined;
  return c.json(
    errorBody('INTERNAL', `internal error; quote request id ${requestId ?? 'unknown'} when reporting it`),
    500,
  );
}

/** Hono's own exceptions (malformed JSON, body limit) carry only a status. */
const codeByStatus: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function codeForStatus(status: number): ErrorCode {
  return codeByStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
}
