/** Shared request/response schemas; the same schemas validate requests and feed /openapi.json. */
import { z } from '@hono/zod-openapi';
import { errorCodes } from '../errors.js';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes).openapi({ example: 'NOT_FOUND' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const errorContent = { 'application/json': { schema: errorSchema } };

/** Error responses every authenticated route may give. */
export const authErrors = {
  400: { description: 'Invalid request', content: errorContent },
  401: { description: 'Missing or unknown token', content: errorContent },
  403: { description: 'The token lacks the role', content: errorContent },
} as const;

export const notFound = { 404: { description: 'Not found', content: errorContent } } as const;
export const unprocessable = {
  422: { description: 'The registry could not be used (connection test failed)', content: errorContent },
} as const;
export const conflict = { 409: { description: 'Conflict', content: errorContent } } as const;

/** Routes behind a bearer token (see auth.ts for the roles). */
export const bearerAuth = [{ bearer: [] }];

/** A non-empty path parameter, named in the OpenAPI document. */
export function pathParam(name: string) {
  return z
    .string()
    .min(1)
    .openapi({ param: { name, in: 'path' } });
}

export const idParam = z.object({ id: pathParam('id') });

/** `?limit=` of the list routes that can grow without bound (jobs, deliveries). */
export const limitParam = z.coerce.number().int().min(1).max(1000).optional();

export const issueSchema = z
  .object({
    severity: z.enum(['error', 'warning']),
    code: z.string(),
    message: z.string(),
    path: z.string(),
    pointer: z.string().optional(),
    line: z.number(),
    column: z.number(),
  })
  .openapi('Issue');

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** The answer of every list route: `{ <key>: [item, …] }`, so clients page through one shape. */
export function listContent<K extends string, T extends z.ZodType>(key: K, item: T, description: string) {
  return jsonContent(z.object({ [key]: z.array(item) } as Record<K, z.ZodArray<T>>), description);
}

export function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
