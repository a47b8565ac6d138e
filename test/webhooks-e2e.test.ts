/**
 * End to end: a registry on the real test Git server, served by a running margo-bridge (HTTP
 * server, workers, scheduler) whose poll interval is an hour. A new tag is pushed, a signed
 * GitHub-style delivery is posted, and the new version reaches the catalogue within seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve.js';
import { silentLogger } from '../src/logger.js';
import { buildRuntime, type RunningService, startService } from '../src/runtime/node/index.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { createRegistryRoot, helloPackage, publishRelease, removeRegistryRoot } from './support/registries.js';
import { forgeHeaders, githubExample, jsonBody } from './support/webhooks.js';

const SECRET = 'e2e-webhook-secret';
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const HOUR = 3600;

describe('a signed tag push brings the new version into the catalogue without waiting for the poll', () => {
  let root: string;
  let dataDir: string;
  let gitServer: GitServer;
  let service: RunningService;

  async function api<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: response.status, body: (await response.json()) as T };
  }

  async function catalogueVersions(): Promise<string[]> {
    const list = await api<{ applications: { id: string; registry: { name: string } | null }[] }>(
      '/api/v1/applications',
    );
    const app = list.body.applications.find((entry) => entry.registry?.name === 'hello');
    if (!app) return [];
    const detail = await api<{ versions: { version: string }[] }>(`/api/v1/applications/${app.id}`);
    return detail.body.versions.map((version) => version.version);
  }

  async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<number> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Date.now() - started;
  }

  beforeAll(async () => {
    root = await createRegistryRoot();
    dataDir = await mkdtemp(join(tmpdir(), 'mb-webhooks-e2e-'));
    await publishRelease(root, 'hello', 'v1.0.0', await helloPackage('1.0.0'));
    gitServer = await startGitServer({ root });
    const config = resolveConfig({
      file: {
        dataDir,
        port: 0,
        allowPrivateNetworks: true,
        adminToken: ADMIN_TOKEN,
        webhooks: { secrets: [SECRET] },
        jobs: { pollIntervalMs: 50 },
        polling: { interval: HOUR, tick: HOUR },
        registries: [{ name: 'hello', url: gitServer.url('hello'), allowHttp: true, pollInterval: HOUR }],
      },
      env: {},
    });
    service = await startService(await buildRuntime(config, { logger: silentLogger }));
    // The first poll runs at start (a new registry is due at once).
    await waitFor(async () => (await catalogueVersions()).includes('1.0.0'), 20_000);
  });

  afterAll(async () => {
    await service?.stop();
    await gitServer?.stop();
    if (root) await removeRegistryRoot(root);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('ingests v1.1.0 within seconds of the delivery, although the next scheduled poll is an hour away', async () => {
    const registry = (
      await api<{ registries: { name: string; status: { nextPollAt: string | null } }[] }>('/api/v1/registries')
    ).body.registries[0];
    expect(registry?.name).toBe('hello');
    // The scheduler would next poll in about an hour: only the webhook can bring v1.1.0 in now.
    expect(Date.parse(registry?.status.nextPollAt ?? '') - Date.now()).toBeGreaterThan(HOUR * 1000 * 0.8);

    await publishRelease(root, 'hello', 'v1.1.0', await helloPackage('1.1.0'));
    expect(await catalogueVersions()).not.toContain('1.1.0');

    const payload = githubExample('push', (p) => String(p.ref).startsWith('refs/tags/') && !p.deleted);
    payload.ref = 'refs/tags/v1.1.0';
    const repository = payload.repository as Record<string, unknown>;
    repository.clone_url = gitServer.url('hello');
    repository.html_url = `${gitServer.baseUrl}/hello`;
    const body = jsonBody(payload);
    const sent = Date.now();
    const response = await fetch(`${service.url}/webhooks/github`, {
      method: 'POST',
      body,
      headers: forgeHeaders('github', body, SECRET, { event: 'push', deliveryId: 'e2e-1' }),
    });
    const answeredMs = Date.now() - sent;
    expect(response.status).toBe(202);
    expect(answeredMs).toBeLessThan(1000);

    const tookMs = await waitFor(async () => (await catalogueVersions()).includes('1.1.0'), 15_000);
    expect(tookMs).toBeLessThan(HOUR * 1000);

    const deliveries = await api<{ deliveries: { deliveryId: string; result: string; jobId: string | null }[] }>(
      '/api/v1/webhook-deliveries',
    );
    expect(deliveries.body.deliveries.find((delivery) => delivery.deliveryId === 'e2e-1')).toMatchObject({
      result: 'handled',
      jobId: expect.any(String),
    });
  });
});
