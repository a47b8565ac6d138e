/** Shared request/response schemas; the same schemas validate requests and feed /openapi.json. */
import { z } from '@hono/zod-openapi';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND' }),
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

export const idParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

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

export function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
