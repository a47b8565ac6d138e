/**
 * Reading the raw document without trusting its shape: the rules run on documents that may have
 * failed the schema, so a missing or mistyped node reads as empty instead of throwing.
 */
import { isRecord } from '../detect.js';

export function entries(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function rec(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
