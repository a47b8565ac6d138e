/**
 * Start-up behaviour of the Node runtime: the first admin token, reconciliation of registries
 * from margo-bridge.yaml at each start, and `margo-bridge poll` (one round, then exit).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CliIo } from '../src/cli/command.js';
import { pollCommand } from '../src/cli/poll.js';
import { runCli } from '../src/cli/run.js';
import { banner } from '../src/cli/serve.js';
import { loadConfig } from '../src/config/node/load.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime, startService } from '../src/runtime/node/index.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { type LogEntry, recordingLogger } from './support/recording-logger.js';
import { buildFixtureRegistries, createRegistryRoot, removeRegistryRoot } from './support/registries.js';

let root: string;
let server: GitServer;
let dir: string;

beforeAll(async () => {
  root = await createRegistryRoot();
  await buildFixtureRegistries(root);
  server = await startGitServer({ root, auth: { type: 'bearer', token: 'file-token' } });
  dir = await mkdtemp(join(tmpdir(), 'mb-runtime-'));
});

afterAll(async () => {
  await server?.stop();
  if (root) await removeRegistryRoot(root);
  if (dir) await rm(dir, { recursive: true, force: true });
});

function io(env: Record<string, string>): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: dir, env };
}

async function writeConfig(registries: Record<string, unknown>[]): Promise<string> {
  const path = join(dir, 'margo-bridge.yaml');
  await writeFile(path, stringify({ allowPrivateNetworks: true, logLevel: 'silent', registries }));
  return path;
}

describe('start-up', () => {
  it('mints the first admin token once the server listens, and registers MARGO_BRIDGE_ADMIN_TOKEN', async () => {
    const dataDir = join(dir, 'tokens');
    const config = loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir, PORT: '0' }, cwd: dir }).config;
    const built = await buildRuntime(config, { logger: silentLogger });
    // Building the runtime (as `poll` does) mints nothing: nobody would see the token.
    expect(await built.services.store.tokens.list()).toEqual([]);
    const first = await startService(built);
    expect(first.adminToken.source).toBe('generated');
    const generated = first.adminToken.source === 'generated' ? first.adminToken.token : '';
    expect(generated).toMatch(/^mb_/);
    const stored = await built.services.store.tokens.findByHash(await built.services.hashToken(generated));
    expect(stored?.role).toBe('admin');
    await first.stop();

    const again = await startService(await buildRuntime(config, { logger: silentLogger }));
    expect(again.adminToken).toEqual({ source: 'earlier' });
    await again.stop();

    const env = { MARGO_BRIDGE_DATA_DIR: dataDir, PORT: '0', MARGO_BRIDGE_ADMIN_TOKEN: 'operator-chosen-admin-token' };
    const second = await startService(
      await buildRuntime(loadConfig({ env, cwd: dir }).config, { logger: silentLogger }),
    );
    expect(second.adminToken).toEqual({ source: 'environment' });
    const fromEnv = await second.runtime.services.store.tokens.findByHash(
      await second.runtime.services.hashToken('operator-chosen-admin-token'),
    );
    expect(fromEnv?.role).toBe('admin');
    await second.stop();
  });

  it('a busy port fails the start with one line and exit 1, before any admin token is minted', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as AddressInfo).port);
    const dataDir = join(dir, 'busy');
    try {
      const run = io({ MARGO_BRIDGE_DATA_DIR: dataDir, PORT: port, MARGO_BRIDGE_LOG_LEVEL: 'silent' });
      expect(await runCli(['serve'], run)).toBe(1);
      expect(run.err.join('')).toBe(
        `margo-bridge serve: cannot listen on 127.0.0.1:${port}: the port is in use by another process (set PORT to another port)\n`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    // The next start on that database mints the token and prints it.
    const service = await startService(
      await buildRuntime(loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir, PORT: '0' }, cwd: dir }).config, {
        logger: silentLogger,
      }),
    );
    expect(service.adminToken.source).toBe('generated');
    await service.stop();
  });

  it('the banner says where the admin token comes from and prints an export TOKEN line', () => {
    const url = 'http://127.0.0.1:8787';
    const generated = banner(url, { source: 'generated', token: 'mb_abc' }, 'http://127.0.0.1:1/demo.git');
    expect(generated).toContain('\n      export TOKEN=mb_abc\n');
    expect(generated).toContain(`curl -H "Authorization: Bearer $TOKEN" ${url}/api/v1/applications`);
    const fromEnv = banner(url, { source: 'environment' }, undefined);
    expect(fromEnv).toContain('the value of MARGO_BRIDGE_ADMIN_TOKEN');
    expect(fromEnv).toContain('export TOKEN="$MARGO_BRIDGE_ADMIN_TOKEN"');
    expect(fromEnv).not.toContain('printed');
    expect(banner(url, { source: 'earlier' }, undefined)).toContain('Restart with MARGO_BRIDGE_ADMIN_TOKEN=');
  });

  it('`margo-bridge poll` on a fresh database mints no admin token', async () => {
    const dataDir = join(dir, 'poll-first');
    const round = io({ MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_LOG_LEVEL: 'silent' });
    expect(await pollCommand.run([], round)).toBe(0);
    const runtime = await buildRuntime(loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir }, cwd: dir }).config, {
      logger: silentLogger,
    });
    try {
      expect(await runtime.services.store.tokens.list()).toHaveLength(0);
    } finally {
      await runtime.close();
    }
  });

  it("the demo registry is marked as the demo's, polled at a --demo start, and parked by a start without --demo", {
    timeout: 60_000,
  }, async () => {
    const dataDir = join(dir, 'demo-state');
    const config = loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir }, cwd: dir }).config;
    const withDemo = await buildRuntime(config, { demo: true, logger: silentLogger });
    const before = Date.now();
    try {
      const demo = await withDemo.services.store.registries.getByName('demo');
      expect(demo?.demo).toBe(true);
      // Due now: the scheduler's first tick polls it, so a changed demo package shows at once.
      expect(demo?.nextPollAt).toBeLessThanOrEqual(Date.now());
      await withDemo.services.store.registries.update(demo?.id ?? '', { nextPollAt: before + 45_000 });
    } finally {
      await withDemo.close();
    }
    const again = await buildRuntime(config, { demo: true, logger: silentLogger });
    expect((await again.services.store.registries.getByName('demo'))?.nextPollAt).toBeLessThan(before + 45_000);
    await again.close();

    const entries: LogEntry[] = [];
    const plain = await buildRuntime(config, { logger: recordingLogger(entries) });
    try {
      const parked = await plain.services.store.registries.getByName('demo');
      expect(parked?.nextPollAt).toBeGreaterThan(Date.now() + 100 * 365 * 24 * 3600 * 1000);
      expect(await plain.services.store.registries.due(Date.now(), 10)).toEqual([]);
    } finally {
      await plain.close();
    }
    expect(entries.filter((entry) => entry.message.includes('demonstration registry'))).toEqual([
      expect.objectContaining({ level: 'info', fields: { registry: 'demo' } }),
    ]);
    // `poll` without --registry leaves it alone; naming it says why it is not polled.
    const round = io({ MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_LOG_LEVEL: 'silent' });
    expect(await pollCommand.run([], round)).toBe(0);
    expect(round.out.join('')).toContain('polled 0 registries');
    const named = io({ MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_LOG_LEVEL: 'silent' });
    expect(await pollCommand.run(['--registry', 'demo'], named)).toBe(1);
    expect(named.err.join('')).toContain(
      "'demo' is the demonstration registry; only serve --demo (npm start) serves it",
    );
  });

  it('reconciles registries from the file at each start: created, updated, never deleted', async () => {
    const dataDir = join(dir, 'reconcile');
    const env = { MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_CONFIG: '' };
    const hello = {
      name: 'hello',
      url: server.url('hello'),
      allowHttp: true,
      pollInterval: 60,
      auth: { type: 'bearer', token: 'file-token' },
    };
    const configPath = await writeConfig([
      hello,
      {
        name: 'compose',
        url: server.url('monorepo'),
        subPath: 'packages/compose',
        allowHttp: true,
        auth: { type: 'bearer', token: 'file-token' },
      },
    ]);
    const first = await buildRuntime(loadConfig({ env, cwd: dir, configPath }).config, { logger: silentLogger });
    const created = await first.services.store.registries.list();
    expect(created.map((r) => r.name).sort()).toEqual(['compose', 'hello']);
    const helloRecord = created.find((r) => r.name === 'hello');
    expect(helloRecord).toMatchObject({ configured: true, pollInterval: 60, credentialSummary: { auth: 'bearer' } });
    expect(helloRecord?.secretsCiphertext).not.toContain('file-token');
    await first.close();

    await writeConfig([{ ...hello, pollInterval: 120 }]);
    const second = await buildRuntime(loadConfig({ env, cwd: dir, configPath }).config, { logger: silentLogger });
    const after = await second.services.store.registries.list();
    expect(after.map((r) => r.name).sort()).toEqual(['compose', 'hello']);
    expect(after.find((r) => r.name === 'hello')?.pollInterval).toBe(120);
    expect(after.find((r) => r.name === 'hello')?.id).toBe(helloRecord?.id);
    await second.close();
  });

  it('`margo-bridge poll` runs one round, ingests, and exits; a second round finds nothing new', async () => {
    const dataDir = join(dir, 'reconcile');
    const env = { MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_CONFIG: join(dir, 'margo-bridge.yaml') };
    const first = io(env);
    expect(await pollCommand.run(['--registry', 'hello'], first)).toBe(0);
    // No deployment has an upgrade policy here, so a new release runs its ingest job only.
    expect(first.out.join('')).toMatch(/polled 1 registries: 5 new releases, 5 jobs run, 0 failed/);
    const second = io(env);
    expect(await pollCommand.run([], second)).toBe(0);
    expect(second.out.join('')).toMatch(/polled 2 registries: 1 new releases, 1 jobs run, 0 failed/);
    const third = io(env);
    expect(await pollCommand.run([], third)).toBe(0);
    expect(third.out.join('')).toMatch(/polled 2 registries: 0 new releases, 0 jobs run, 0 failed/);
    const unknown = io(env);
    expect(await pollCommand.run(['--registry', 'nope'], unknown)).toBe(1);
    expect(unknown.err.join('')).toContain("no registry named 'nope'");
  });

  it('`margo-bridge poll` reports a registry another process is polling as deferred, not polled', async () => {
    const env = { MARGO_BRIDGE_DATA_DIR: join(dir, 'reconcile'), MARGO_BRIDGE_CONFIG: join(dir, 'margo-bridge.yaml') };
    // The other process: a second runtime on the same database, holding hello's poll lease.
    const other = await buildRuntime(loadConfig({ env, cwd: dir }).config, { logger: silentLogger });
    try {
      const registries = await other.services.store.registries.list();
      const hello = registries.find((registry) => registry.name === 'hello');
      if (!hello) throw new Error('hello is configured by the test before');
      const now = Date.now();
      expect(await other.services.store.registries.acquirePollLease(hello.id, 'other', now, now + 60_000)).toBe(
        'acquired',
      );
      const round = io(env);
      expect(await pollCommand.run([], round)).toBe(0);
      const out = round.out.join('');
      expect(out).toMatch(/polled 1 registries: 0 new releases, 0 jobs run, 0 failed, 1 deferred\n/);
      expect(out).toContain('  hello: deferred: another process is polling it and polls once more when done\n');
      expect(out).not.toContain('compose: deferred');
      // The deferred poll asked the holder to look once more before it lets go.
      expect(await other.services.store.registries.releasePollLease(hello.id, 'other', Date.now())).toBe('again');
      expect(await other.services.store.registries.releasePollLease(hello.id, 'other', Date.now())).toBe('released');
    } finally {
      await other.close();
    }
    const after = io(env);
    expect(await pollCommand.run(['--registry', 'hello'], after)).toBe(0);
    expect(after.out.join('')).toMatch(/polled 1 registries: 0 new releases, 0 jobs run, 0 failed, 0 deferred\n/);
  });

  it('reports a bad configuration file with the key and exits 2', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'polling:\n  intervall: 60\n');
    const run = io({ MARGO_BRIDGE_DATA_DIR: join(dir, 'bad') });
    expect(await runCli(['poll', '--config', path], run)).toBe(2);
    expect(run.err.join('')).toContain('polling.intervall: unknown key');
  });
});
