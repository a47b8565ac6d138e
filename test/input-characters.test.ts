/**
 * Text PostgreSQL cannot store (NUL) or people cannot read (control characters, bidirectional
 * overrides, lone surrogates, whitespace only) is refused with 400 naming the field, on SQLite and
 * PostgreSQL alike (issue 10, item 7); a signed webhook whose payload carries it is stored as
 * unusable (400, rejected), never a 500 that forges would retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';
import { forgeHeaders, githubExample, jsonBody } from './support/webhooks.js';

const ADMIN = 'admin-token-for-character-tests';
const SECRET = 'character-secret';
const bad = ['a\u0000b', 'a\u0007b', 'evil\u202Etxt', 'a\uD800b', '   ', 'line\nbreak'];

for (const backend of [
  { name: 'SQLite', skip: false },
  { name: `PostgreSQL${postgresSkipReason}`, skip: !postgresTestUrl },
]) {
  describe.skipIf(backend.skip)(`unsafe characters on ${backend.name}`, () => {
    let harness: TestServices;
    let database: TestDatabase | undefined;
    let app: App;
    beforeAll(async () => {
      database = backend.name === 'SQLite' ? undefined : await createTestDatabase();
      harness = await webhookTestServices({
        ...(database ? { databaseUrl: database.url } : {}),
        config: { webhooks: { secrets: [SECRET] } },
      });
      app = createApp(harness.services);
      await harness.services.store.tokens.create({
        name: 'admin',
        role: 'admin',
        tokenHash: await harness.services.hashToken(ADMIN),
      });
    });
    afterAll(async () => {
      await harness?.close();
      await database?.drop();
    });

    const send = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      });

    it('refuses them in registry names, sub-paths, tag patterns and token names with 400', async () => {
      const registry = { name: 'ok', url: 'https://git.example.com/a.git' };
      for (const value of bad) {
        for (const field of ['name', 'subPath', 'tagPattern']) {
          const response = await send('/api/v1/registries?force=true', { ...registry, [field]: value });
          expect(response.status, `${field}=${JSON.stringify(value)}`).toBe(400);
          expect(JSON.stringify(await response.json())).toContain(field);
        }
        const token = await send('/api/v1/tokens', { name: value, role: 'viewer' });
        expect(token.status, JSON.stringify(value)).toBe(400);
      }
    });

    it('stores a signed delivery whose repository URL holds a NUL as rejected, answering 400', async () => {
      const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
      (payload.repository as Record<string, unknown>).clone_url = 'https://github.com/a/b\u0000.git';
      const body = jsonBody(payload);
      const response = await app.request('/webhooks/github', {
        method: 'POST',
        body,
        headers: forgeHeaders('github', body, SECRET, { event: 'push', deliveryId: `nul-${backend.name}` }),
      });
      expect(response.status).toBe(400);
      const [stored] = await harness.services.store.deliveries.list(10);
      expect(stored).toMatchObject({ deliveryId: `nul-${backend.name}`, result: 'rejected' });
    });
  });
}
