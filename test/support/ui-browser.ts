/**
 * Debian's Chromium driven by playwright-core (no browser download), for the web page tests.
 *
 *   const browser = await openBrowser({ javaScript: false });   // a fresh profile directory
 *   const page = browser.page;
 *   await checkPage(page, 'catalogue');   // axe-core inside the page + screenshots at phone and desktop width
 *   await browser.close();
 *
 * axe-core is evaluated through the DevTools protocol, so the page's Content-Security-Policy
 * (no inline script) stays in force. Screenshots go to docs/screenshots/<name>-{phone,desktop}.png.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const screenshotsDir = new URL('../../docs/screenshots/', import.meta.url);

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(options: { javaScript?: boolean } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'mb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', ...FLAGS],
    javaScriptEnabled: options.javaScript ?? true,
    viewport: DESKTOP,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

let axeSource: Promise<string> | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core's violations of level serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const source = await axeSource;
  // A string is evaluated by the DevTools protocol as a script: no eval inside the page, so the CSP holds.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const scope = globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } };
    return (await scope.axe.run()).violations;
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Runs axe-core and writes the page's screenshots; returns the serious or critical violations. */
export async function checkPage(page: Page, name: string, options: { screenshots?: boolean } = {}) {
  const violations = await seriousViolations(page);
  if (options.screenshots !== false) {
    await mkdir(screenshotsDir, { recursive: true });
    const viewport = page.viewportSize() ?? DESKTOP;
    for (const [label, size] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      await page.setViewportSize(size);
      await page.screenshot({ path: new URL(`${name}-${label}.png`, screenshotsDir).pathname, fullPage: true });
    }
    await page.setViewportSize(viewport);
  }
  return violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
}
