/**
 * Paths inside a package. Descriptions name resources relative to the package root; a path that
 * leaves the package directory (`..`, an absolute path, a backslash or drive letter) is refused.
 */
import { BridgeError } from '../errors.js';

/** The sub-path as a clean repository path without leading or trailing slashes ('' = root). */
export function normaliseSubPath(subPath: string | undefined): string {
  if (!subPath) return '';
  // The sub-path is relative to the repository root whether or not it is written with a leading slash.
  const segments = checkedSegments(subPath.replace(/^\/+/, ''), 'subPath');
  return segments.join('/');
}

/**
 * The repository path of a resource named in the description, or UNSAFE_PATH when it would leave
 * the package directory. `./a/b`, `a//b` are accepted; `a/../b` is refused even when it stays inside.
 */
export function resourcePath(packageDir: string, reference: string): string {
  const segments = checkedSegments(reference, 'resource');
  if (segments.length === 0) throw new BridgeError('UNSAFE_PATH', `resource path "${reference}" names no file`);
  return [packageDir, ...segments].filter(Boolean).join('/');
}

function checkedSegments(path: string, what: string): string[] {
  if (path.startsWith('/') || path.includes('\\') || /^[a-zA-Z]:/.test(path) || path.includes('\0')) {
    throw new BridgeError('UNSAFE_PATH', `${what} path "${path}" must be relative to the package directory`);
  }
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) {
    throw new BridgeError('UNSAFE_PATH', `${what} path "${path}" must not contain ".." (it could leave the package)`);
  }
  return segments;
}
