/**
 * Registry settings refused at the door (issue 10): a tag pattern that does not compile is a 400
 * naming the field through the API and the flow, with or without `force`, never a stored registry
 * whose every poll fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  function post(path: string, body: unknown): Promise<Response> {
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
      const body = (await response.json()) as { error: { code: string; message: string; details?: { field?: string } } };
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
});
