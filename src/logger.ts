/**
 * The logging contract of shared code: structured fields first, then a message (pino's order).
 * The Node runtime implements it with pino (runtime/node/pino-logger.ts); shared code stays Node-free.
 * Never pass secrets in fields: the pino implementation redacts known secret keys as a safety net only.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  child(fields: LogFields): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
