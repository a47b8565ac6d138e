/**
 * The one error shape of the HTTP API, `{ error: { code, message, details? } }` (the status of
 * each code: `statusOf` in errors.ts). Every failure (validation, auth, not found, crashes) goes through here.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BridgeError, type ErrorCode, statusOf } from '../errors.js';
import type { AppEnv } from './env.js';

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
