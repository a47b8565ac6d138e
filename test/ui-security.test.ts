/**
 * The web pages' defences, in Chromium: security headers, every form refused without its CSRF
 * token, a viewer refused (403) at every operator and admin action, also by direct POST, a
 * session that expires mid-form keeping what was typed, and the address guard's reason shown
 * beside the registry URL.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, openBrowser, type TestBrowser } from './support/ui-browser.js';
import {
  addRegistryAndWait,
  adminApi as api,
  DIGITRON_ID,
  DIGITRON_VERSION,
  startUiService,
  type UiService,
} from './support/ui-service.js';

async function signIn(page: Page, ui: UiService, token: string): Promise<void> {
  await page.goto(`${ui.url}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const values = {
  pollFrequency: 60,
  idpName: 'corp-idp',
  idpProvider: 'oidc',
  idpClientId: 'digitron',
  idpUrl: 'https://login.example.com',
  adminName: 'Ada Admin',
  adminPrincipalName: 'ada@example.com',
};

describe('web page defences', () => {
  let ui: UiService;
  let browser: TestBrowser;
  let page: Page;
  let registryId: string;
  let deploymentId: string;

  beforeAll(async () => {
    ui = await startUiService();
    registryId = await addRegistryAndWait(ui, { name: 'digitron', url: ui.registryUrl }, DIGITRON_ID, DIGITRON_VERSION);
    await api(ui, 'POST', '/api/v1/deployment-repositories', { provider: 'local', name: 'local' });
    const created = (await api(ui, 'POST', '/api/v1/deployments', {
      repository: 'local',
      applicationId: DIGITRON_ID,
      version: DIGITRON_VERSION,
      profile: 'helm',
      target: 'plant-a',
      values,
    })) as unknown as { id?: string; deployment?: { id: string } };
    deploymentId = created.deployment?.id ?? created.id ?? '';
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('sends strict security headers with every page', async () => {
    const response = await fetch(`${ui.url}/sign-in`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The API is not touched by the pages' middleware.
    expect((await fetch(`${ui.url}/api/v1/registries`)).status).toBe(401);
  });

  it('refuses every form posted without its CSRF token, and with another session token', async () => {
    await signIn(page, ui, ui.tokens.admin);
    const pages = [
      '/registries',
      `/registries/${registryId}`,
      `/registries/${registryId}/edit`,
      '/registries/new',
      `/configure/${DIGITRON_ID}/${DIGITRON_VERSION}`,
      `/deployments/${deploymentId}`,
      `/deployments/${deploymentId}/edit`,
    ];
    const actions = new Set<string>([
      `/configure/${DIGITRON_ID}/${DIGITRON_VERSION}/propose`,
      `/deployments/${deploymentId}/update`,
      `/deployments/${deploymentId}/approve`,
      `/deployments/${deploymentId}/close`,
      `/deployments/${deploymentId}/retry`,
    ]);
    for (const path of pages) {
      await page.goto(`${ui.url}${path}`);
      const found = await page.$$eval('form[method="post"]', (forms) =>
        forms.map((form) => new URL((form as HTMLFormElement).action).pathname),
      );
      for (const action of found) actions.add(action);
    }
    expect(actions.size).toBeGreaterThanOrEqual(12);
    for (const action of actions) {
      const missing = await page.request.post(`${ui.url}${action}`, { form: { name: 'x' }, maxRedirects: 0 });
      expect([action, missing.status()]).toEqual([action, 403]);
      const forged = await page.request.post(`${ui.url}${action}`, {
        form: { _csrf: 'A'.repeat(43) },
        maxRedirects: 0,
      });
      expect([action, forged.status()]).toEqual([action, 403]);
    }
    // Nothing happened: the registry and the deployment are as they were, the session still works.
    expect(await ui.services.store.registries.get(registryId)).toBeDefined();
    await page.goto(`${ui.url}/deployments/${deploymentId}`);
    expect(await page.locator('main .badge').first().textContent()).toBe('proposed');
    const tokenless = await page.request.post(`${ui.url}/sign-in`, {
      form: { token: ui.tokens.admin },
      maxRedirects: 0,
    });
    expect(tokenless.status()).toBe(403);
  });

  it('keeps a viewer out of operator and admin actions, also by direct POST (403)', async () => {
    await page.context().clearCookies();
    await signIn(page, ui, ui.tokens.viewer);
    await page.goto(`${ui.url}/catalogue/${DIGITRON_ID}/versions/${DIGITRON_VERSION}`);
    expect(await page.getByRole('link', { name: 'Configure and deploy' }).count()).toBe(0);
    await page.goto(`${ui.url}/deployments/${deploymentId}`);
    expect(await page.getByRole('button', { name: 'Approve and merge' }).count()).toBe(0);
    await page.goto(`${ui.url}/registries`);
    expect(await page.getByRole('link', { name: 'Add a registry' }).count()).toBe(0);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const direct = [
      `/configure/${DIGITRON_ID}/${DIGITRON_VERSION}/propose`,
      `/deployments/${deploymentId}/approve`,
      `/deployments/${deploymentId}/remove`,
      `/registries/${registryId}/sync`,
      `/registries/${registryId}/delete`,
      '/registries/new',
    ];
    for (const action of direct) {
      const response = await page.request.post(`${ui.url}${action}`, {
        form: { _csrf: csrf, repository: 'local', target: 'viewer-was-here', name: 'evil', url: ui.registryUrl },
        maxRedirects: 0,
      });
      expect([action, response.status()]).toEqual([action, 403]);
    }
    const forbidden = await page.goto(`${ui.url}/configure/${DIGITRON_ID}/${DIGITRON_VERSION}`);
    expect(forbidden?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    expect(await checkPage(page, 'forbidden')).toEqual([]);
    expect((await ui.services.store.registries.list()).map((registry) => registry.name)).toEqual(['digitron']);
    await page.goto(`${ui.url}/deployments`);
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  it('keeps the typed values when the session expired mid-form and the End User signs in again', async () => {
    await page.context().clearCookies();
    await signIn(page, ui, ui.tokens.operator);
    await page.goto(`${ui.url}/configure/${DIGITRON_ID}/${DIGITRON_VERSION}`);
    await page.getByLabel('Deployment repository').selectOption('local');
    await page.getByLabel('Target').fill('plant-z');
    await page.getByLabel('Poll Frequency', { exact: true }).fill('45');
    await page.getByLabel('Presentation Name', { exact: true }).fill('Typed Before Expiry');
    const cookie = (await page.context().cookies()).find((entry) => entry.name === 'mb_session')!;
    await ui.services.store.sessions.touch(await ui.services.hashToken(cookie.value), 1);
    await page.getByRole('button', { name: 'Review the files' }).click();
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    expect(await page.getByRole('status').first().textContent()).toContain('what you typed is kept');
    expect(await checkPage(page, 'sign-in-expired')).toEqual([]);
    await page.getByLabel('API token').fill(ui.tokens.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe(`/configure/${DIGITRON_ID}/${DIGITRON_VERSION}`);
    expect(await page.getByLabel('Poll Frequency', { exact: true }).inputValue()).toBe('45');
    expect(await page.getByLabel('Presentation Name', { exact: true }).inputValue()).toBe('Typed Before Expiry');
    expect(await page.getByLabel('Target').inputValue()).toBe('plant-z');
    expect(await page.getByLabel('Deployment repository').inputValue()).toBe('local');
    // Shown once: a reload starts from the defaults again.
    await page.reload();
    expect(await page.getByLabel('Poll Frequency', { exact: true }).inputValue()).toBe('30');
  });
});

describe('registry URL refused by the address guard', () => {
  let ui: UiService;
  let browser: TestBrowser;

  beforeAll(async () => {
    ui = await startUiService({ allowPrivateNetworks: false });
    browser = await openBrowser({ javaScript: false });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('says why beside the URL field, keeping the form', async () => {
    const { page } = browser;
    await signIn(page, ui, ui.tokens.admin);
    await page.goto(`${ui.url}/registries/new`);
    await page.getByLabel('Name', { exact: true }).fill('loopback');
    await page.getByLabel('Repository URL').fill(ui.registryUrl);
    await page.getByLabel('Allow plain http://').check();
    await page.getByRole('button', { name: 'Add registry' }).click();
    const error = await page.locator('#field-url-error').textContent();
    expect(error).toMatch(/127\.0\.0\.1|loopback|private/i);
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('loopback');
    expect(await ui.services.store.registries.list()).toEqual([]);
  });
});
