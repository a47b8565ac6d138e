/**
 * The browsable API page at `/docs`: Swagger UI rendering `/openapi.json`, with every script,
 * stylesheet and image served by this app under `/docs/assets/`, so the page works offline. The
 * files come from a `DocsAssets` function the runtime passes in (on Node: runtime/node/docs-assets.ts
 * reads the `swagger-ui-dist` package); without one the page links to the raw document instead.
 * The start-up script is a file too, so the page's Content-Security-Policy needs no inline script.
 */
import type { App } from '../env.js';
import { errorBody } from '../errors.js';

export interface DocsAsset {
  body: Uint8Array | string;
  contentType: string;
}

/** Returns one file of the Swagger UI distribution by name, or undefined when it has none. */
export type DocsAssets = (name: string) => Promise<DocsAsset | undefined>;

/** The distribution files the page uses; nothing else is served. */
export const docsAssetNames = ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'] as const;

const ASSETS = '/docs/assets';

// 'unsafe-inline' styles and data: images: Swagger UI sets style attributes and inlines SVG icons.
const pagePolicy =
  "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>margo-bridge API</title>
<link rel="icon" type="image/png" href="${ASSETS}/favicon-32x32.png">
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="${ASSETS}/init.js"></script>
</body>
</html>
`;

// validatorUrl null: the default would send the document to validator.swagger.io.
const init = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: false,
});
`;

const fallback = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>margo-bridge API</title></head>
<body>
<p>The browsable page is not available in this runtime. The OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</p>
</body>
</html>
`;

export function registerDocs(app: App, assets: DocsAssets | undefined): void {
  app.get('/docs', (c) => {
    if (!assets) return c.html(fallback);
    c.header('content-security-policy', pagePolicy);
    return c.html(page);
  });
  app.get(`${ASSETS}/:name`, async (c) => {
    const name = c.req.param('name');
    if (name === 'init.js') {
      c.header('content-type', 'text/javascript; charset=utf-8');
      return c.body(init);
    }
    const asset = (docsAssetNames as readonly string[]).includes(name) ? await assets?.(name) : undefined;
    if (!asset) return c.json(errorBody('NOT_FOUND', `no documentation asset ${name}`), 404);
    c.header('content-type', asset.contentType);
    // The files change only with the package version; a day of caching spares reloads.
    c.header('cache-control', 'public, max-age=86400');
    return c.body(typeof asset.body === 'string' ? asset.body : toArrayBuffer(asset.body));
  });
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
