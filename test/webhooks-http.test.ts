/**
 * The receivers through the real app (createApp → app.request), a real SQLite store and the real
 * secret box: every answer rule of issue 6 and what each delivery leaves in the store.
 * Over 400 lines: one case per answer rule of the three forges, sharing one app and store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleDelivery } from '../src/flows/deliveries.js';
import { createRegistry } from '../src/flows/registries.js';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import type { RegistryRecord } from '../src/store/interface.js';
import type { Forge } from '../src/webhooks/delivery.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';
import {
  fixture,
  forgeHeaders,
  githubExample,
  jsonBody,
  newSigningToken,
  type SignOptions,
} from './support/webhooks.js';

const SECRET = 'global-secret-new';
const OLD_SECRET = 'global-secret-old';
const REGISTRY_SECRET = 'registry-only-secret';
const SIGNING_TOKEN = newSigningToken();
const ADMIN_TOKEN = 'admin-token-for-webhook-tests';
const VIEWER_TOKEN = 'viewer-token-for-webhook-tests';

/** A GitHub tag push (from the published examples) about `owner/repo` on github.com. */
function githubTagPush(repo = 'Codertocat/Hello-World'): Record<string, unknown> {
  const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
  const repository = payload.repository as Record<string, unknown>;
  repository.clone_url = `https://github.com/${repo}.git`;
  repository.html_url = `https://github.com/${repo}`;
  return payload;
}

