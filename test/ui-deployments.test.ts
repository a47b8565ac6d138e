/**
 * Deployment pages in Chromium without JavaScript: a value marked sensitive stays masked on every
 * page after the submission, an upgrade to a newer version found by "sync now", closing a proposal,
 * removing a deployment, and the list's filters.
 */

import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleText, publishRelease, withVersion } from './support/registries.js';
import { openBrowser, type TestBrowser } from './support/ui-browser.js';
import {
  addRegistryAndWait,
  adminApi as api,
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronExample,
  startUiService,
  type UiService,
} from './support/ui-service.js';

const WAIT_MS = 20_000;
const SECRET = 'super-secret-client-id';

describe('deployment pages', () => {
  let ui: UiService;
  let browser: TestBrowser;
  let page: Page;
  let registryId: string;
  let deploymentPath: string;

  beforeAll(async () => {
    ui = await startUiService();
    registryId = await addRegistryAndWait(ui, { name: 'digitron', url: ui.registryUrl }, DIGITRON_ID, DIGITRON_VERSION);
    // Sensitive values need SOPS recipients or an explicit plain-text consent (tested elsewhere).
    await api(ui, 'POST', '/api/v1/deployment-repositories', {
      provider: 'local',
      name: 'local',
      allowPlaintextSecrets: true,
    });
    await api(ui, 'POST', '/api/v1/deployment-repositories', { provider: 'local', name: 'strict' });
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
    // A repository with neither SOPS recipients nor consent to plain text refuses, beside the field.
    await page.getByLabel('Deployment repository').selectOption('strict');
    await page.getByRole('button', { name: 'Review the files' }).click();
    await page.getByRole('button', { name: 'Open pull request' }).click();
    expect(await page.locator('#field-idpClientId-error').textContent()).toContain('plaintext');
    expect(await page.getByLabel('Client ID', { exact: true }).inputValue()).toBe(SECRET);
    await page.getByLabel('Deployment repository').selectOption('local');
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

  it('renders each widget from the schema and keeps every kind of typed value after an error', async () => {
    // The base fixture (select, multiselect, boolean, double, immutable integer) plus an array[integer].
    const base = await readFile(new URL('fixtures/margo/base.yaml', import.meta.url), 'utf8');
    const description = base
      .replace(
        'parameters:\n',
        'parameters:\n  extraPorts:\n    targets:\n      - pointer: service.extraPorts\n        components: [sensor-chart]\n',
      )
      .replace(
        '        - parameter: site\n',
        '        - parameter: extraPorts\n          name: Extra ports\n          schema: portList\n        - parameter: site\n',
      )
      .replace(
        '  schema:\n',
        '  schema:\n    - name: portList\n      dataType: array[integer]\n      minValue: 1\n      maxValue: 65535\n      allowEmpty: true\n',
      );
    await publishRelease(ui.registryRoot, 'sensor', 'v1.2.0', { 'margo.yaml': description });
    await addRegistryAndWait(
      ui,
      { name: 'sensor', url: ui.registryUrl.replace('digitron', 'sensor') },
      'com-example-sensor',
      '1.2.0',
    );
    await page.goto(`${ui.url}/configure/com-example-sensor/1.2.0`);
    expect(await page.getByLabel('Log level', { exact: true }).evaluate((element) => element.tagName)).toBe('SELECT');
    expect(await page.getByLabel('Log level', { exact: true }).inputValue()).toBe('info');
    expect(await page.getByLabel('Ratio', { exact: true }).getAttribute('step')).toBe('0.01');
    expect(await page.getByLabel('Ratio', { exact: true }).inputValue()).toBe('1.50');
    expect(await page.getByLabel('Port', { exact: true }).getAttribute('min')).toBe('1024');
    expect(await page.getByLabel('Greeting', { exact: true }).getAttribute('maxlength')).toBe('10');
    expect(await page.getByLabel('Extra ports', { exact: true }).evaluate((element) => element.tagName)).toBe(
      'TEXTAREA',
    );
    await page.getByLabel('Deployment repository').selectOption('local');
    await page.getByLabel('Target').fill('plant-s');
    await page.getByRole('group', { name: 'Features' }).getByLabel('metrics').check();
    await page.getByRole('group', { name: 'Features' }).getByLabel('logs').check();
    await page.getByLabel('Debug', { exact: true }).check();
    await page.getByLabel('Log level', { exact: true }).selectOption('warn');
    await page.getByLabel('Extra ports', { exact: true }).fill('80\n99999');
    await page.getByRole('button', { name: 'Review the files' }).click();
    expect(await page.locator('[id="field-extraPorts-error"]').textContent()).toContain('item 2');
    expect(await page.getByLabel('Extra ports', { exact: true }).inputValue()).toBe('80\n99999');
    expect(await page.getByRole('group', { name: 'Features' }).getByLabel('metrics').isChecked()).toBe(true);
    expect(await page.getByRole('group', { name: 'Features' }).getByLabel('traces').isChecked()).toBe(false);
    expect(await page.getByLabel('Debug', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Log level', { exact: true }).inputValue()).toBe('warn');
    await page.getByLabel('Extra ports', { exact: true }).fill('80\n443');
    await page.getByRole('button', { name: 'Review the files' }).click();
    const files = (await page.locator('details pre').allTextContents()).join('\n');
    expect(files).toMatch(/extraPorts:\s+value:\s+- 80\s+- 443/);
    expect(files).toMatch(/features:\s+value:\s+- metrics\s+- logs/);
    expect(files).toMatch(/debug:\s+value: true/);
    expect(files).toMatch(/level:\s+value: warn/);
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
