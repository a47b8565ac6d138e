/**
 * The End User's web pages, served by the same app at `/` (the API stays under `/api/v1`):
 * server-rendered `hono/jsx`, forms that post to the server, one small optional script. Every
 * page runs the same flows as the API (flows/, margo/); nothing here is a second rule.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BridgeError, statusOf } from '../errors.js';
import { assets } from './assets/index.js';
import type { UiEnv } from './env.js';
import { guard } from './guard.js';
import { errorPage } from './pages/error.js';
import { registerAuth } from './routes/auth.js';
import { registerCatalogue } from './routes/catalogue.js';
import { registerConfigure } from './routes/configure.js';
import { registerDeployments } from './routes/deployments.js';
import { registerRegistries } from './routes/registries.js';
import { registerRepositories } from './routes/repositories.js';
import { securityHeaders } from './security.js';
import { loadSession } from './session.js';

const MAX_FORM_BYTES = 512 * 1024;

/** First path segments that belong to the web pages; every other path is left to the API. */
const PAGE_ROOTS = new Set([
  '',
  'sign-in',
  'sign-out',
  'catalogue',
  'configure',
  'deployments',
  'registries',
  'repositories',
]);

function isPagePath(path: string): boolean {
  return PAGE_ROOTS.has(path.split('/')[1] ?? '');
}

function forPages(middleware: MiddlewareHandler<UiEnv>): MiddlewareHandler<UiEnv> {
  return (c, next) => (isPagePath(c.req.path) ? middleware(c, next) : next());
}

export function createUi(): Hono<UiEnv> {
  const ui = new Hono<UiEnv>();
  ui.get('/ui-assets/:name', (c) => {
    const asset = assets[c.req.param('name')];
    if (!asset) return c.text('no such asset', 404);
    c.header('content-type', asset.contentType);
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', c.req.query('v') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return c.body(asset.body);
  });
  // Middleware of a sub-app is mounted at `/*` of the whole app: each steps aside for API paths.
  ui.use('*', forPages(securityHeaders));
  ui.use(
    '*',
    forPages(
      bodyLimit({
        maxSize: MAX_FORM_BYTES,
        onError: () => {
          throw new BridgeError('PAYLOAD_TOO_LARGE', `forms are limited to ${MAX_FORM_BYTES / 1024} KB`);
        },
      }),
    ),
  );
  ui.use('*', forPages(loadSession));
  ui.use('*', forPages(guard));
  ui.onError((error, c) => {
    if (error instanceof BridgeError) return errorPage(c, statusOf[error.code], error.message);
    c.get('services').logger.error(
      { requestId: c.get('requestId'), err: error instanceof Error ? error.message : String(error) },
      'page failed',
    );
    return errorPage(c, 500, `Internal error; quote request id ${c.get('requestId') ?? 'unknown'} when reporting it.`);
  });
  registerAuth(ui);
  registerRegistries(ui);
  registerCatalogue(ui);
  registerConfigure(ui);
  registerDeployments(ui);
  registerRepositories(ui);
  // Last: an unknown page gets a page; any other path goes on to the API's answer.
  ui.all('*', (c, next) => (isPagePath(c.req.path) ? errorPage(c, 404, 'There is no such page.') : next()));
  return ui;
}
