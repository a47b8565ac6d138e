/** The HTTP surface: authentication and roles, the error shape, validation, OpenAPI, operations endpoints. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiError, type Harness, startHarness } from './support/service-harness.js';

let harness: Harness;
let guarded: Harness;

beforeAll(async () => {
  harness = await startHarness();
  guarded = await startHarness({ config: { allowPrivateNetworks: false } });
});

afterAll(async () => {
  await harness?.close();
  await guarded?.close();
});

/** POST /api/v1/registries (as admin unless `token` is given); every one these tests send is refused. */
function addRegistry(body: Record<string, unknown>, on: Harness = harness, token?: string) {
  return on.call<ApiError>('POST', '/api/v1/registries', body, token);
}

async function token(role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const created = await harness.call<{ token: string }>('POST', '/api/v1/tokens', { name: `${role} token`, role });
  expect(created.status).toBe(201);
  return created.body.token;
}

describe('authentication and roles', () => {
  it('answers 401 with the error shape for a missing or unknown token', async () => {
    const missing = await harness.app.request('/api/v1/registries');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('bearer') },
    });
    const unknown = await harness.call('GET', '/api/v1/registries', undefined, 'mb_not-a-real-token');
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });

  it('lets viewers read, and answers 403 when the role is lacking', async () => {
    const viewer = await token('viewer');
    expect((await harness.call('GET', '/api/v1/registries', undefined, viewer)).status).toBe(200);
    expect((await harness.call('GET', '/api/v1/applications', undefined, viewer)).status).toBe(200);
    const refused = await addRegistry({ name: 'x', url: 'https://h/x.git' }, harness, viewer);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(refused.body.error.message).toContain('admin');
    expect((await harness.call('GET', '/api/v1/jobs', undefined, viewer)).status).toBe(403);
    expect((await harness.call('GET', '/api/v1/tokens', undefined, viewer)).status).toBe(403);
  });

  it('lets operators see the job queue but not manage registries', async () => {
    const operator = await token('operator');
    expect((await harness.call('GET', '/api/v1/jobs?state=dead', undefined, operator)).body).toEqual({
      jobs: [],
      next: null,
    });
    expect((await harness.call('DELETE', '/api/v1/registries/none', undefined, operator)).status).toBe(403);
  });

  it('shows a token once, lists tokens without values, and revokes them', async () => {
    const created = await harness.call<{ id: string; token: string }>('POST', '/api/v1/tokens', {
      name: 'ci',
      role: 'viewer',
    });
    expect(created.body.token).toMatch(/^mb_/);
    const list = await harness.call('GET', '/api/v1/tokens');
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await harness.call('DELETE', `/api/v1/tokens/${created.body.id}`)).status).toBe(204);
    expect((await harness.call('GET', '/api/v1/applications', undefined, created.body.token)).status).toBe(401);
  });
});

describe('errors and validation', () => {
  it('names each invalid field', async () => {
    const invalid = await addRegistry({ name: '', url: 'not a url', pollInterval: 5 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('BAD_REQUEST');
    const paths = invalid.body.error.details!.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'url', 'pollInterval']));
  });

  it('refuses unknown fields, malformed JSON, URLs with credentials or a query, and plain http by default', async () => {
    const unknown = await addRegistry({ name: 'a', url: 'https://h/a.git', colour: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
    const malformed = await harness.app.request('/api/v1/registries', {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('BAD_REQUEST');
    const withCredentials = await addRegistry({ name: 'a', url: 'https://user:secret@git.example.com/a.git' });
    expect(withCredentials.status).toBe(400);
    expect(JSON.stringify(withCredentials.body)).not.toContain('secret');
    const withQuery = await addRegistry({ name: 'a', url: 'https://git.example.com/a.git?access_token=tok123' });
    expect(withQuery).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('query') } } });
    expect(JSON.stringify(withQuery.body)).not.toContain('tok123');
    const http = await addRegistry({ name: 'a', url: 'http://git.example.com/a.git' });
    expect(http).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('allowHttp') } } });
  });

  it('answers 413 for a body over 1 MiB and 404 with the error shape for unknown routes and ids', async () => {
    const large = await addRegistry({ name: 'a', url: 'https://h/a.git', caCert: 'x'.repeat(1_100_000) });
    expect(large).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    expect(await harness.call('GET', '/api/v1/nothing-here')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await harness.call('GET', '/api/v1/registries/unknown-id')).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect((await harness.call('GET', '/api/v1/applications/none/versions/1.0.0')).status).toBe(404);
  });

  it('refuses link-local and metadata addresses always, loopback unless private networks are allowed', async () => {
    const metadata = await addRegistry({ name: 'metadata', url: 'http://169.254.169.254/latest.git', allowHttp: true });
    expect(metadata).toMatchObject({ status: 422, body: { error: { code: 'ADDRESS_REFUSED' } } });
    const loopback = await addRegistry({ name: 'loopback', url: 'http://127.0.0.1:9/x.git', allowHttp: true }, guarded);
    expect(loopback).toMatchObject({ status: 422, body: { error: { code: 'ADDRESS_REFUSED' } } });
  });
});

describe('operations', () => {
  it('serves /healthz, /readyz and /metrics without a token, with a request id', async () => {
    const health = await harness.app.request('/healthz');
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toMatch(/\S+/);
    expect(await (await harness.app.request('/readyz')).json()).toEqual({ status: 'ready', database: true });
    await harness.call('GET', '/api/v1/registries');
    const metrics = await harness.app.request('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('margo_bridge_http_requests_total{method="GET",route="/api/v1/registries",status="200"}');
    expect(text).toContain('# TYPE margo_bridge_jobs_total counter');
  });

  it('reports queued jobs as they are now: a kind and state with none left disappears', async () => {
    const { jobs } = harness.runtime.services.store;
    const job = await jobs.enqueue({ kind: 'track', payload: { repositoryId: 'metrics-test' } });
    expect(await (await harness.app.request('/metrics')).text()).toMatch(
      /margo_bridge_jobs\{kind="track",state="pending"\} 1/,
    );
    const [claimed] = await jobs.claim('metrics-test-worker', 10, 1000, ['track']);
    expect(claimed?.id).toBe(job.id);
    await jobs.complete(job.id, 'metrics-test-worker');
    expect(await (await harness.app.request('/metrics')).text()).not.toContain('margo_bridge_jobs{kind="track"');
  });

  it('publishes an OpenAPI document built from the route schemas, and a docs page', async () => {
    const document = await (await harness.app.request('/openapi.json')).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/registries',
        '/api/v1/registries/{id}',
        '/api/v1/registries/{id}/sync',
        '/api/v1/applications',
        '/api/v1/applications/{id}/versions/{version}/resources/{name}',
      ]),
    );
    expect(document.components.schemas.RegistryCreate.properties).toHaveProperty('auth');
    const docs = await harness.app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });
});
