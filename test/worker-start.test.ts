/**
 * Issue 14: configuration that Workers cannot honour is refused at start, not at the first
 * request. The real bundle (`npm run build:worker`) runs in Miniflare's workerd with wrangler.toml's
 * compatibility date and flags: with bad bindings the isolate fails to start (as `wrangler deploy`
 * sees when it validates an upload) and workerd names every reason; with good ones it serves.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorkerInto, ROOT } from './support/worker-bundle.js';
import { REFUSED_DATABASE_URL, REFUSED_PASSWORD, REFUSED_REASONS, REFUSED_YAML } from './workerd/refused-config.js';

const SECRETS = { MARGO_BRIDGE_SECRET_KEY: '0'.repeat(64), MARGO_BRIDGE_ADMIN_TOKEN: 'mb_start_test_0123456789abcdef' };

let outdir: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'worker-start-'));
  await buildWorkerInto(outdir);
}, 180_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

/** Starts the bundle with `bindings`; returns whether it started, what /healthz answered, and workerd's output. */
async function start(
  bindings: Record<string, string>,
): Promise<{ error: string | null; health: number | null; output: string }> {
  let output = '';
  const collect = (stream: Readable) => stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const compatibilityDate = /compatibility_date = "([^"]+)"/.exec(
    await readFile(join(ROOT, 'wrangler.toml'), 'utf8'),
  )?.[1];
  const mf = new Miniflare({
    name: 'margo-bridge',
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, 'worker.js'),
    modulesRules: [{ type: 'Text', include: ['**/*.yaml'] }],
    compatibilityDate,
    compatibilityFlags: ['nodejs_compat'],
    durableObjects: { BRIDGE: { className: 'BridgeObject', useSQLite: true } },
    queueProducers: { JOBS: { queueName: 'margo-bridge-jobs' } },
    bindings,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      collect(stdout);
      collect(stderr);
    },
  });
  try {
    await mf.ready;
    const response = await mf.dispatchFetch('https://bridge.test/healthz');
    await response.arrayBuffer();
    return { error: null, health: response.status, output };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), health: null, output };
  } finally {
    // A runtime that failed to start fails its disposal the same way.
    await mf.dispose().catch(() => undefined);
  }
}

describe('the Worker at start', () => {
  it('fails to start with every reason when the configuration asks for what Workers cannot do', async () => {
    const refused = await start({
      ...SECRETS,
      DATABASE_URL: REFUSED_DATABASE_URL,
      MARGO_BRIDGE_CONFIG_YAML: REFUSED_YAML,
    });
    expect(refused.health).toBeNull();
    expect(refused.error).toMatch(/failed to start/);
    expect(refused.output).toContain('this configuration needs the container (Workers cannot do it)');
    for (const reason of REFUSED_REASONS) expect(refused.output).toContain(reason);
    expect(refused.output).not.toContain(REFUSED_PASSWORD);
  }, 120_000);

  it('fails to start without the secrets Workers require, naming them', async () => {
    const refused = await start({});
    expect(refused.health).toBeNull();
    expect(refused.output).toContain('MARGO_BRIDGE_SECRET_KEY: required on Workers');
    expect(refused.output).toContain('MARGO_BRIDGE_ADMIN_TOKEN: required on Workers');
  }, 120_000);

  it('starts and serves with a configuration Workers can honour', async () => {
    const started = await start({ ...SECRETS, MARGO_BRIDGE_CONFIG_YAML: 'polling:\n  interval: 600\n' });
    expect(started.error).toBeNull();
    expect(started.health).toBe(200);
    expect(started.output).not.toContain('Uncaught');
  }, 120_000);
});
