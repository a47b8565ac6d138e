/** What the end-to-end suites inside workerd share: the API as an admin, waiting, signed deliveries. */
import { SELF } from 'cloudflare:test';
import { toHex } from '../../src/bytes.js';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET } from './secrets.js';

export const origin = 'https://bridge.test';

/** Where requests go: the Worker of wrangler.toml (SELF), or a Durable Object's stub directly. */
export interface Target {
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  target: Target = SELF,
): Promise<{ status: number; body: T }> {
  const response = await target.fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Adds a registry over the API (allowed on plain HTTP: the test Git server), polled hourly unless something asks. */
export async function addRegistry(name: string, url: string, target: Target = SELF): Promise<void> {
  const created = await api('POST', '/api/v1/registries', { name, url, allowHttp: true, pollInterval: 3600 }, target);
  if (created.status !== 201)
    throw new Error(`adding registry ${name}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** The versions the catalogue lists for `applicationId`. */
export async function catalogueVersions(applicationId: string, target: Target = SELF): Promise<string[]> {
  const detail = await api<{ versions?: { version: string }[] }>(
    'GET',
    `/api/v1/applications/${applicationId}`,
    undefined,
    target,
  );
  return detail.status === 200 ? (detail.body.versions ?? []).map((version) => version.version) : [];
}

/** Publishes a release on the Node side (test/support/workerd-setup.ts). */
export async function publish(controlUrl: string, repo: string, version: string): Promise<void> {
  const response = await fetch(`${controlUrl}/publish?repo=${repo}&tag=v${version}&version=${version}`, {
    method: 'POST',
  });
  await response.text();
  if (response.status !== 200) throw new Error(`publishing ${repo} v${version} failed: ${response.status}`);
}

/** A GitHub `push` of a tag, signed with the Worker's webhook secret, as GitHub sends it. */
export async function sendTagPush(
  cloneUrl: string,
  htmlUrl: string,
  tag: string,
  deliveryId: string,
  target: Target = SELF,
): Promise<Response> {
  const body = JSON.stringify({
    ref: `refs/tags/${tag}`,
    deleted: false,
    repository: { full_name: 'acme/registry', clone_url: cloneUrl, html_url: htmlUrl },
  });
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(TEST_WEBHOOK_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)));
  return target.fetch(`${origin}/webhooks/github`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': deliveryId,
      'x-hub-signature-256': `sha256=${toHex(mac)}`,
    },
  });
}
