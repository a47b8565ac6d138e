/**
 * The HTTP app: a web-standard fetch handler (no Node APIs), so it runs on Node and on Workers.
 * Middleware order: request id → metrics and access log → body limit and auth on /api/ → routes.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { BridgeError } from '../errors.js';
import type { Services } from '../services.js';
import { createUi } from '../ui/index.js';
import { authenticate } from './auth.js';
import type { App, AppEnv } from './env.js';
import { errorBody, errorResponse } from './errors.js';
import { type DocsAssets, registerDocs } from './routes/docs.js';
import { registerRoutes } from './routes/index.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface AppOptions {
  /** The browsable API page's files (Swagger UI); the runtime supplies them (runtime/node/docs-assets.ts on Node). */
  docsAssets?: DocsAssets;
}

export function createApp(services: Services, options: AppOptions = {}): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issues = result.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        }));
        return c.json(
          errorBody(
            'BAD_REQUEST',
            `invalid request: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`,
            {
              issues,
            },
          ),
          400,
        );
      }
    },
  });

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('services', services);
    const started = services.clock.now();
    await next();
    const route = routeLabel(c as unknown as Context);
    const seconds = (services.clock.now() - started) / 1000;
    services.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    services.metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    // Probes and scrapes arrive every few seconds: keep them out of the info log.
    const level = route === '/healthz' || route === '/readyz' || route === '/metrics' ? 'debug' : 'info';
    services.logger[level](
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new BridgeError('PAYLOAD_TOO_LARGE', `request body larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  app.use('/api/*', authenticate);

  app.onError((error, c) => {
    // The client's mistakes (malformed JSON, a wrong content type: Hono's 4xx exceptions) are not ours.
    if (error instanceof HTTPException && error.status < 500) {
      services.logger.debug({ requestId: c.get('requestId'), err: errorText(error) }, 'request refused');
    } else if (!(error instanceof BridgeError)) {
      services.logger.error({ requestId: c.get('requestId'), err: errorText(error) }, 'request failed');
    }
    return errorResponse(c, error);
  });
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));

  registerRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token; roles viewer < operator < admin.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'margo-bridge',
      version: '0.1.0',
      description: 'Git application registries → validated Margo catalogue.',
    },
    security: [{ bearer: [] }],
  });
  registerDocs(app, options.docsAssets);

  // The web pages (ui/): their own error pages and middleware, which step aside for every API path.
  app.route('/', createUi());
  return app;
}

/** The matched route pattern (bounded cardinality), or `unmatched`. */
function routeLabel(c: Context): string {
  const routes = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return routes[routes.length - 1]?.path ?? 'unmatched';
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
