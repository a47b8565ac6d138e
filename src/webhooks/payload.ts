/**
 * Reading verified payloads: JSON decoding and small typed accessors, so that parsers state
 * which fields they read and a payload of the wrong shape gives a clear error, never a crash.
 */
import { BridgeError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseJsonObject(body: Uint8Array): JsonObject {
  let source: string;
  try {
    source = decoder.decode(body);
  } catch {
    throw new BridgeError('BAD_REQUEST', `Webhook body is not valid JSON (${body.length} bytes, not UTF-8)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    // V8's message quotes part of the body: only the position (when given) is kept, never content.
    const position = /\bposition (\d+)\b/.exec((error as Error).message)?.[1];
    const at = position === undefined ? '' : `, error at position ${position}`;
    throw new BridgeError('BAD_REQUEST', `Webhook body is not valid JSON (${body.length} bytes${at})`);
  }
  if (!isObject(value)) throw new BridgeError('BAD_REQUEST', 'Webhook body is not a JSON object');
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path when it is a non-empty string (numbers are turned into text), else null. */
export function text(payload: JsonObject, path: string): string | null {
  let current: unknown = payload;
  for (const key of path.split('.')) {
    if (!isObject(current)) return null;
    current = current[key];
  }
  if (typeof current === 'number' && Number.isFinite(current)) return String(current);
  return typeof current === 'string' && current !== '' ? current : null;
}

export function flag(payload: JsonObject, path: string): boolean {
  let current: unknown = payload;
  for (const key of path.split('.')) {
    if (!isObject(current)) return false;
    current = current[key];
  }
  return current === true;
}

/** The distinct non-null URLs among the paths, in order. */
export function urls(payload: JsonObject, paths: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    const value = text(payload, path);
    if (value !== null && !found.includes(value)) found.push(value);
  }
  return found;
}

/** `refs/tags/v1` → { type: 'tag', name: 'v1' }; `refs/heads/main` → branch; anything else → null. */
export function splitRef(ref: string | null): { type: 'tag' | 'branch'; name: string } | null {
  if (ref === null) return null;
  if (ref.startsWith('refs/tags/')) return { type: 'tag', name: ref.slice('refs/tags/'.length) };
  if (ref.startsWith('refs/heads/')) return { type: 'branch', name: ref.slice('refs/heads/'.length) };
  return null;
}
