/**
 * The Node implementation of the Logger contract: pino, one JSON object per line. Known secret
 * field names are redacted as a safety net; the code does not log secrets in the first place.
 */
import pino, { type DestinationStream } from 'pino';
import type { Logger } from '../../logger.js';

const redactPaths = [
  'password',
  'token',
  'secret',
  'secretKey',
  'adminToken',
  'authorization',
  'clientKey',
  'webhookSecret',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.clientKey',
  '*.webhookSecret',
  'auth.password',
  'auth.token',
];

export function createPinoLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'margo-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
