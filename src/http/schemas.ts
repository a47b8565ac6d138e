/** Shared request/response schemas; the same schemas validate requests and feed /openapi.json. */
import { z } from '@hono/zod-openapi';
import { BridgeError, errorCodes } from '../errors.js';
import { unsafeTextReason } from '../text.js';

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

/** Text that may be stored and shown (no control or bidirectional characters, not blank): see text.ts. */
export function safeText(schema: z.ZodString): z.ZodString {
  return schema.superRefine((value, context) => {
    const reason = unsafeTextReason(value);
    if (reason !== null) context.addIssue({ code: 'custom', message: reason });
  });
}

/** A version whose tag was deleted or moved in the registry (flows/version-marks.ts); null when neither. */
export const versionMarkSchema = z
  .object({
    kind: z.enum(['withdrawn', 'moved']),
    since: z.string().openapi({ description: 'When a poll first saw it' }),
    commit: z.string().nullable().openapi({ description: 'The commit a moved tag names now; null when withdrawn' }),
    message: z.string(),
  })
  .nullable()
  .openapi('VersionMark', {
    description:
      'Set while the registry no longer serves the version as ingested: its tag was deleted (withdrawn) or points at another commit (moved). The version stays the ingested commit.',
  });

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

/** `?force=true` of the routes that test a connection before they store (registries, deployment repositories). */
export const forceQuery = z.object({
  force: z.enum(['true', 'false']).optional().openapi({ description: 'Store even if the connection test fails' }),
});

/** `?limit=` of the list routes that can grow without bound (jobs, deliveries). */
export const limitParam = z.coerce.number().int().min(1).max(1000).optional();

/** Cursor pagination (issue 10): a list answers `next`, the URL of the following page, until the last. */
export const cursorParam = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .openapi({ description: "Where the page starts: copied from the previous page's `next` link" });

/** A paged list: `{ <key>: [item, …], next }`. */
export function pagedContent<K extends string, T extends z.ZodType>(key: K, item: T, description: string) {
  return jsonContent(
    z.object({
      [key]: z.array(item),
      next: z
        .string()
        .nullable()
        .openapi({ description: 'URL of the next page (same filters); null on the last page' }),
    } as Record<K, z.ZodArray<T>> & { next: z.ZodNullable<z.ZodString> }),
    description,
  );
}

export const pageQuery = z.object({ limit: limitParam, cursor: cursorParam });

/**
 * One page of a list read whole (tables that stay small: registries, tokens, applications), in the
 * list's own order, after the item whose key is `cursor`; `next` as `nextPage` gives it.
 */
export function pageOf<T>(
  requestUrl: string,
  items: readonly T[],
  keyOf: (item: T) => string,
  query: { limit?: number | undefined; cursor?: string | undefined },
): { items: T[]; next: string | null } {
  const limit = query.limit ?? 100;
  let start = 0;
  if (query.cursor !== undefined) {
    start = items.findIndex((item) => keyOf(item) === query.cursor) + 1;
    if (start === 0) throw new BridgeError('BAD_REQUEST', 'cursor is not in this list (any more)', { field: 'cursor' });
  }
  const page = items.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + limit < items.length;
  return { items: page, next: more && last !== undefined ? nextPage(requestUrl, limit, limit, keyOf(last)) : null };
}

/** The cursor of a list ordered by (time, id), newest first: `<time>.<id>` of the page's last item. */
export function timeCursor(time: number, id: string): string {
  return `${time}.${id}`;
}

/** The key a `timeCursor` names; a cursor of another shape is a 400. */
export function readTimeCursor(cursor: string): { time: number; id: string } {
  const match = /^(\d{1,16})\.([0-9a-f-]{1,64})$/.exec(cursor);
  if (!match) throw new BridgeError('BAD_REQUEST', 'cursor is not one this list gave', { field: 'cursor' });
  return { time: Number(match[1]), id: match[2]! };
}

/** The `next` link of a page: the request's URL with `cursor` set, or null when the page was not full. */
export function nextPage(requestUrl: string, count: number, limit: number, cursor: string | undefined): string | null {
  if (count < limit || cursor === undefined) return null;
  const url = new URL(requestUrl);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('cursor', cursor);
  return `${url.pathname}${url.search}`;
}

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

/** ISO time of a stored epoch; null for none and for a value outside the date range (a bad row must not fail a list). */
export function isoTime(epochMs: number | null): string | null {
  if (epochMs === null) return null;
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
