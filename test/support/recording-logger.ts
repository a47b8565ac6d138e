/** A Logger that keeps what it was given, so tests can assert what is logged (and what never is). */
import type { LogFields, Logger } from '../../src/logger.js';

export interface LogEntry {
  level: string;
  fields: LogFields;
  message: string;
}

export function recordingLogger(entries: LogEntry[], bound: LogFields = {}): Logger {
  const at =
    (level: string) =>
    (fields: LogFields, message: string): void => {
      entries.push({ level, fields: { ...bound, ...fields }, message });
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => recordingLogger(entries, { ...bound, ...fields }),
  };
}
