/**
 * The service acceptance suite, run against SQLite (service.sqlite.test.ts) and Postgres
 * (service.postgres.test.ts): registries added through the API, polled from the real Git server
 * (git http-backend), versions, new tags, rejected versions, moved tags, bad credentials.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GitServer, startGitServer } from './git-server.js';
import {
  buildFixtureRegistries,
  createRegistryRoot,
  exampleText,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from './registries.js';
import { type ApiError, type Harness, type RegistryBody, startHarness, type VersionBody } from './service-harness.js';

const PASSWORD = 'correct-horse-battery';

export function serviceSuite(databaseUrl: () => Promise<string | undefined>): void {
  let root: string;
  let server: GitServer;
  let authServer: GitServer;
  let harness: Harness;
  let hello: string;

  beforeAll(async () => {
    root = await createRegistryRoot();
    await buildFixtureRegistries(root);
    server = await startGitServer({ root });
    authServer = await startGitServer({ root, auth: { type: 'basic', username: 'ci', password: PASSWORD } });
    const url = await databaseUrl();
    harness = await startHarness(url ? { databaseUrl: url } : {});
    hello = await exampleText(helloExample);
  });

  afterAll(async () => {
    await harness?.close();
    await server?.stop();
    await authServer?.stop();
    if (root) await removeRegistryRoot(root);
  });

  async function addRegistry<T = RegistryBody>(body: Record<string, unknown>, query = '') {
    return harness.call<T>('POST', `/api/v1/registries${query}`, { allowHttp: true, ...body });
  }

  async function registryVersions(id: string): Promise<VersionBody[]> {
    return (await harness.call<{ versions: VersionBody[] }>('GET', `/api/v1/registries/${id}/versions`)).body.versions;
  }

  it('adds a registry through the API, polls it and shows its versions and applications', async () => {
    const created = await addRegistry({ name: 'hello', url: server.url('hello'), pollInterval: 60 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'hello', pollInterval: 60, credentials: { auth: 'none' } });

    const round = await harness.poll([created.body.id]);
    expect(round.failed).toEqual([]);
    expect(round.newReleases).toBe(5);

    const byTag = Object.fromEntries((await registryVersions(created.body.id)).map((v) => [v.tag, v]));
    expect(Object.keys(byTag).sort()).toEqual(['2.0.0', 'docs-snapshot', 'v1.0.0', 'v1.1.0', 'v1.2.0']);
    expect(byTag['v1.0.0']!.state).not.toBe('rejected');

    const applications = await harness.call<{ applications: { id: string; registry: { name: string } | null }[] }>(
      'GET',
      '/api/v1/applications',
    );
    const app = applications.body.applications.find((a) => a.registry?.name === 'hello')!;
    expect(app).toMatchObject({ latestVersion: expect.any(String), registry: { name: 'hello' } });

    const detail = await harness.call<{ versions: { version: string }[] }>('GET', `/api/v1/applications/${app.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.versions.map((v) => v.version).sort()).toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '2.0.0',
      'docs-snapshot',
    ]);
    const version = await harness.call<{ resources: { name: string; href: string }[] }>(
      'GET',
      `/api/v1/applications/${app.id}/versions/1.0.0`,
    );
    expect(version.body).toMatchObject({ tag: 'v1.0.0', commit: byTag['v1.0.0']!.commit, description: { id: app.id } });
    const icon = version.body.resources.find((r) => r.name === 'icon');
    expect(icon).toBeDefined();
    const iconResponse = await harness.app.request(icon!.href, {
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    expect(iconResponse.status).toBe(200);
    expect(iconResponse.headers.get('content-type')).toBe('image/png');
    const notes = await harness.app.request(`/api/v1/applications/${app.id}/versions/1.0.0/resources/releaseNotes`, {
      headers: { authorization: `Bearer ${adminToken()}` },
    });
    expect(notes.headers.get('content-type')).toBe('text/markdown; charset=utf-8');

    const status = await harness.call<RegistryBody>('GET', `/api/v1/registries/${created.body.id}`);
    expect(status.body.status).toMatchObject({ lastError: null, consecutiveFailures: 0, versions: { rejected: 0 } });
    // docs-snapshot still carries the 2.0.0 description: the tag's version differs (D-10 warning).
    expect(byTag['docs-snapshot']).toMatchObject({ state: 'warnings', warnings: [{ code: 'VERSION_MISMATCH' }] });
    expect(status.body.status.lastPollAt).not.toBeNull();
  });

  it('a rejected version carries its errors', async () => {
    const empty = await addRegistry({ name: 'no-description', url: server.url('no-description') });
    await harness.poll([empty.body.id]);
    expect(await registryVersions(empty.body.id)).toMatchObject([
      {
        tag: 'v1.0.0',
        state: 'rejected',
        applicationId: null,
        errors: [{ severity: 'error', code: 'NO_DESCRIPTION' }],
      },
    ]);

    const registry = await findRegistry('hello');

    const broken = hello.replace(/^(\s+)name:.*$/m, '$1title: no name here');
    await publishRelease(root, 'hello', 'v4.0.0', { 'margo.yaml': withVersion(broken, '4.0.0') });
    await harness.poll([registry.id]);
    const rejected = (await registryVersions(registry.id)).find((v) => v.tag === 'v4.0.0')!;
    expect(rejected.state).toBe('rejected');
    expect(rejected.errors.length).toBeGreaterThan(0);
    expect(rejected.errors[0]).toMatchObject({ severity: 'error', code: expect.any(String), line: expect.any(Number) });
    expect(rejected.errors.some((issue) => issue.path.includes('name'))).toBe(true);
  });

  it('rejects a tag/metadata.version mismatch in strict mode, and filters tags by pattern', async () => {
    const strict = await addRegistry({
      name: 'strict',
      url: server.url('hello'),
      strictVersion: true,
      tagPattern: 'docs-*',
    });
    await harness.poll([strict.body.id]);
    // Same repository as 'hello', which owns the application id: an APPLICATION_ID_CONFLICT comes first.
    expect(await registryVersions(strict.body.id)).toMatchObject([
      {
        tag: 'docs-snapshot',
        state: 'rejected',
        errors: expect.arrayContaining([
          expect.objectContaining({ code: 'APPLICATION_ID_CONFLICT' }),
          expect.objectContaining({ code: 'VERSION_MISMATCH', path: 'metadata.version' }),
        ]),
      },
    ]);
  });

  it('sees a newly published tag at the next poll, and fetches nothing when nothing changed', async () => {
    const registry = await findRegistry('hello');
    server.clearRequests();
    const quiet = await harness.poll([registry.id]);
    expect(quiet).toMatchObject({ newReleases: 0, jobsRun: 0, failed: [] });
    // Only the ref listing (advertisement + one ls-refs): no pack was fetched.
    expect(server.requests.length).toBeLessThanOrEqual(2);
    expect(server.requests.reduce((sum, request) => sum + request.bytesSent, 0)).toBeLessThan(4096);

    await publishRelease(root, 'hello', 'v1.3.0', { 'margo.yaml': withVersion(hello, '1.3.0') });
    const round = await harness.poll([registry.id]);
    expect(round.newReleases).toBe(1);
    expect((await registryVersions(registry.id)).map((v) => v.tag)).toContain('v1.3.0');
  });

  it('reports a moved tag once and keeps the first ingested commit', async () => {
    const registry = await findRegistry('hello');
    const original = (await registryVersions(registry.id)).find((v) => v.tag === 'v1.3.0')!.commit;
    const moved = await publishRelease(
      root,
      'hello',
      'v1.3.0',
      { 'margo.yaml': `${withVersion(hello, '1.3.0')}# moved\n` },
      { force: true },
    );
    await harness.poll([registry.id]);
    await harness.poll([registry.id]);
    const events = await harness.call<{ events: { kind: string; tag: string }[] }>(
      'GET',
      `/api/v1/registries/${registry.id}/events`,
    );
    const movedEvents = events.body.events.filter((e) => e.kind === 'TAG_MOVED');
    expect(movedEvents).toHaveLength(1);
    expect(movedEvents[0]).toMatchObject({ tag: 'v1.3.0', detail: { ingestedCommit: original, currentCommit: moved } });
    expect((await registryVersions(registry.id)).find((v) => v.tag === 'v1.3.0')!.commit).toBe(original);
  });

  it('refuses a registry with bad credentials unless forced; shows the error and backs off', async () => {
    const refused = await addRegistry<ApiError>({
      name: 'private',
      url: authServer.url('hello'),
      auth: { type: 'basic', username: 'ci', password: 'wrong-password' },
      pollInterval: 60,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('REGISTRY_AUTH');
    expect(refused.body.error.message).toContain('not created');
    expect(JSON.stringify(refused.body)).not.toContain('wrong-password');
    expect((await listRegistries()).map((r) => r.name)).not.toContain('private');

    const forced = await addRegistry(
      {
        name: 'private',
        url: authServer.url('hello'),
        auth: { type: 'basic', username: 'ci', password: 'wrong-password' },
        pollInterval: 60,
      },
      '?force=true',
    );
    expect(forced.status).toBe(201);
    expect(forced.body.credentials).toEqual({
      auth: 'basic',
      username: 'ci',
      caCert: false,
      clientCert: false,
      clientKey: false,
      webhookSecret: false,
    });

    const delays: number[] = [];
    for (const failures of [1, 2]) {
      const round = await harness.poll([forced.body.id]);
      expect(round.failed).toMatchObject([{ code: 'REGISTRY_AUTH' }]);
      const status = (await harness.call<RegistryBody>('GET', `/api/v1/registries/${forced.body.id}`)).body.status;
      expect(status.lastError).toContain('REGISTRY_AUTH');
      expect(status.consecutiveFailures).toBe(failures);
      delays.push(Date.parse(status.nextPollAt) - Date.parse(status.lastPollAt));
    }
    // 60 s × 2^failures with ±10 % jitter: 120 s then 240 s.
    expect(delays[0]).toBeGreaterThanOrEqual(108_000);
    expect(delays[1]).toBeGreaterThanOrEqual(216_000);
    expect(delays[1]!).toBeGreaterThan(delays[0]!);

    const fixed = await harness.call('PATCH', `/api/v1/registries/${forced.body.id}`, {
      auth: { type: 'basic', username: 'ci', password: PASSWORD },
    });
    expect(fixed.status).toBe(200);
    await harness.poll([forced.body.id]);
    const status = (await harness.call<RegistryBody>('GET', `/api/v1/registries/${forced.body.id}`)).body.status;
    expect(status).toMatchObject({ lastError: null, consecutiveFailures: 0 });
    // Ingested now; rejected, since 'hello' on the same repository owns the application id.
    expect(status.versions.valid + status.versions.warnings + status.versions.rejected).toBeGreaterThan(0);

    const metrics = await (await harness.app.request('/metrics')).text();
    expect(metrics).toContain('margo_bridge_registry_errors_total{registry="private",code="REGISTRY_AUTH"} 2');
    expect(metrics).toMatch(/margo_bridge_polls_total\{result="failed"\} [2-9]/);
    expect(metrics).toMatch(/margo_bridge_jobs_total\{kind="ingest",outcome="done"\} \d+/);

    const everything = JSON.stringify(harness.logs) + JSON.stringify(await harness.call('GET', '/api/v1/registries'));
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('wrong-password');
  });

  it('queues one poll per registry however often sync is asked', async () => {
    const registry = await findRegistry('hello');
    const first = await harness.call<{ jobId: string }>('POST', `/api/v1/registries/${registry.id}/sync`);
    const second = await harness.call<{ jobId: string }>('POST', `/api/v1/registries/${registry.id}/sync`);
    expect(first.status).toBe(202);
    expect(second.body.jobId).toBe(first.body.jobId);
    await harness.poll([]);
  });

  it('updates, refuses duplicates and deletes registries', async () => {
    const monorepo = await addRegistry({ name: 'mono', url: server.url('monorepo'), subPath: 'packages/compose' });
    expect(monorepo.status).toBe(201);
    const duplicate = await addRegistry({ name: 'mono', url: server.url('monorepo') });
    expect(duplicate.status).toBe(409);
    const patched = await harness.call<RegistryBody>('PATCH', `/api/v1/registries/${monorepo.body.id}`, {
      pollInterval: 3600,
    });
    expect(patched.body.pollInterval).toBe(3600);
    expect((await harness.call('DELETE', `/api/v1/registries/${monorepo.body.id}`)).status).toBe(204);
    expect((await harness.call('GET', `/api/v1/registries/${monorepo.body.id}`)).status).toBe(404);
  });

  async function listRegistries(): Promise<RegistryBody[]> {
    return (await harness.call<{ registries: RegistryBody[] }>('GET', '/api/v1/registries')).body.registries;
  }

  async function findRegistry(name: string): Promise<RegistryBody> {
    return (await listRegistries()).find((registry) => registry.name === name)!;
  }
}

function adminToken(): string {
  return 'test-admin-token-0123456789';
}
