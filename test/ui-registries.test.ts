/**
 * Registry pages in Chromium without JavaScript: every credential kind against the real test Git
 * server (HTTP basic over HTTPS with a private CA, a bearer token, mutual TLS), the connection
 * test's verdict before saving, edit, sync now, remove, and a pre-configured registry read-only.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from './support/git-server.js';
import { openBrowser, type TestBrowser } from './support/ui-browser.js';
import { startUiService, type UiService } from './support/ui-service.js';

describe('registry pages', () => {
  let ui: UiService;
  let browser: TestBrowser;
  let page: Page;
  const servers: GitServer[] = [];

  async function secured(options: Parameters<typeof startGitServer>[0]): Promise<GitServer> {
    const server = await startGitServer(options);
    servers.push(server);
    return server;
  }

  async function fillAndTest(fields: Record<string, string>, select?: string): Promise<string> {
    await page.goto(`${ui.url}/registries/new`);
    for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
    if (select) await page.getByLabel('Credentials', { exact: true }).selectOption(select);
    await page.getByRole('button', { name: 'Test the connection' }).click();
    return (await page.locator('[role="status"], .error-summary').first().textContent()) ?? '';
  }

  beforeAll(async () => {
    ui = await startUiService({
      registries: [{ name: 'from-file', url: 'https://git.example.com/acme/app.git', pollInterval: 3600 }],
    });
    browser = await openBrowser({ javaScript: false });
    page = browser.page;
    page.setDefaultTimeout(10_000);
    await page.goto(`${ui.url}/sign-in`);
    await page.getByLabel('API token').fill(ui.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    await ui?.stop();
  });

  it('tests HTTP basic over HTTPS with a private CA: refused without the CA and with a wrong password', async () => {
    const root = ui.registryRoot;
    const server = await secured({ root, tls: 'https', auth: { type: 'basic', username: 'ci', password: 's3cret' } });
    const base = { Name: 'basic', 'Repository URL': server.url('digitron'), 'User name': 'ci' };
    expect(await fillAndTest({ ...base, Password: 's3cret' }, 'basic')).toMatch(/certificate|TLS/i);
    expect(await page.locator('#field-caCert-error').count()).toBe(1);
    expect(await fillAndTest({ ...base, Password: 'wrong', 'CA certificate': server.ca! }, 'basic')).toMatch(
      /credential|401|auth/i,
    );
    expect(await fillAndTest({ ...base, Password: 's3cret', 'CA certificate': server.ca! }, 'basic')).toContain(
      '1 release tag found',
    );
    // The password is never sent back to the browser.
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Password', { exact: true }).fill('s3cret');
    await page.getByRole('button', { name: 'Add registry' }).click();
    expect(await page.locator('h1').textContent()).toBe('Registry basic');
    expect(await page.locator('dl.facts').textContent()).toContain('basic auth as ci, custom CA');
    expect(await page.content()).not.toContain('s3cret');
  });

  it('tests a bearer token and mutual TLS', async () => {
    const root = ui.registryRoot;
    const bearer = await secured({ root, auth: { type: 'bearer', token: 'tok-123' } });
    const fields = { Name: 'bearer', 'Repository URL': bearer.url('digitron') };
    await page.goto(`${ui.url}/registries/new`);
    await page.getByLabel('Allow plain http://').check();
    for (const [label, value] of Object.entries({ ...fields, Token: 'tok-123' })) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByLabel('Credentials', { exact: true }).selectOption('bearer');
    await page.getByRole('button', { name: 'Test the connection' }).click();
    expect(await page.getByRole('status').first().textContent()).toContain('1 release tag found');

    const mtls = await secured({ root, tls: 'mtls' });
    const mtlsFields = { Name: 'mtls', 'Repository URL': mtls.url('digitron'), 'CA certificate': mtls.ca! };
    expect(await fillAndTest(mtlsFields, 'none')).not.toContain('release tag found');
    const verdict = await fillAndTest(
      { ...mtlsFields, 'Client certificate': mtls.clientCert!, 'Client key': mtls.clientKey! },
      'none',
    );
    expect(verdict).toContain('1 release tag found');
  });

  it('edits, syncs and removes a registry', async () => {
    await page.goto(`${ui.url}/registries`);
    await page.getByRole('link', { name: 'basic', exact: true }).click();
    await page.getByRole('link', { name: 'Edit' }).click();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('basic');
    await page.getByLabel('Poll interval').fill('10');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await page.locator('#field-pollInterval-error').textContent()).toContain('at least 30');
    await page.getByLabel('Poll interval').fill('900');
    await page.getByRole('button', { name: 'Save changes' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Registry saved');
    expect(await page.locator('dl.facts').textContent()).toContain('900 seconds');
    // The stored password and CA were kept: the credentials are unchanged.
    expect(await page.locator('dl.facts').textContent()).toContain('basic auth as ci, custom CA');
    await page.getByRole('button', { name: 'Sync now' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Poll queued');
    await page.getByRole('button', { name: 'Remove' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Registry removed');
    expect(await page.getByRole('link', { name: 'basic', exact: true }).count()).toBe(0);
  });

  it('shows a pre-configured registry read-only', async () => {
    await page.goto(`${ui.url}/registries`);
    await page.getByRole('link', { name: 'from-file' }).click();
    expect(await page.locator('main').textContent()).toContain('Pre-configured in margo-bridge.yaml');
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const response = await page.request.post(`${ui.url}/registries/${id}/delete`, {
      form: { _csrf: csrf },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect(await ui.services.store.registries.get(id)).toBeDefined();
    expect((await page.goto(`${ui.url}/registries/${id}/edit`))?.status()).toBe(403);
  });
});