describe('webhook receivers over HTTP', () => {
  let harness: TestServices;
  let app: App;
  let helloWorld: RegistryRecord;

  beforeAll(async () => {
    harness = await webhookTestServices({ config: { webhooks: { secrets: [SECRET, OLD_SECRET, SIGNING_TOKEN] } } });
    const { services } = harness;
    app = createApp(services);
    await services.store.tokens.create({
      name: 'admin',
      role: 'admin',
      tokenHash: await services.hashToken(ADMIN_TOKEN),
    });
    await services.store.tokens.create({
      name: 'viewer',
      role: 'viewer',
      tokenHash: await services.hashToken(VIEWER_TOKEN),
    });
    helloWorld = await createRegistry(
      services,
      { name: 'hello-world', url: 'https://github.com/Codertocat/Hello-World' },
      { skipConnectionTest: true },
    );
    await createRegistry(
      services,
      { name: 'scoped', url: 'https://github.com/acme/scoped.git', webhookSecret: REGISTRY_SECRET },
      { skipConnectionTest: true },
    );
    // The repositories of the Gitea and GitLab fixtures, so that their tag pushes and releases get handled.
    for (const [name, url] of [
      ['gitea-fixture', 'http://localhost:3000/gitea/webhooks.git'],
      ['gitlab-fixture', 'http://example.com/mike/diaspora.git'],
    ] as const) {
      await createRegistry(services, { name, url, allowHttp: true }, { skipConnectionTest: true });
    }
  });
  afterAll(async () => {
    await harness?.close();
  });

  async function post(
    forge: Forge,
    body: Uint8Array<ArrayBuffer>,
    options: SignOptions & { secret?: string; headers?: Record<string, string> },
  ): Promise<Response> {
    const headers = { ...forgeHeaders(forge, body, options.secret ?? SECRET, options), ...options.headers };
    return app.request(`/webhooks/${forge}`, { method: 'POST', body, headers });
  }

  async function answer(response: Response): Promise<{ status: string; delivery: string }> {
    return (await response.json()) as { status: string; delivery: string };
  }

  describe('GitHub', () => {
    it('stores a signed tag push before answering 202, and its job polls the matching registry', async () => {
      const response = await post('github', jsonBody(githubTagPush()), { event: 'push', deliveryId: 'gh-tag-1' });
      expect(response.status).toBe(202);
      const { status, delivery } = await answer(response);
      expect(status).toBe('accepted');
      const stored = await harness.services.store.deliveries.get(delivery);
      expect(stored).toMatchObject({
        forge: 'github',
        deliveryId: 'gh-tag-1',
        event: 'push',
        result: 'pending',
        repositoryUrl: 'https://github.com/Codertocat/Hello-World.git',
      });
      const job = await harness.services.store.jobs.get(stored?.jobId ?? '');
      expect(job).toMatchObject({ kind: 'delivery', state: 'pending' });

      const handled = await handleDelivery(harness.services, delivery);
      expect(handled?.result).toBe('handled');
      const poll = await harness.services.store.jobs.get(handled?.jobId ?? '');
      expect(poll).toMatchObject({ kind: 'poll', payload: { registryId: helloWorld.id } });
    });

    it('answers a redelivery of the same id 200 duplicate and does not handle it again', async () => {
      const body = jsonBody(githubTagPush());
      const first = await post('github', body, { event: 'push', deliveryId: 'gh-replay' });
      expect(first.status).toBe(202);
      const original = await answer(first);
      const jobsBefore = await harness.services.store.jobs.list({ kind: 'delivery', limit: 1000 });
      const replay = await post('github', body, { event: 'push', deliveryId: 'gh-replay' });
      expect(replay.status).toBe(200);
      expect(await answer(replay)).toEqual({ status: 'duplicate', delivery: original.delivery });
      const jobsAfter = await harness.services.store.jobs.list({ kind: 'delivery', limit: 1000 });
      expect(jobsAfter.length).toBe(jobsBefore.length);
      await handleDelivery(harness.services, original.delivery);
      expect(await handleDelivery(harness.services, original.delivery)).toBeUndefined();
    });

    it('accepts the retired secret during rotation', async () => {
      const response = await post('github', jsonBody(githubTagPush()), { event: 'push', secret: OLD_SECRET });
      expect(response.status).toBe(202);
    });

    it('answers ping 200 pong', async () => {
      const response = await post('github', jsonBody(githubExample('ping')), { event: 'ping' });
      expect(response.status).toBe(200);
      expect((await answer(response)).status).toBe('pong');
    });

    it('records tag creation and release publication as accepted', async () => {
      const create = await post('github', jsonBody(githubExample('create')), { event: 'create' });
      expect([create.status, (await answer(create)).status]).toEqual([202, 'accepted']);
      const release = await post('github', jsonBody(githubExample('release', (p) => p.action === 'published')), {
        event: 'release',
      });
      expect([release.status, (await answer(release)).status]).toEqual([202, 'accepted']);
    });

    it('records branch pushes, pull requests, other release actions and unknown events as ignored, with no job', async () => {
      const cases: [string, Record<string, unknown>][] = [
        ['push', githubExample('push', (p) => String(p.ref).startsWith('refs/heads/'))],
        ['pull_request', githubExample('pull_request', (p) => p.action === 'opened')],
        ['release', githubExample('release', (p) => p.action === 'edited')],
        ['issues', githubExample('issues')],
        ['star', githubExample('star')],
      ];
      for (const [event, payload] of cases) {
        const response = await post('github', jsonBody(payload), { event });
        expect(response.status, event).toBe(202);
        const { status, delivery } = await answer(response);
        expect(status, event).toBe('ignored');
        expect(await harness.services.store.deliveries.get(delivery), event).toMatchObject({
          event,
          result: 'ignored',
          jobId: null,
        });
      }
    });

    it('records a tag push for a repository nobody registered as ignored at receipt, with no job', async () => {
      const response = await post('github', jsonBody(githubTagPush('nobody/unknown')), { event: 'push' });
      expect(response.status).toBe(202);
      const { status, delivery } = await answer(response);
      expect(status).toBe('ignored');
      const stored = await harness.services.store.deliveries.get(delivery);
      expect(stored).toMatchObject({ result: 'ignored', jobId: null });
      expect(stored?.handledAt).toBe(stored?.receivedAt);
      // Nothing is left for a job to do.
      expect(await handleDelivery(harness.services, delivery)).toBeUndefined();
    });
  });

  describe('signatures', () => {
    it('refuses a wrong or missing signature with 401, counts it, and logs nothing of the body', async () => {
      const marker = 'BODY-MARKER-THAT-MUST-NOT-BE-LOGGED';
      const body = jsonBody({ ...githubTagPush(), marker });
      const wrong = await post('github', body, { event: 'push', secret: 'attacker-guess' });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      const missing = await app.request('/webhooks/github', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      });
      expect(missing.status).toBe(401);
      expect(JSON.stringify(harness.logs)).not.toContain(marker);
      expect(JSON.stringify(harness.logs)).not.toContain('attacker-guess');
      const metrics = await (await app.request('/metrics')).text();
      expect(metrics).toMatch(/margo_bridge_webhook_bad_signatures_total\{forge="github",reason="bad-signature"\} \d+/);
      expect(metrics).toMatch(
        /margo_bridge_webhook_bad_signatures_total\{forge="github",reason="missing-signature"\} 1/,
      );
    });

    it("accepts a registry's own secret for its repository only", async () => {
      const own = await post('github', jsonBody(githubTagPush('acme/scoped')), {
        event: 'push',
        secret: REGISTRY_SECRET,
      });
      expect(own.status).toBe(202);
      const other = await post('github', jsonBody(githubTagPush('Codertocat/Hello-World')), {
        event: 'push',
        secret: REGISTRY_SECRET,
      });
      expect(other.status).toBe(401);
      expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/another registry/);
    });

    it("matches a registry's own secret against the payload's clone URL only, not any URL in it", async () => {
      const payload = githubTagPush('Codertocat/Hello-World');
      // The scoped repository named where a payload may carry any URL: the web URL of the repository.
      (payload.repository as Record<string, unknown>).html_url = 'https://github.com/acme/scoped';
      const response = await post('github', jsonBody(payload), { event: 'push', secret: REGISTRY_SECRET });
      expect(response.status).toBe(401);
      const withoutClone = githubTagPush('acme/scoped');
      delete (withoutClone.repository as Record<string, unknown>).clone_url;
      const unscoped = await post('github', jsonBody(withoutClone), { event: 'push', secret: REGISTRY_SECRET });
      expect(unscoped.status).toBe(401);
    });
  });

  describe('Gitea and Forgejo', () => {
    it('accepts a signed tag push with Gitea headers and with Forgejo headers', async () => {
      const gitea = await post('gitea', fixture('gitea/push-tag.json'), { event: 'push' });
      expect([gitea.status, (await answer(gitea)).status]).toEqual([202, 'accepted']);
      const body = fixture('gitea/release-published.json');
      const forgejo = await post('gitea', body, {
        event: 'release',
        headers: {
          'x-gitea-event': '',
          'x-gitea-signature': '',
          'x-forgejo-event': 'release',
          'x-forgejo-delivery': 'forgejo-1',
          'x-forgejo-signature': forgeHeaders('gitea', body, SECRET, { event: 'release' })['x-gitea-signature']!,
        },
      });
      expect(forgejo.status).toBe(202);
      const stored = await harness.services.store.deliveries.get((await answer(forgejo)).delivery);
      expect(stored).toMatchObject({ deliveryId: 'forgejo-1', event: 'release', result: 'pending' });
    });

    it('records a pull request as ignored', async () => {
      const response = await post('gitea', fixture('gitea/pull-request-opened.json'), { event: 'pull_request' });
      expect([response.status, (await answer(response)).status]).toEqual([202, 'ignored']);
    });
  });

  describe('GitLab', () => {
    it('accepts X-Gitlab-Token and, separately, a fresh signing-token signature', async () => {
      const token = await post('gitlab', fixture('gitlab/tag-push.json'), { event: 'Tag Push Hook' });
      expect([token.status, (await answer(token)).status]).toEqual([202, 'accepted']);
      const signed = await post('gitlab', fixture('gitlab/release-create.json'), {
        event: 'Release Hook',
        signingToken: SIGNING_TOKEN,
        noToken: true,
      });
      expect([signed.status, (await answer(signed)).status]).toEqual([202, 'accepted']);
    });

    it('refuses a signature older than five minutes (a replay) with 401', async () => {
      const response = await post('gitlab', fixture('gitlab/tag-push.json'), {
        event: 'Tag Push Hook',
        signingToken: SIGNING_TOKEN,
        noToken: true,
        timestampSeconds: Math.floor(Date.now() / 1000) - 301,
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/five minutes/);
    });

    it('records merge requests and branch pushes as ignored', async () => {
      for (const [file, event] of [
        ['gitlab/merge-request.json', 'Merge Request Hook'],
        ['gitlab/push.json', 'Push Hook'],
      ] as const) {
        const response = await post('gitlab', fixture(file), { event });
        expect([response.status, (await answer(response)).status], file).toEqual([202, 'ignored']);
      }
    });
  });

  describe('request checks before verification', () => {
    it('refuses non-JSON content types with 415, GitHub form-encoded payloads included', async () => {
      const body = new TextEncoder().encode(`payload=${encodeURIComponent(JSON.stringify(githubTagPush()))}`);
      const response = await post('github', body, {
        event: 'push',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    });

    it('refuses a body over 25 MiB with 413, by declared length and by actual size', async () => {
      const declared = await app.request('/webhooks/github', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', 'content-length': String(25 * 1024 * 1024 + 1) },
      });
      expect(declared.status).toBe(413);
      const big = new Uint8Array(25 * 1024 * 1024 + 10).fill(0x20);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < big.length; offset += 1024 * 1024) {
            controller.enqueue(big.subarray(offset, offset + 1024 * 1024));
          }
          controller.close();
        },
      });
      const actual = await app.request('/webhooks/github', {
        method: 'POST',
        body: stream,
        // A well-formed signature: without one the body is refused (401) before it is read.
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
        duplex: 'half',
      } as RequestInit);
      expect(actual.status).toBe(413);
    });

    it('stores a verified body that is not JSON as rejected and answers 400 saying why', async () => {
      const response = await post('github', new TextEncoder().encode('{"ref": '), {
        event: 'push',
        deliveryId: 'gh-broken',
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
      const listed = await app.request('/api/v1/webhook-deliveries', {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const { deliveries } = (await listed.json()) as { deliveries: Record<string, unknown>[] };
      expect(deliveries.find((delivery) => delivery.deliveryId === 'gh-broken')).toMatchObject({
        result: 'rejected',
        error: expect.stringMatching(/not valid JSON/),
      });
    });

    it('never logs, stores or answers the content of a verified body that is not JSON', async () => {
      const marker = 'MARKER-7f3a-private-content';
      const before = harness.logs.length;
      const response = await post('github', new TextEncoder().encode(`{"ref": ${marker} trailing`), {
        event: 'push',
        deliveryId: 'gh-broken-marker',
      });
      expect(response.status).toBe(400);
      const answered = JSON.stringify(await response.json());
      expect(answered).toMatch(/not valid JSON \(\d+ bytes/);
      expect(answered).not.toContain(marker);
      const logged = harness.logs.slice(before);
      expect(logged.some((entry) => entry.message.includes('not valid JSON'))).toBe(true);
      expect(JSON.stringify(logged)).not.toContain(marker);
      const listed = await app.request('/api/v1/webhook-deliveries', {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const { deliveries } = (await listed.json()) as { deliveries: Record<string, unknown>[] };
      const stored = deliveries.find((delivery) => delivery.deliveryId === 'gh-broken-marker');
      expect(stored).toMatchObject({ result: 'rejected' });
      expect(JSON.stringify(stored)).not.toContain(marker);
    });
  });

  describe('GET /api/v1/webhook-deliveries', () => {
    it('lists recent deliveries with forge, event, repository, result and job, for admins only', async () => {
      const response = await app.request('/api/v1/webhook-deliveries?limit=500', {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      const { deliveries } = (await response.json()) as { deliveries: Record<string, unknown>[] };
      const first = deliveries.find((delivery) => delivery.deliveryId === 'gh-tag-1');
      expect(first).toMatchObject({
        forge: 'github',
        event: 'push',
        kind: 'tag',
        ref: 'simple-tag',
        repositoryUrl: 'https://github.com/Codertocat/Hello-World.git',
        result: 'handled',
        jobId: expect.any(String),
      });
      expect(new Set(deliveries.map((delivery) => delivery.result))).toEqual(
        new Set(['handled', 'pending', 'ignored', 'rejected']),
      );
      const viewer = await app.request('/api/v1/webhook-deliveries', {
        headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
      });
      expect(viewer.status).toBe(403);
      expect((await app.request('/api/v1/webhook-deliveries')).status).toBe(401);
    });

    it('documents the receivers and the list in /openapi.json', async () => {
      const document = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, object> };
      for (const path of ['/webhooks/github', '/webhooks/gitea', '/webhooks/gitlab']) {
        expect(Object.keys(document.paths[path] ?? {}), path).toEqual(['post']);
      }
      expect(Object.keys(document.paths['/api/v1/webhook-deliveries'] ?? {})).toEqual(['get']);
    });

    it('exposes delivery counts by forge, event and result in /metrics', async () => {
      const metrics = await (await app.request('/metrics')).text();
      expect(metrics).toMatch(
        /margo_bridge_webhook_deliveries_total\{forge="github",event="push",result="accepted"\} \d+/,
      );
      expect(metrics).toMatch(
        /margo_bridge_webhook_deliveries_total\{forge="github",event="push",result="duplicate"\} 1/,
      );
      expect(metrics).toMatch(
        /margo_bridge_webhook_deliveries_handled_total\{forge="github",event="push",result="handled"\}/,
      );
      expect(metrics).toMatch(/margo_bridge_webhook_handling_seconds_count\{forge="github",kind="tag"\}/);
    });
  });
});
