/**
 * End to end inside workerd: the Worker of wrangler.toml (its Durable Object, its Queue) and the
 * real test Git server on the Node side (test/support/workerd-setup.ts). A registry polled once
 * an hour gets a new tag; a signed GitHub delivery brings the version into the catalogue through
 * the delivery, poll and ingest jobs, woken through the Queue.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET } from './secrets.js';

const HOUR = 3600;
const origin = 'https://bridge.test';

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await SELF.fetch(`${origin}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function catalogueVersions(): Promise<string[]> {
  const list = await api<{ applications: { id: string; registry: { name: string } | null }[] }>('/api/v1/applications');
  const app = list.body.applications.find((entry) => entry.registry?.name === 'hello');
  if (!app) return [];
  const detail = await api<{ versions: { version: string }[] }>(`/api/v1/applications/${app.id}`);
  return detail.body.versions.map((version) => version.version);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function githubSignature(body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(TEST_WEBHOOK_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return `sha256=${toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body))))}`;
}

describe('inside workerd: a signed tag push brings the new version in through the Queue', () => {
  it('ingests v1.0.0 at the first poll, then v1.1.0 after the delivery, with the next poll an hour away', async () => {
    const git = inject('gitServer');
    const created = await api<{ id: string }>('/api/v1/registries', {
      method: 'POST',
      body: JSON.stringify({ name: 'hello', url: git.helloUrl, allowHttp: true, pollInterval: HOUR }),
    });
    expect(created.status).toBe(201);
    await waitFor(async () => (await catalogueVersions()).includes('1.0.0'), 20_000);

    const published = await fetch(`${git.controlUrl}/publish?tag=v1.1.0&version=1.1.0`, { method: 'POST' });
    expect(published.status).toBe(200);
    await published.text();
    expect(await catalogueVersions()).not.toContain('1.1.0');

    const body = JSON.stringify({
      ref: 'refs/tags/v1.1.0',
      deleted: false,
      repository: { full_name: 'acme/hello', clone_url: git.helloUrl, html_url: `${git.baseUrl}/hello` },
    });
    const delivered = await SELF.fetch(`${origin}/webhooks/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'workerd-e2e-1',
        'x-hub-signature-256': await githubSignature(body),
      },
    });
    expect(delivered.status).toBe(202);
    await delivered.text();

    await waitFor(async () => (await catalogueVersions()).includes('1.1.0'), 20_000);
    const deliveries = await api<{ deliveries: { deliveryId: string; result: string }[] }>(
      '/api/v1/webhook-deliveries',
    );
    expect(deliveries.body.deliveries.find((delivery) => delivery.deliveryId === 'workerd-e2e-1')).toMatchObject({
      result: 'handled',
    });
    const registries = await api<{ registries: { status: { nextPollAt: string | null } }[] }>('/api/v1/registries');
    expect(Date.parse(registries.body.registries[0]?.status.nextPollAt ?? '') - Date.now()).toBeGreaterThan(HOUR * 800);
  });
});
