/**
 * Registry settings refused at the door (issue 10): a tag pattern that does not compile is a 400
 * naming the field through the API and the flow, with or without `force`, never a stored registry
 * whose every poll fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { reconcileRegistries } from '../src/flows/reconcile.js';
import { createRegistry } from '../src/flows/registries.js';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const ADMIN_TOKEN = 'admin-token-for-settings-tests';

describe('registry settings', () => {
  let harness: TestServices;
  let app: App;

  beforeAll(async () => {
    harness = await webhookTestServices();
    app = createApp(harness.services);
    await harness.services.store.tokens.create({
      name: 'admin',
      role: 'admin',
      tokenHash: await harness.services.hashToken(ADMIN_TOKEN),
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  async function post(path: string, body: unknown): Promise<Response> {
    return app.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
  }

  it('refuses a tag pattern that is not a valid regular expression with 400 naming the field, forced or not', async () => {
    for (const query of ['', '?force=true']) {
      const response = await post(`/api/v1/registries${query}`, {
        name: `bad-pattern${query.length}`,
        url: 'http://127.0.0.1:9/acme/app.git',
        allowHttp: true,
        tagPattern: '/(/',
      });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; message: string; details?: { field?: string } };
      };
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toMatch(/tagPattern/);
    }
    expect(await harness.services.store.registries.list()).toEqual([]);
    await expect(
      createRegistry(
        harness.services,
        { name: 'flow', url: 'https://git.example.com/a.git', tagPattern: '/(/' },
        { skipConnectionTest: true },
      ),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { field: 'tagPattern' } });
  });

  it('refuses a poll interval above 7 days with 400 naming the field, in the API and the configuration', async () => {
    const response = await post('/api/v1/registries?force=true', {
      name: 'huge-interval',
      url: 'http://127.0.0.1:9/acme/app.git',
      allowHttp: true,
      pollInterval: 10_000_000_000_000,
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/pollInterval/);
    expect(() =>
      configSchema.parse({ registries: [{ name: 'a', url: 'https://g.example/a.git', pollInterval: 2 ** 31 }] }),
    ).toThrow(/pollInterval/);
    expect(() => configSchema.parse({ polling: { interval: 8 * 86_400 } })).toThrow();
    expect(() => configSchema.parse({ polling: { maxBackoff: 2 ** 40 } })).toThrow();
  });

  it('lists registries even when one stored row has a poll time outside the date range', async () => {
    const registry = await createRegistry(
      harness.services,
      { name: 'far-future', url: 'https://git.example.com/far.git' },
      { skipConnectionTest: true },
    );
    await harness.services.store.registries.recordPoll(registry.id, {
      at: Date.now(),
      error: null,
      consecutiveFailures: 0,
      nextPollAt: 9e15,
    });
    const response = await app.request('/api/v1/registries', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { registries: { name: string; status: { nextPollAt: string | null } }[] };
    expect(body.registries.find((entry) => entry.name === 'far-future')?.status.nextPollAt).toBeNull();
  });

  it('logs client errors (malformed JSON, wrong content type) below error level', async () => {
    harness.logs.length = 0;
    const malformed = await app.request('/api/v1/registries', {
      method: 'POST',
      body: '{"name": ',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(malformed.status).toBe(400);
    const wrongType = await app.request('/api/v1/registries', {
      method: 'POST',
      body: 'name=x',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    expect(harness.logs.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('says a failed connection test left the registry unchanged on PATCH (not "not created")', async () => {
    const registry = await createRegistry(
      harness.services,
      { name: 'patched', url: 'https://git.example.com/patched.git' },
      { skipConnectionTest: true },
    );
    const response = await app.request(`/api/v1/registries/${registry.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ url: 'http://127.0.0.1:9/nothing.git', allowHttp: true }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('the registry was not changed');
    expect((await harness.services.store.registries.get(registry.id))?.url).toBe('https://git.example.com/patched.git');
  });

  it('summarises every stored credential, the client key included (never its value)', async () => {
    const registry = await createRegistry(
      harness.services,
      {
        name: 'with-key',
        url: 'https://git.example.com/key.git',
        clientCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
        clientKey: '-----BEGIN PRIVATE KEY-----\nsecret-key-value\n-----END PRIVATE KEY-----',
      },
      { skipConnectionTest: true },
    );
    expect(registry.credentialSummary).toMatchObject({ clientCert: true, clientKey: true });
    expect(JSON.stringify(registry.credentialSummary)).not.toContain('secret-key-value');
  });

  it('leaves a configured registry untouched at a start that changes nothing in it', async () => {
    const entry = configSchema.parse({
      registries: [{ name: 'from-file', url: 'https://git.example.com/file.git', webhookSecret: 'file-secret' }],
    }).registries;
    await reconcileRegistries(harness.services, entry);
    const first = await harness.services.store.registries.getByName('from-file');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await reconcileRegistries(harness.services, entry);
    const second = await harness.services.store.registries.getByName('from-file');
    expect(second?.updatedAt).toBe(first?.updatedAt);
    expect(second?.secretsCiphertext).toBe(first?.secretsCiphertext);
  });
});
