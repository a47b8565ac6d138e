import { BridgeError } from '../errors.js';

/** A SOPS problem: bad recipients, a file SOPS cannot describe, a value that does not authenticate. */
export function sopsError(message: string, details?: Record<string, unknown>): BridgeError {
  return new BridgeError('BAD_REQUEST', message, details);
}
