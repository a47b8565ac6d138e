/**
 * The one error type of margo-bridge. `code` is a closed union so that the HTTP layer,
 * the CLI and the job runner can map it once (status, exit code, retry or dead letter).
 * Messages and details never carry secrets.
 */
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
  | 'TAG_NOT_FOUND'
  | 'NO_DESCRIPTION'
  | 'LIMIT_EXCEEDED'
  | 'UNSAFE_PATH'
  | 'ADDRESS_REFUSED'
  | 'CONFIG_INVALID'
  | 'INTERNAL';

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.details = details;
  }
}

export function isBridgeError(error: unknown, code?: ErrorCode): error is BridgeError {
  return error instanceof BridgeError && (code === undefined || error.code === code);
}
