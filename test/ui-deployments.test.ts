/**
 * Deployment pages in Chromium without JavaScript: a value marked sensitive stays masked on every
 * page after the submission, an upgrade to a newer version found by "sync now", closing a proposal,
 * removing a deployment, and the list's filters.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleText, publishRelease, withVersion } from './support/registries.js';
import { openBrowser, type TestBrowser } from './support/ui-browser.js';
import {
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronExample,
  startUiService,
  type UiService,
} from './support/ui-service.js';

const WAIT_MS = 20_000;
const SECRET = 'super-secret-client-id';

async function api(ui: UiService, method: string, path: string, body?: unknown): Promise<{ id: string }> {
  const response = await fetch(`${ui.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ui.tokens.admin}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as { id: string };
}

describe('deployment pages', () => {
  let ui: UiService;
  let browser: TestBrowser;
  let page: Page;
  let registryId: string;
  let deploymentPath: string;

  beforeAll(async () => {
    ui = await startUiService();
    registryId = (
      await api(ui, 'POST', '/api/v1/registries', { name: 'digitron', url: ui.registryUrl, allowHttp: true })
    ).id;
    await api(ui, 'POST', '/api/v1/deployment-repositories', { provider: 'local', name: 'local' });
    const deadline = Date.now() + WAIT_MS;
    while (!(await ui.services.store.versions.get(DIGITRON_ID, DIGITRON_VERSION))) {
      if (Date.now() > deadline) throw new Error('the digitron version was not ingested in time');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await openBrowser({ javaScript: false });
    page = browser.page;
    page.setDefaultTimeout(10_000);
    await page.goto(`${ui.url}/sign-in`);
    await page.getByLabel('API token').fill(ui.tokens.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('masks a value marked sensitive on every page after the submission', async () => {
    await page.goto(`${ui.url}/configure/${DIGITRON_ID}/${DIGITRON_VERSION}?profile=compose`);
    await page.getByLabel('Deployment repository').selectOption('local');
    await page.getByLabel('Target').fill('plant-c');
    for (const [label, value] of [
      ['Name', 'corp-idp'],
      ['Provider', 'oidc'],
      ['Client ID', SECRET],
      ['Provider URL', 'https://login.example.com'],
      ['Presentation Name', 'Ada Admin'],
      ['Principal Name', 'ada@example.com'],
    ] as const) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByLabel('Sensitive: mask “Client ID” on every page').check();
    await page.getByRole('button', { name: 'Review the files' }).click();
    const row = page.locator('tr', { hasText: 'Client ID' });
    expect(await row.locator('code').textContent()).toBe('••••••');
    expect(await page.locator('pre.file').allTextContents()).not.toContain(SECRET);
    expect((await page.locator('details pre').allTextContents()).join('\n')).not.toContain(SECRET);
    await page.getByRole('button', { name: 'Open pull request' }).click();
    deploymentPath = new URL(page.url()).pathname;
    expect(await page.locator('tr', { hasText: 'idpClientId' }).locator('code').textContent()).toBe('••••••');
    expect(await page.content()).not.toContain(SECRET);
    await page.getByRole('link', { name: 'Change values' }).click();
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.getByLabel('Client ID', { exact: true }).inputValue()).toBe('');
    // Left empty, the sensitive value is kept: the change proposes only the new name.
    await page.getByLabel('Presentation Name', { exact: true }).fill('Grace Admin');
    await page.getByRole('button', { name: 'Review the files' }).click();
    expect(await page.locator('pre.diff').textContent()).toContain('ADMIN_NAME');
    expect(await page.content()).not.toContain(SECRET);
    await page.getByRole('button', { name: 'Open pull request' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Proposal updated');
    expect(await page.content()).not.toContain(SECRET);
  });

  it('closes a proposal', async () => {
    await page.goto(`${ui.url}${deploymentPath}`);
    await page.getByRole('button', { name: 'Close proposal' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Proposal closed');
    expect(await page.locator('main .badge').first().textContent()).toBe('closed');
  });

  it('upgrades to a newer version that "sync now" found', async () => {
    await publishRelease(ui.registryRoot, 'digitron', 'v1.3.0', {
      'margo.yaml': withVersion(await exampleText(digitronExample), '1.3.0'),
    });
    await page.goto(`${ui.url}/registries/${registryId}`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect
      .poll(
        async () => {
          await page.goto(`${ui.url}${deploymentPath}`);
          return page.getByRole('link', { name: 'Upgrade to 1.3.0' }).count();
        },
        { timeout: WAIT_MS, interval: 500 },
      )
      .toBe(1);
    await page.getByRole('link', { name: 'Upgrade to 1.3.0' }).click();
    expect(await page.locator('h1').textContent()).toContain('Upgrade');
    await page.getByRole('button', { name: 'Review the files' }).click();
    expect(await page.locator('h1').textContent()).toBe('Review the upgrade to 1.3.0');
    await page.getByRole('button', { name: 'Open pull request' }).click();
    expect(await page.locator('main dl.facts').textContent()).toContain('1.3.0');
    expect(await page.locator('tbody tr', { hasText: 'upgrade 1.3.0' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Approve and merge' }).click();
    expect(await page.locator('main .badge').first().textContent()).toBe('merged');
  });

  it('removes a deployment and filters the list', async () => {
    await page.getByRole('button', { name: 'Remove' }).click();
    expect(await page.locator('.notice').textContent()).toContain('Removal proposed');
    await page.getByRole('button', { name: 'Approve and merge' }).click();
    expect(await page.locator('main .badge').first().textContent()).toBe('removed');
    await page.goto(`${ui.url}/deployments?state=removed`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${ui.url}/deployments?state=proposed`);
    expect(await page.locator('tbody tr').count()).toBe(0);
    await page.goto(`${ui.url}/deployments?target=plant-c&application=${DIGITRON_ID}`);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.goto(`${ui.url}/deployments?target=elsewhere`);
    expect(await page.locator('main').textContent()).toContain('No deployment matches');
  });
});
