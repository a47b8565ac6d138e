/**
 * README's Cloudflare Workers steps against what they configure: the queues it creates are the
 * ones wrangler.toml binds, the secrets it puts are settings margo-bridge reads (and keeps
 * secret), and what Workers refuses is what README says. The bundle itself: worker-bundle.test.ts.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentVariables } from '../src/config/env.js';
import { buildWorkerInto, ROOT } from './support/worker-bundle.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const wrangler = readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8');

function workersSection(): string {
  const start = readme.indexOf('### Cloudflare Workers');
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start);
  return readme.slice(start, end);
}

function commands(section: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

describe("README's Cloudflare Workers steps", () => {
  const steps = commands(workersSection());

  it('create exactly the queues wrangler.toml binds (jobs and their dead-letter queue)', () => {
    const created = steps.flatMap((step) => /wrangler queues create (\S+)/.exec(step)?.[1] ?? []);
    const bound = [...wrangler.matchAll(/^\s*(?:queue|dead_letter_queue)\s*=\s*"([^"]+)"/gm)].map((match) => match[1]);
    expect(created.sort()).toEqual([...new Set(bound)].sort());
    expect(wrangler).toMatch(/dead_letter_queue\s*=\s*"margo-bridge-jobs-dead"/);
    expect(wrangler).toMatch(/max_retries\s*=\s*\d+/);
  });

  it('put as secrets only settings margo-bridge reads as secrets, the required ones included', () => {
    const secrets = steps.flatMap((step) => /wrangler secret put (\S+)/.exec(step)?.[1] ?? []);
    for (const name of secrets) expect(environmentVariables[name]?.secret, name).toBe(true);
    expect(secrets).toEqual(expect.arrayContaining(['MARGO_BRIDGE_SECRET_KEY', 'MARGO_BRIDGE_ADMIN_TOKEN']));
    // Secrets never sit in wrangler.toml's [vars].
    for (const name of secrets) expect(wrangler).not.toMatch(new RegExp(`^\\s*${name}\\s*=`, 'm'));
  });

  it('end with the deploy that `npm run build:worker` rehearses, with the Durable Object, Queue and Cron Trigger', () => {
    expect(steps.at(-1)).toBe('npx wrangler deploy');
    expect(wrangler).toMatch(/^main = "src\/runtime\/worker\.ts"$/m);
    expect(wrangler).toMatch(/new_sqlite_classes = \["BridgeObject"\]/);
    expect(wrangler).toMatch(/crons = \["[^"]+"\]/);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['build:worker']).toBe('wrangler deploy --dry-run --outdir dist-worker');
  });

  it("create a Hyperdrive configuration, uncached, that wrangler.toml's commented section binds as the Worker's HYPERDRIVE", async () => {
    const create = steps.find((step) => step.includes('wrangler hyperdrive create'));
    expect(create).toMatch(/ --caching-disabled /);
    expect(create).toMatch(/ --connection-string="postgres:\/\/[^"]+"$/);
    const section = /^# \[\[hyperdrive\]\]\n# binding = "(\w+)"\n# id = "[^"]*"$/m.exec(wrangler);
    expect(section?.[1]).toBe('HYPERDRIVE');
    expect(readFileSync(new URL('../src/runtime/worker/env.ts', import.meta.url), 'utf8')).toMatch(
      /^\s+HYPERDRIVE\?:/m,
    );
    // Uncommented with an id, as the step says, wrangler accepts it and binds it (no account needed).
    const uncommented = section![0].replace(/^# /gm, '').replace(/id = "[^"]*"/, `id = "${'0'.repeat(32)}"`);
    const config = wrangler.replace(section![0], uncommented).replace(/^main = "([^"]+)"$/m, `main = "${ROOT}$1"`);
    const dir = await mkdtemp(join(tmpdir(), 'worker-hyperdrive-'));
    try {
      await writeFile(join(dir, 'wrangler.toml'), config);
      const log = await buildWorkerInto(join(dir, 'out'), join(dir, 'wrangler.toml'));
      expect(log).toMatch(/env\.HYPERDRIVE\b/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
