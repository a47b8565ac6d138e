/**
 * The Logger contract on Workers: one JSON object per line through `console` (Workers Logs and
 * `wrangler tail` read it), pino's field layout. Secret field names are redacted as on Node (a
 * safety net only: the code does not log secrets).
 */
import type { LogFields, Logger } from '../../logger.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const SECRET_KEYS = new Set([
  'password',
  'token',
  'secret',
  'secretkey',
  'admintoken',
  'authorization',
  'clientkey',
  'webhooksecret',
]);

function redacted(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 4) return value;
  if (Array.isArray(value)) return value.map((item) => redacted(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : redacted(inner, depth + 1);
  }
  return copy;
}

export function consoleLogger(
  level: string,
  bound: LogFields = {},
  write: (line: string) => void = console.log,
): Logger {
  const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : LEVELS.indexOf(level as (typeof LEVELS)[number]);
  const log = (name: (typeof LEVELS)[number]) => (fields: LogFields, msg: string) => {
    if (LEVELS.indexOf(name) < threshold) return;
    const entry = { level: name, time: new Date().toISOString(), service: 'margo-bridge', ...bound, ...fields, msg };
    write(JSON.stringify(redacted(entry)));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => consoleLogger(level, { ...bound, ...fields }, write),
  };
}
