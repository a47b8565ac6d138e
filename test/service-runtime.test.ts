/**
 * Start-up behaviour of the Node runtime: the first admin token, reconciliation of registries
 * from margo-bridge.yaml at each start, and `margo-bridge poll` (one round, then exit).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CliIo } from '../src/cli/command.js';
import { pollCommand } from '../src/cli/poll.js';
import { loadConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime } from '../src/runtime/node.js';
import { type GitServer, startGitServer } from './support/git-server.js';
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
  it('generates the first admin token once, and registers MARGO_BRIDGE_ADMIN_TOKEN', async () => {
    const dataDir = join(dir, 'tokens');
    const first = await buildRuntime(loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir }, cwd: dir }).config, {
      logger: silentLogger,
    });
    const generated = first.generatedAdminToken;
    expect(generated).toMatch(/^mb_/);
    const stored = await first.services.store.tokens.findByHash(await first.services.hashToken(generated ?? ''));
    expect(stored?.role).toBe('admin');
    await first.close();

    const env = { MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_ADMIN_TOKEN: 'operator-chosen-admin-token' };
    const second = await buildRuntime(loadConfig({ env, cwd: dir }).config, { logger: silentLogger });
    expect(second.generatedAdminToken).toBeUndefined();
    const fromEnv = await second.services.store.tokens.findByHash(
      await second.services.hashToken('operator-chosen-admin-token'),
    );
    expect(fromEnv?.role).toBe('admin');
    await second.close();
  });

  it('`margo-bridge poll` on a fresh database generates no admin token; the first serve start does', async () => {
    const dataDir = join(dir, 'poll-first');
    const round = io({ MARGO_BRIDGE_DATA_DIR: dataDir, MARGO_BRIDGE_LOG_LEVEL: 'silent' });
    expect(await pollCommand.run([], round)).toBe(0);
    const serve = await buildRuntime(loadConfig({ env: { MARGO_BRIDGE_DATA_DIR: dataDir }, cwd: dir }).config, {
      logger: silentLogger,
    });
    try {
      expect(serve.generatedAdminToken).toMatch(/^mb_/);
      expect(await serve.services.store.tokens.list()).toHaveLength(1);
    } finally {
      await serve.close();
    }
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

  it('reports a bad configuration file with the key and exits 1', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'polling:\n  intervall: 60\n');
    const run = io({ MARGO_BRIDGE_DATA_DIR: join(dir, 'bad') });
    expect(await pollCommand.run(['--config', path], run)).toBe(1);
    expect(run.err.join('')).toContain('polling.intervall: unknown key');
  });
});
