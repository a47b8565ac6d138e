/**
 * The one map from what went wrong to an exit code and a one-line message, for every command:
 * 0 done, 1 invalid input or a failure while running, 2 a usage error (options, paths, settings).
 */
import { isBridgeError } from '../errors.js';
import { UsageError } from './args.js';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** Bridge error codes that mean "the command line or its settings are wrong", not the input. */
const usageCodes = new Set(['PROFILE_NOT_FOUND', 'INVALID_TARGET', 'UNSAFE_PATH', 'CONFIG_INVALID']);

/** File-system errors on a path the user gave, in words. */
const fileReasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory, not a file',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

function systemError(error: unknown): SystemError | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return undefined;
  return error as Error & SystemError;
}

function listenMessage(error: SystemError): string {
  const where = `${error.address ?? 'the address'}:${error.port ?? '?'}`;
  if (error.code === 'EADDRINUSE')
    return `cannot listen on ${where}: the port is in use by another process (set PORT to another port)`;
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; set PORT to 1024 or above)`;
  }
  if (error.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: this machine has no such address (check HOST)`;
  return `cannot listen on ${where}: ${error.code}`;
}

export interface Failure {
  exitCode: number;
  /** One line without the command prefix. */
  message: string;
}

/** Undefined for programming errors (a bug): those keep their stack trace. */
export function describeFailure(error: unknown): Failure | undefined {
  if (error instanceof UsageError) return { exitCode: EXIT_USAGE, message: error.message };
  if (isBridgeError(error)) {
    return {
      exitCode: usageCodes.has(error.code) ? EXIT_USAGE : EXIT_INVALID,
      message: `${error.code}: ${error.message}`,
    };
  }
  const system = systemError(error);
  if (system?.syscall === 'listen') return { exitCode: EXIT_INVALID, message: listenMessage(system) };
  const reason = system && fileReasons[system.code];
  if (system && reason) {
    const exitCode = system.code === 'ENOSPC' ? EXIT_INVALID : EXIT_USAGE;
    return { exitCode, message: `${system.path ?? 'a file'}: ${reason} (${system.code})` };
  }
  return undefined;
}
