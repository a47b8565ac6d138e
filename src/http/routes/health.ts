/** Operations endpoints without authentication: liveness, readiness, Prometheus metrics. */
import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../env.js';
import { jsonContent } from '../schemas.js';

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'The process is alive',
  security: [],
  responses: { 200: jsonContent(z.object({ status: z.literal('ok') }), 'Alive') },
});

const readySchema = z.object({ status: z.enum(['ready', 'not ready']), database: z.boolean() });
const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'The database is reachable and migrated',
  security: [],
  responses: { 200: jsonContent(readySchema, 'Ready'), 503: jsonContent(readySchema, 'Not ready') },
});

const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['operations'],
  summary: 'Prometheus metrics',
  security: [],
  responses: {
    200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
  },
});

export function registerHealth(app: App): void {
  app.openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyz, async (c) => {
    const ready = await c
      .get('services')
      .store.ready()
      .catch(() => false);
    return ready
      ? c.json({ status: 'ready' as const, database: true }, 200)
      : c.json({ status: 'not ready' as const, database: false }, 503);
  });
  app.openapi(metrics, async (c) => {
    const services = c.get('services');
    const counts = await services.store.jobs.counts().catch(() => []);
    // Only live states are counted: a kind and state with no job left must not keep its last count.
    services.metrics.jobsByState.replace(
      counts.map(({ kind, state, count }) => ({ labels: { kind, state }, value: count })),
    );
    return c.text(services.metrics.all.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    });
  });
}
