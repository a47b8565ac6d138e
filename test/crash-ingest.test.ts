/**
 * Crash safety: the real service process is killed with SIGKILL in the middle of an ingest; after
 * a restart the ingest job is picked up again (its lease ran out), completes, and nothing is stored
 * twice. The Git server delays each response so that the kill lands inside the ingest.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachDatabase } from './support/each-database.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import {
  bulkFiles,
  createRegistryRoot,
  fixturePackage,
  helloPackage,
  publishRelease,
  removeRegistryRoot,
} from './support/registries.js';
import { type LoggedService, serviceEnvironment, spawnService } from './support/service-process.js';

const ADMIN = 'crash-test-admin-token-0123';

async function api(base: string, path: string): Promise<{ status: number; body: Record<string, unknown[]> }> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown[]> };
}

function crashSuite(databaseUrl: () => Promise<string | undefined>) {
  let root: string;
  let server: GitServer;
  let dir: string;
  let env: Record<string, string>;
  const running: LoggedService[] = [];

  beforeAll(async () => {
    root = await createRegistryRoot();
    await publishRelease(root, 'big', 'v1.0.0', {
      ...(await helloPackage('1.0.0')),
      ...(await fixturePackage('resources')),
      ...bulkFiles(10, 5 * 1024 * 1024),
    });
    // Every response waits: the ingest's clone takes several round trips, so it lasts seconds.
    server = await startGitServer({ root, delayMs: 700 });
    ({ dir, env } = await serviceEnvironment(
      'mb-crash-',
      {
        allowPrivateNetworks: true,
        polling: { tick: 1 },
        jobs: { leaseSeconds: 2, pollIntervalMs: 100 },
        registries: [{ name: 'big', url: server.url('big'), allowHttp: true }],
      },
      { adminToken: ADMIN, databaseUrl: await databaseUrl() },
    ));
  });

  afterAll(async () => {
    for (const service of running) await service.kill('SIGKILL');
    await server?.stop();
    if (root) await removeRegistryRoot(root);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('completes an ingest killed half-way after a restart, storing the version once', { timeout: 90_000 }, async () => {
    const first = spawnService(['serve'], env);
    running.push(first);
    await first.waitFor('ingest started');
    first.child.kill('SIGKILL');
    expect(first.lines.some((line) => line.msg === 'ingest done')).toBe(false);
    await first.exited;

    const second = spawnService(['serve'], env);
    running.push(second);
    const listening = await second.waitFor('margo-bridge listening');
    const base = String(listening.url);
    const done = await second.waitFor('ingest done', 60_000);
    expect(done).toMatchObject({ tag: 'v1.0.0', created: true });

    const registries = await api(base, '/api/v1/registries');
    const registry = registries.body.registries![0] as { id: string };
    const versions = await api(base, `/api/v1/registries/${registry.id}/versions`);
    expect(versions.body.versions).toHaveLength(1);
    expect(versions.body.versions![0]).toMatchObject({ tag: 'v1.0.0', state: expect.stringMatching(/valid|warnings/) });
    const jobs = (await api(base, '/api/v1/jobs?kind=ingest')).body.jobs as { state: string; attempts: number }[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'done', attempts: 2 });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.lines.some((line) => line.msg === 'stopped')).toBe(true);
  });
}

describeOnEachDatabase('crash during ingest', crashSuite);
