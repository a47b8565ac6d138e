/**
 * `/docs` works offline: the page served by the running service (runtime/node/index.ts `startService`)
 * references only same-origin files, each served with its content type, and a policy that keeps
 * the browser from loading anything from elsewhere. `/openapi.json` stays where it was.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { createApp } from '../src/http/app.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime, type RunningService, startService } from '../src/runtime/node/index.js';

const distDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

let dataDir: string;
let service: RunningService;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mb-docs-'));
  const config = resolveConfig({
    file: { dataDir, port: 0, adminToken: 'docs-test-admin-token-0123', logLevel: 'silent' },
    env: {},
  });
  service = await startService(await buildRuntime(config, { logger: silentLogger }));
});

afterAll(async () => {
  await service?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Every `src` and `href` in the page. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('/docs', () => {
  it('references only same-origin assets, each served with its content type', async () => {
    const response = await fetch(`${service.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const refs = references(html);
    expect(refs.sort()).toEqual([
      '/docs/assets/favicon-32x32.png',
      '/docs/assets/init.js',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/swagger-ui.css',
    ]);
    expect(html).not.toMatch(/https?:\/\//);

    const expectedTypes: Record<string, RegExp> = {
      '.png': /^image\/png$/,
      '.js': /^text\/javascript; charset=utf-8$/,
      '.css': /^text\/css; charset=utf-8$/,
    };
    for (const ref of refs) {
      const asset = await fetch(new URL(ref, service.url));
      expect(asset.status, ref).toBe(200);
      const extension = ref.slice(ref.lastIndexOf('.'));
      expect(asset.headers.get('content-type'), ref).toMatch(expectedTypes[extension] ?? /^$/);
      const bytes = Buffer.from(await asset.arrayBuffer());
      const name = ref.slice('/docs/assets/'.length);
      if (name !== 'init.js') expect(bytes.equals(await readFile(join(distDir, name))), ref).toBe(true);
    }
  });

  it('starts Swagger UI on /openapi.json with no call to another host, under a self-only policy', async () => {
    const init = await (await fetch(`${service.url}/docs/assets/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    // The default validator badge would send the document to validator.swagger.io.
    expect(init).toContain('validatorUrl: null');
    const page = await fetch(`${service.url}/docs`);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).not.toMatch(/https?:|\*/);
    expect(policy.match(/script-src[^;]*/)).toBeNull(); // scripts fall back to 'self': no inline script
    const document = await fetch(`${service.url}/openapi.json`);
    expect(document.status).toBe(200);
    expect(((await document.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('serves only the files the page uses', async () => {
    for (const name of ['index.html', 'swagger-ui.js.map', 'package.json', '..%2Fpackage.json']) {
      expect((await fetch(`${service.url}/docs/assets/${name}`)).status, name).toBe(404);
    }
  });

  it('without an asset source (another runtime) links to the OpenAPI document instead', async () => {
    const app = createApp(service.runtime.services);
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(references(html)).toEqual(['/openapi.json']);
    expect((await app.request('/docs/assets/swagger-ui.css')).status).toBe(404);
  });
});
