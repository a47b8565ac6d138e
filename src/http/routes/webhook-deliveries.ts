/** The operator's view of webhook deliveries: what came in, from which forge, and what it caused. */
import { createRoute, z } from '@hono/zod-openapi';
import { forges } from '../../webhooks/delivery.js';
import { requireRole } from '../auth.js';
import type { App } from '../env.js';
import {
  authErrors,
  bearerAuth,
  cursorParam,
  isoTime,
  limitParam,
  nextPage,
  pagedContent,
  readTimeCursor,
  timeCursor,
} from '../schemas.js';

const deliverySchema = z
  .object({
    id: z.string(),
    forge: z.enum(forges),
    /** The forge's delivery id (X-GitHub-Delivery, X-Gitea-Delivery, Idempotency-Key). */
    deliveryId: z.string(),
    event: z.string(),
    action: z.string().nullable(),
    /** tag, release, branch-push, pull-request, ping or other. */
    kind: z.string().nullable(),
    ref: z.string().nullable(),
    repositoryUrl: z.string().nullable(),
    result: z.enum(['pending', 'handled', 'duplicate', 'ignored', 'rejected', 'failed']),
    /** The job the delivery caused: its delivery job while pending, then the poll it requested. */
    jobId: z.string().nullable(),
    error: z.string().nullable(),
    receivedAt: z.string().nullable(),
    handledAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

const list = createRoute({
  method: 'get',
  path: '/api/v1/webhook-deliveries',
  tags: ['webhooks'],
  security: bearerAuth,
  summary: 'Recent webhook deliveries, newest first',
  middleware: [requireRole('admin')] as const,
  request: { query: z.object({ limit: limitParam, cursor: cursorParam }) },
  responses: { 200: pagedContent('deliveries', deliverySchema, 'Deliveries'), ...authErrors },
});

export function registerWebhookDeliveries(app: App): void {
  app.openapi(list, async (c) => {
    const { limit = 100, cursor } = c.req.valid('query');
    const deliveries = await c.get('services').store.deliveries.list(limit, cursor ? readCursor(cursor) : undefined);
    const last = deliveries.at(-1);
    return c.json(
      {
        next: nextPage(c.req.url, deliveries.length, limit, last ? timeCursor(last.receivedAt, last.id) : undefined),
        deliveries: deliveries.map((delivery) => ({
          id: delivery.id,
          forge: delivery.forge,
          deliveryId: delivery.deliveryId,
          event: delivery.event,
          action: delivery.action,
          kind: stringOrNull(delivery.payload.kind),
          ref: stringOrNull(delivery.payload.ref),
          repositoryUrl: delivery.repositoryUrl,
          result: delivery.result,
          jobId: delivery.jobId,
          error: stringOrNull(delivery.payload.error),
          receivedAt: isoTime(delivery.receivedAt),
          handledAt: isoTime(delivery.handledAt),
        })),
      },
      200,
    );
  });
}

/** `<receivedAt>.<id>` of the previous page's last delivery. */
function readCursor(cursor: string): { receivedAt: number; id: string } {
  const { time, id } = readTimeCursor(cursor);
  return { receivedAt: time, id };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
