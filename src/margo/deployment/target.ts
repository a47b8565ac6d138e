/**
 * Targets and namespaces become directory names and Kubernetes fields, so they are checked
 * before anything is written: a target is a relative path of safe segments (the charset of a
 * Margo `deviceId`), never absolute, never with empty segments, no segment starting with `.`.
 */
import { BridgeError } from '../../errors.js';

const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const MAX_TARGET_LENGTH = 253;
/** Kubernetes namespace: an RFC 1123 label. */
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Why `path` is not a safe relative path, or null when it is. */
export function unsafePathReason(path: string): string | null {
  if (path === '') return 'is empty';
  if (path.length > MAX_TARGET_LENGTH) return `is longer than ${MAX_TARGET_LENGTH} characters`;
  if (path.startsWith('/')) return 'is absolute (starts with /)';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment (// or a trailing /)';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
    // Hidden names are refused too: a target must never reach `.git/` or `.github/` of the repository.
    if (segment.startsWith('.')) return `has segment '${segment}' starting with '.'`;
    if (!SEGMENT.test(segment)) return `has segment '${segment}' with characters outside A-Z a-z 0-9 . _ ~ -`;
  }
  return null;
}

export function checkTarget(target: string): void {
  const reason = unsafePathReason(target);
  if (reason) throw new BridgeError('INVALID_TARGET', `target '${target}' ${reason}`, { field: 'target', reason });
}

export function checkNamespace(namespace: string): void {
  if (!NAMESPACE.test(namespace)) {
    throw new BridgeError(
      'INVALID_TARGET',
      `namespace '${namespace}' must be a Kubernetes namespace: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit`,
      { field: 'namespace' },
    );
  }
}
