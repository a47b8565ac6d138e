/**
 * Writes an env file that docker compose's parser (compose-go `dotenv`) reads back to exactly
 * the values given. Every value is quoted:
 * - single quotes when the value has no `'`, `\`, CR or LF: compose-go takes single-quoted
 *   text literally (no `$` interpolation, `#` is not a comment);
 * - double quotes otherwise, escaping `\` as `\\`, `"` as `\"`, `$` as `\$` (no interpolation),
 *   LF as `\n` and CR as `\r`, which compose-go unescapes.
 */
import type { EnvEntry } from '../deployment/model.js';

const NEEDS_DOUBLE = /['\\\r\n]/;

export function quoteEnvValue(value: string): string {
  if (!NEEDS_DOUBLE.test(value)) return `'${value}'`;
  const escaped = value.replace(/[\\"$\r\n]/g, (char) => {
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    return `\\${char}`;
  });
  return `"${escaped}"`;
}

export function writeEnvFile(entries: EnvEntry[]): string {
  return entries.map((entry) => `${entry.name}=${quoteEnvValue(entry.value)}\n`).join('');
}
