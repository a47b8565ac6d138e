/** The JSON Schema of margo.yaml for editors (`# yaml-language-server: $schema=...`), generated from raw-schema.ts. */
import { z } from 'zod';
import { rawDescriptionSchema } from './raw-schema.js';

let cached: Record<string, unknown> | undefined;

export function descriptionJsonSchema(): Record<string, unknown> {
  cached ??= z.toJSONSchema(rawDescriptionSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  // A copy, so callers may change it without changing the next caller's answer.
  return structuredClone(cached);
}
