/**
 * Web sessions through the app's fetch handler (no browser needed): the cookie's attributes over
 * HTTPS, sign-out, a deleted token ending its sessions, and posts from another origin refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type Harness, startHarness } from './support/service-harness.js';

const BASE = 'https://bridge.example';

/** `name=value` pairs of a response's Set-Cookie headers, plus the raw headers. */
function cookiesOf(response: Response): { pairs: Record<string, string>; raw: string[] } {
  const raw = response.headers.getSetCookie();
  const pairs: Record<string, string> = {};
  for (const header of raw) {
    const [pair] = header.split(';');
    const [name, ...value] = (pair ?? '').split('=');
    pairs[name!.trim()] = value.join('=');
  }
  return { pairs, raw };
}

describe('web sessions', () => {
  let harness: Harness;

  async function signIn(token: string): Promise<{ cookie: string; csrf: string; raw: string[] }> {
    const form = await harness.app.request(`${BASE}/sign-in`);
    const signInCookie = cookiesOf(form).pairs.mb_signin!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const response = await harness.app.request(`${BASE}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `mb_signin=${signInCookie}` },
      body: new URLSearchParams({ _csrf: csrf, token, return: '/deployments' }).toString(),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/deployments');
    const { pairs, raw } = cookiesOf(response);
    const cookie = `__Host-mb_session=${pairs['__Host-mb_session']}`;
    const page = await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } });
    const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    return { cookie, csrf: pageCsrf, raw };
  }

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('sets a __Host- cookie that is HttpOnly, Secure and SameSite=Strict over HTTPS, with HSTS', async () => {
    const { cookie, raw } = await signIn(ADMIN_TOKEN);
    const session = raw.find((header) => header.startsWith('__Host-mb_session='))!;
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toMatch(/Domain=/);
    const page = await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('strict-transport-security')).toContain('max-age=');
    // The database keeps the cookie's hash, never the cookie.
    const value = cookie.split('=')[1]!;
    expect(await harness.runtime.services.store.sessions.get(value)).toBeUndefined();
    expect(
      await harness.runtime.services.store.sessions.get(await harness.runtime.services.hashToken(value)),
    ).toBeDefined();
  });

  it('signs out: the session row is gone and the cookie no longer opens pages', async () => {
    const { cookie, csrf } = await signIn(ADMIN_TOKEN);
    const out = await harness.app.request(`${BASE}/sign-out`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect(cookiesOf(out).raw.some((header) => /__Host-mb_session=;.*Max-Age=0/.test(header))).toBe(true);
    const after = await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/sign-in?return=%2Fcatalogue');
  });

  it('ends the sessions of a deleted token', async () => {
    const { store, hashToken } = harness.runtime.services;
    const record = await store.tokens.create({
      name: 'temp',
      role: 'viewer',
      tokenHash: await hashToken('temp-token-123'),
    });
    const { cookie } = await signIn('temp-token-123');
    expect((await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } })).status).toBe(200);
    await store.tokens.delete(record.id);
    expect((await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } })).status).toBe(303);
  });

  it('answers an unknown page with a page, and unknown API paths as the API does', async () => {
    const { cookie } = await signIn(ADMIN_TOKEN);
    const missing = await harness.app.request(`${BASE}/catalogue/a/b/c/d`, { headers: { cookie } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    expect(await missing.text()).toContain('There is no such page.');
    const api = await harness.app.request(`${BASE}/api/v1/nothing`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await harness.app.request(`${BASE}/healthz`)).status).toBe(200);
  });

  it("sends a local proposal's review link to its deployment's page", async () => {
    const { store } = harness.runtime.services;
    const repository = await store.deploymentRepositories.create({
      name: 'review-links',
      provider: 'local',
      settings: {},
      urlKey: null,
      baseBranch: 'main',
      format: 'margo',
      layout: { root: '', directory: '{target}/{name}' },
      commitAuthor: { name: 'margo-bridge', email: 'margo-bridge@example.com' },
      labels: [],
      titlePattern: null,
      secretsCiphertext: null,
      credentialSummary: {},
      configured: false,
    });
    const common = {
      version: '1.0',
      profile: 'helm',
      namespace: 'default',
      values: {},
      sealedValues: null,
      sensitive: [],
    };
    const { deployment } = await store.deployments.create({
      ...common,
      id: '6f1c2b52-5d0e-4c53-9a4e-2f4c1d1b7a10',
      repositoryId: repository.id,
      applicationId: 'com-example-app',
      target: 'plant-a',
      name: 'app',
      namespaces: [],
      state: 'proposed',
    });
    const proposal = await store.proposals.create({
      ...common,
      deploymentId: deployment.id,
      repositoryId: repository.id,
      action: 'deploy',
      contentHash: 'sha256:00',
      files: [],
      branch: 'margo-bridge/plant-a/app',
      state: 'proposed',
      requestedBy: 'admin',
      requestedAt: Date.now(),
    });
    await store.proposals.update(proposal.id, { number: 7, url: '/repositories/review-links/proposals/7' });
    const { cookie } = await signIn(ADMIN_TOKEN);
    const found = await harness.app.request(`${BASE}/repositories/review-links/proposals/7`, { headers: { cookie } });
    expect(found.status).toBe(302);
    expect(found.headers.get('location')).toBe(`/deployments/${deployment.id}`);
    const missing = await harness.app.request(`${BASE}/repositories/review-links/proposals/8`, { headers: { cookie } });
    expect(missing.status).toBe(404);
  });

  it('refuses a post with a valid token from another origin', async () => {
    const { cookie, csrf } = await signIn(ADMIN_TOKEN);
    const response = await harness.app.request(`${BASE}/sign-out`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie,
        origin: 'https://evil.example',
        host: 'bridge.example',
      },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('posted from another site');
    expect((await harness.app.request(`${BASE}/catalogue`, { headers: { cookie } })).status).toBe(200);
  });
});
