/**
 * The End User's path through the web pages only, in Chromium, with and without JavaScript:
 * sign in, add a registry on the real test Git server, find the digitron example in the
 * catalogue, fill the generated form (one invalid value first), review the files, open the pull
 * request (on `local` and on the fake GitHub), change a value, approve on `local` → merged.
 * axe-core checks every page; the JavaScript run writes the screenshots under docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './support/fake-github/index.js';
import { checkPage, openBrowser, type TestBrowser } from './support/ui-browser.js';
import { DIGITRON_ID, DIGITRON_VERSION, startUiService, type UiService } from './support/ui-service.js';

const WAIT_MS = 20_000;

for (const javaScript of [true, false]) {
  describe(`web pages, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    let ui: UiService;
    let browser: TestBrowser;
    let github: FakeGitHub;
    let page: Page;
    const violations: Record<string, unknown[]> = {};

    /**
     * axe-core and screenshots of the current page, from the JavaScript run: with script execution
     * disabled the browser runs no script at all, axe included, and the pages are the same HTML.
     */
    async function check(name: string): Promise<void> {
      if (javaScript) violations[name] = await checkPage(page, name);
    }

    beforeAll(async () => {
      ui = await startUiService();
      github = await startFakeGitHub();
      await github.createRepo({ owner: 'acme', repo: 'deploy', files: { 'README.md': '# deployments\n' } });
      browser = await openBrowser({ javaScript });
      page = browser.page;
      page.setDefaultTimeout(10_000);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await github?.stop();
      await ui?.stop();
    });

    it('signs in with an API token', async () => {
      await page.goto(`${ui.url}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      await check('sign-in');
      await page.getByLabel('API token').fill('not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('.error-summary').textContent()).toContain('unknown or was revoked');
      await page.getByLabel('API token').fill(ui.tokens.admin);
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(new URL(page.url()).pathname).toBe('/catalogue');
      const cookies = await browser.context.cookies();
      const session = cookies.find((cookie) => cookie.name === 'mb_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    });

    it('adds a registry on the test Git server, showing the connection test first', async () => {
      await page.getByRole('link', { name: 'Registries' }).click();
      await check('registries-empty');
      await page.getByRole('link', { name: 'Add a registry' }).click();
      await page.getByLabel('Name', { exact: true }).fill('digitron');
      await page.getByLabel('Repository URL').fill(ui.registryUrl);
      await page.getByRole('button', { name: 'Test the connection' }).click();
      // Plain http:// needs the explicit opt-in: the flow's message stands beside the URL field.
      await expect.poll(() => page.locator('#field-url-error').textContent()).toContain('http://');
      await check('registry-form-error');
      await page.getByLabel('Allow plain http://').check();
      await page.getByRole('button', { name: 'Test the connection' }).click();
      await expect.poll(() => page.getByRole('status').first().textContent()).toContain('1 release tag found');
      await check('registry-form');
      await page.getByRole('button', { name: 'Add registry' }).click();
      expect(await page.locator('h1').textContent()).toBe('Registry digitron');
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.locator('main').textContent();
          },
          { timeout: WAIT_MS, interval: 500 },
        )
        .toContain('1 usable');
      await check('registry');
    });

    it('adds the deployment repositories: local, and GitHub after a refused token', async () => {
      await page.getByRole('link', { name: 'Repositories' }).click();
      await page.getByRole('link', { name: 'Add a deployment repository' }).click();
      await page.getByLabel('Name', { exact: true }).fill('local');
      await page.getByLabel('Provider', { exact: true }).selectOption('local');
      // With script, the settings of other providers are hidden; without, they are all there.
      expect(await page.getByLabel('Owner').isVisible()).toBe(!javaScript);
      await check('repository-form');
      await page.getByRole('button', { name: 'Add deployment repository' }).click();
      expect(await page.locator('.notice').textContent()).toContain('Deployment repository added');
      await page.getByRole('link', { name: 'Add a deployment repository' }).click();
      await page.getByLabel('Name', { exact: true }).fill('github');
      await page.getByLabel('Provider', { exact: true }).selectOption('github');
      await page.getByLabel('Owner').fill('acme');
      await page.getByLabel('Repository', { exact: true }).fill('deploy');
      await page.getByLabel('API URL').fill(github.apiUrl);
      await page.getByLabel('Token', { exact: true }).fill('not-a-github-token');
      await page.getByRole('button', { name: 'Add deployment repository' }).click();
      expect(await page.locator('.error-summary').textContent()).toMatch(/credential|token|401/i);
      expect(await page.getByLabel('Owner').inputValue()).toBe('acme');
      await check('repository-form-error');
      await page.getByLabel('Token', { exact: true }).fill(github.addToken({ repositories: ['acme/deploy'] }));
      await page.getByRole('button', { name: 'Add deployment repository' }).click();
      expect(await page.locator('.notice').textContent()).toContain('Deployment repository added');
      expect(await page.locator('tbody tr').count()).toBe(2);
      await check('repositories');
    });

    it('shows the digitron example in the catalogue with its safe release notes', async () => {
      await page.getByRole('link', { name: 'Catalogue' }).click();
      await page.getByLabel('Search').fill('digitron');
      await page.getByRole('button', { name: 'Filter' }).click();
      await expect.poll(() => page.locator('.card h2').allTextContents()).toEqual(['Digitron orchestrator']);
      expect(await page.locator('.card').textContent()).toContain('Northstar Industrial Applications');
      expect(await page.locator('.card img').getAttribute('src')).toContain('/resources/icon');
      await check('catalogue');
      await page.getByRole('link', { name: 'Digitron orchestrator' }).click();
      await check('application');
      await page.getByRole('link', { name: DIGITRON_VERSION, exact: true }).click();
      const notes = page.locator('#release-notes');
      expect(await notes.textContent()).toContain('<script>');
      expect(await notes.locator('script, img').count()).toBe(0);
      expect(await notes.locator('a[href^="javascript"]').count()).toBe(0);
      expect(await notes.locator('a[href="https://example.com/docs"]').count()).toBe(1);
      expect(await page.evaluate(() => (globalThis as { pwned?: unknown }).pwned)).toBeUndefined();
      await check('version');
    });

    it('configures the version: an invalid value is refused beside its field, the rest is kept', async () => {
      await page.getByRole('link', { name: 'Configure and deploy' }).click();
      expect(await page.getByLabel('Poll Frequency', { exact: true }).inputValue()).toBe('30');
      await check('configure');
      await page.getByLabel('Deployment repository').selectOption('local');
      await page.getByLabel('Target').fill('plant-a/line-3');
      await page.getByLabel('Poll Frequency', { exact: true }).fill('5000');
      // With script, the browser's own check shows while typing; the server's verdict comes on submit.
      if (javaScript) expect(await page.locator('#field-pollFrequency-live').textContent()).not.toBe('');
      await page.getByLabel('Name', { exact: true }).fill('corp-idp');
      await page.getByLabel('Provider', { exact: true }).fill('oidc');
      await page.getByLabel('Client ID', { exact: true }).fill('digitron');
      await page.getByLabel('Provider URL', { exact: true }).fill('https://login.example.com');
      await page.getByLabel('Presentation Name', { exact: true }).fill('Ada Admin');
      await page.getByLabel('Principal Name', { exact: true }).fill('ada@example.com');
      await page.getByRole('button', { name: 'Review the files' }).click();
      expect(await page.locator('#field-pollFrequency-error').textContent()).toContain('at most 360');
      expect(await page.getByLabel('Poll Frequency', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.error-summary a').first().getAttribute('href')).toBe('#field-pollFrequency');
      expect(await page.getByLabel('Poll Frequency', { exact: true }).inputValue()).toBe('5000');
      expect(await page.getByLabel('Presentation Name', { exact: true }).inputValue()).toBe('Ada Admin');
      expect(await page.getByLabel('Target').inputValue()).toBe('plant-a/line-3');
      await check('configure-errors');
      await page.getByLabel('Poll Frequency', { exact: true }).fill('60');
      await page.getByRole('button', { name: 'Review the files' }).click();
      expect(await page.locator('h1').textContent()).toBe('Review the deployment');
      expect(await page.locator('details summary').allTextContents()).toContain(
        'plant-a/line-3/com-northstartida-digitron-orchestrator-deployment/application-deployment.yaml',
      );
      await check('review');
    });

    it('opens the pull request on local and shows the deployment', async () => {
      await page.getByRole('button', { name: 'Open pull request' }).click();
      expect(await page.locator('.notice').textContent()).toContain('Pull request opened');
      expect(await page.locator('main .badge').first().textContent()).toBe('proposed');
      expect(await page.locator('#proposal-link').textContent()).toContain('margo-bridge/');
      await check('deployment');
    });

    it('changes a value and sees the proposal updated, then approves it: merged', async () => {
      await page.getByRole('link', { name: 'Change values' }).click();
      // Not installed yet (nothing merged): immutable settings may still change (D-12).
      expect(await page.getByLabel('Name', { exact: true }).getAttribute('readonly')).toBeNull();
      await page.getByLabel('Presentation Name', { exact: true }).fill('Grace Admin');
      await page.getByRole('button', { name: 'Review the files' }).click();
      expect(await page.locator('pre.diff').textContent()).toContain('Grace Admin');
      await check('review-change');
      await page.getByRole('button', { name: 'Open pull request' }).click();
      expect(await page.locator('.notice').textContent()).toContain('Proposal updated');
      expect(await page.locator('main').textContent()).toContain('Grace Admin');
      await page.getByRole('button', { name: 'Approve and merge' }).click();
      expect(await page.locator('main .badge').first().textContent()).toBe('merged');
      await page.getByRole('link', { name: 'Change values' }).click();
      expect(await page.getByLabel('Name', { exact: true }).getAttribute('readonly')).not.toBeNull();
      expect(await page.getByLabel('Presentation Name', { exact: true }).inputValue()).toBe('Grace Admin');
      await check('change');
      await page.getByRole('link', { name: 'Deployments' }).click();
      expect(await page.locator('tbody tr').count()).toBe(1);
      await check('deployments');
    });

    it('opens a pull request on the fake GitHub and links to it', async () => {
      await page.goto(`${ui.url}/configure/${DIGITRON_ID}/${DIGITRON_VERSION}?profile=compose`);
      await page.getByLabel('Deployment repository').selectOption('github');
      await page.getByLabel('Target').fill('plant-b');
      for (const [label, value] of [
        ['Name', 'corp-idp'],
        ['Provider', 'oidc'],
        ['Client ID', 'digitron'],
        ['Provider URL', 'https://login.example.com'],
        ['Presentation Name', 'Ada Admin'],
        ['Principal Name', 'ada@example.com'],
      ] as const) {
        await page.getByLabel(label, { exact: true }).fill(value);
      }
      // The compose profile has no component that takes CPU or memory limits: those settings are hidden.
      expect(await page.getByLabel('CPU Limit', { exact: true }).count()).toBe(0);
      await page.getByRole('button', { name: 'Review the files' }).click();
      await page.getByRole('button', { name: 'Open pull request' }).click();
      const link = page.locator('#proposal-link');
      expect(await link.getAttribute('href')).toMatch(/\/acme\/deploy\/pull\/1$/);
      expect(github.pulls('acme', 'deploy')).toHaveLength(1);
    });

    it.runIf(javaScript)('has no serious or critical accessibility violation on any page', () => {
      expect(Object.keys(violations).length).toBeGreaterThanOrEqual(12);
      expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((name) => [name, []])));
    });
  });
}
