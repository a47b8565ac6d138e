/** The job queue as operators see it: dead letters and what is waiting. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import { authErrors, bearerAuth, cursorParam, isoTime, limitParam, nextPage, pagedContent } from '../schemas.js';

const jobSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    state: z.enum(['pending', 'running', 'done', 'dead']),
    attempts: z.number(),
    maxAttempts: z.number(),
    payload: z.record(z.string(), z.unknown()),
    lastError: z.string().nullable(),
    runAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Job');

const list = createRoute({
  method: 'get',
  path: '/api/v1/jobs',
  tags: ['operations'],
  security: bearerAuth,
  summary: 'Jobs, newest first (state=dead lists the dead letters)',
  middleware: [requireRole('operator')] as const,
  request: {
    query: z.object({
      state: z.enum(['pending', 'running', 'done', 'dead']).optional(),
      kind: z.enum(['poll', 'ingest', 'delivery']).optional(),
      limit: limitParam,
      cursor: cursorParam,
    }),
  },
  responses: { 200: pagedContent('jobs', jobSchema, 'Jobs'), ...authErrors },
});

export function registerJobs(app: App): void {
  app.openapi(list, async (c) => {
    const { cursor, limit = 100, ...filter } = c.req.valid('query');
    const jobs = await c.get('services').store.jobs.list({ ...filter, limit, ...(cursor ? { beforeId: cursor } : {}) });
    return c.json(
      {
        next: nextPage(c.req.url, jobs.length, limit, jobs.at(-1)?.id),
        jobs: jobs.map((job) => ({
          id: job.id,
          kind: job.kind,
          state: job.state,
          attempts: job.attempts,
          maxAttempts: job.maxAttempts,
          payload: job.payload,
          lastError: job.lastError,
          runAt: isoTime(job.runAt),
          createdAt: isoTime(job.createdAt),
          updatedAt: isoTime(job.updatedAt),
        })),
      },
      200,
    );
  });
}
