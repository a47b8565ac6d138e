/**
 * Withdrawn and moved versions (issue 15), end to end on SQLite and PostgreSQL: digitron releases
 * on the real test Git server, tags deleted, re-created and moved with native git, polls (and a
 * GitHub `delete` delivery) noticing it. The version is marked in the catalogue (API and pages),
 * deployments on it are flagged and never changed or re-proposed, an upgrade policy never
 * proposes a withdrawn version, one event per change however often the registry is polled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollRegistry } from '../src/flows/poll.js';
import { type CatalogueWorld, catalogueWorld, DIGITRON_ID, digitronValues } from './support/deployment-e2e.js';
import { createTestDatabase, postgresSkipReason, postgresTestUrl, type TestDatabase } from './support/postgres.js';
import { bareRepositoryPath, deleteTag, exampleText, git, publishRelease, withVersion } from './support/registries.js';
import { DIGITRON } from './support/render.js';
import { runDueJobs } from './support/run-jobs.js';
import { forgeHeaders, githubExample, jsonBody } from './support/webhooks.js';

const SECRET = 'version-marks-webhook-secret';
const BASE = 'https://bridge.example';

interface Mark {
  kind: 'withdrawn' | 'moved';
  since: string;
  commit: string | null;
  message: string;
}
interface VersionBody {
  version: string;
  commit: string;
  mark: Mark | null;
}
interface DeploymentBody {
  id: string;
  version: string;
  state: string;
  updatedAt: string;
  versionMark: Mark | null;
  history?: unknown[];
}

const databases: [string, boolean][] = [
  ['SQLite', false],
  [`PostgreSQL${postgresSkipReason}`, true],
];

describe.each(databases)('withdrawn and moved versions on %s', (_name, onPostgres) => {
  let world: CatalogueWorld;
  let database: TestDatabase | undefined;
  let text: string;
  let cookie: string;
  let steady: DeploymentBody;
  let onWithdrawn: DeploymentBody;

  const call = <T>(method: string, path: string, body?: unknown) => world.harness.call<T>(method, path, body);
  const services = () => world.harness.runtime.services;
  const registryId = async () => (await services().store.registries.getByName('digitron'))!.id;
  const version = async (v: string) =>
    (await call<VersionBody>('GET', `/api/v1/applications/${DIGITRON_ID}/versions/${v}`)).body;
  const deployment = async (id: string) => (await call<DeploymentBody>('GET', `/api/v1/deployments/${id}`)).body;
  const events = async (kind: string, tag: string) =>
    (await services().store.events.list(await registryId(), { kind })).filter((event) => event.tag === tag);
  const proposalCount = async () => {
    let count = 0;
    for (const d of await services().store.deployments.list({})) {
      count += (await services().store.proposals.listByDeployment(d.id)).length;
    }
    return count;
  };
  // Its own chart revision, so that an upgrade to it renders something new.
  const releaseText = (v: string) => withVersion(text, v).replace('revision: 1.0.9', `revision: ${v}`);
  const release = async (v: string, options: { force?: boolean; note?: string } = {}) => {
    await publishRelease(
      world.registryRoot,
      'digitron',
      `v${v}`,
      { 'margo.yaml': `${releaseText(v)}${options.note ?? ''}` },
      options.force ? { force: true } : {},
    );
    await world.harness.poll();
  };
  const deploy = async (target: string, v: string, upgradePolicy: string) => {
    const created = await call<DeploymentBody>('POST', '/api/v1/deployments', {
      repository: 'fleet',
      applicationId: DIGITRON_ID,
      version: v,
      profile: 'helm',
      target,
      namespace: 'margo-poc',
      values: digitronValues,
      upgradePolicy,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await runDueJobs(services(), ['propose']);
    return deployment(created.body.id);
  };
  const html = async (path: string) => {
    const response = await world.harness.app.request(`${BASE}${path}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    if (onPostgres) {
      if (!postgresTestUrl) return;
      database = await createTestDatabase();
    }
    world = await catalogueWorld({
      ...(database ? { databaseUrl: database.url } : {}),
      config: { webhooks: { secrets: [SECRET] } },
    });
    text = await exampleText(DIGITRON);
    const repository = await call('POST', '/api/v1/deployment-repositories', {
      name: 'fleet',
      provider: 'local',
      format: 'flux',
    });
    expect(repository.status, JSON.stringify(repository.body)).toBe(201);
    await release('1.3.0');
    steady = await deploy('plant-a', '1.2.1', 'patch');
    onWithdrawn = await deploy('plant-b', '1.3.0', 'none');
    cookie = await signIn();
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await database?.drop();
  });

  async function signIn(): Promise<string> {
    const form = await world.harness.app.request(`${BASE}/sign-in`);
    const signInCookie = /mb_signin=([^;]+)/.exec(form.headers.getSetCookie().join('\n'))![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const response = await world.harness.app.request(`${BASE}/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `mb_signin=${signInCookie}` },
      body: new URLSearchParams({ _csrf: csrf, token: 'test-admin-token-0123456789', return: '/catalogue' }).toString(),
    });
    expect(response.status).toBe(303);
    return `__Host-mb_session=${/__Host-mb_session=([^;]+)/.exec(response.headers.getSetCookie().join('\n'))![1]}`;
  }

  it.skipIf(onPostgres && !postgresTestUrl)(
    'marks a deleted tag withdrawn once, flags deployments on it and changes nothing',
    async () => {
      const ingested = await version('1.3.0');
      expect(ingested.mark).toBeNull();
      expect(onWithdrawn.versionMark).toBeNull();
      const proposalsBefore = await proposalCount();

      await deleteTag(world.registryRoot, 'digitron', 'v1.3.0');
      for (let i = 0; i < 3; i++) await world.harness.poll();

      const withdrawn = await version('1.3.0');
      expect(withdrawn.commit).toBe(ingested.commit);
      expect(withdrawn.mark).toMatchObject({ kind: 'withdrawn', commit: null });
      expect(withdrawn.mark?.message).toContain('withdrawn');
      expect(Date.parse(withdrawn.mark?.since ?? '')).not.toBeNaN();
      const application = await call<{ latestVersion: string; versions: VersionBody[] }>(
        'GET',
        `/api/v1/applications/${DIGITRON_ID}`,
      );
      expect(application.body.latestVersion).toBe('1.2.1');
      expect(application.body.versions.find((v) => v.version === '1.3.0')?.mark?.kind).toBe('withdrawn');
      expect(application.body.versions.find((v) => v.version === '1.2.1')?.mark).toBeNull();
      const listed = await call<{ versions: { tag: string; mark: Mark | null }[] }>(
        'GET',
        `/api/v1/registries/${await registryId()}/versions`,
      );
      expect(listed.body.versions.find((v) => v.tag === 'v1.3.0')?.mark?.kind).toBe('withdrawn');
      expect(await events('TAG_DELETED', 'v1.3.0')).toHaveLength(1);
      const openapi = (
        await call<{ components: { schemas: Record<string, { properties?: object }> } }>('GET', '/openapi.json')
      ).body.components.schemas;
      expect(Object.keys(openapi.VersionMark?.properties ?? {}).sort()).toEqual(['commit', 'kind', 'message', 'since']);
      for (const name of ['Version', 'RegistryVersion']) expect(openapi[name]?.properties).toHaveProperty('mark');
      expect(openapi.Deployment?.properties).toHaveProperty('versionMark');
      const metrics = await (await world.harness.app.request('/metrics')).text();
      expect(metrics).toMatch(/margo_bridge_version_marks_total\{mark="withdrawn"\} 1\n/);

      // Flagged, never changed: same version, state and time; no job, no proposal.
      const flagged = await deployment(onWithdrawn.id);
      expect(flagged.versionMark).toMatchObject({ kind: 'withdrawn' });
      expect(flagged).toMatchObject({ version: '1.3.0', state: onWithdrawn.state, updatedAt: onWithdrawn.updatedAt });
      expect((await deployment(steady.id)).versionMark).toBeNull();
      const list = await call<{ deployments: DeploymentBody[] }>('GET', '/api/v1/deployments');
      expect(list.body.deployments.map((d) => [d.id, d.versionMark?.kind ?? null]).sort()).toEqual(
        [
          [steady.id, null],
          [onWithdrawn.id, 'withdrawn'],
        ].sort(),
      );
      expect(await runDueJobs(services(), ['propose', 'upgrade'])).toBe(0);
      expect(await proposalCount()).toBe(proposalsBefore);

      // The pages: the version list, the version page, the deployment list and page.
      const versionRow = /<tr>(?:(?!<\/tr>)[\s\S])*?>1\.3\.0<\/a>(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
        await html(`/catalogue/${DIGITRON_ID}`),
      )?.[0];
      expect(versionRow).toContain('class="badge withdrawn"');
      expect(await html(`/catalogue/${DIGITRON_ID}/versions/1.3.0`)).toMatch(/role="note"[^>]*>\s*<strong>Withdrawn:/);
      expect(await html(`/catalogue/${DIGITRON_ID}/versions/1.2.1`)).not.toContain('Withdrawn:');
      expect((await html('/deployments')).match(/class="badge withdrawn"/g)).toHaveLength(1);
      const page = await html(`/deployments/${onWithdrawn.id}`);
      expect(page).toContain('<strong>Withdrawn:</strong>');
      expect(page).toContain('This deployment stays on it until someone changes it.');
      expect(await html(`/deployments/${steady.id}`)).not.toContain('Withdrawn:');
    },
  );

  it.skipIf(onPostgres && !postgresTestUrl)(
    'clears the mark when the tag comes back at the ingested commit; a moved tag is marked moved',
    async () => {
      const { commit } = await version('1.3.0');
      const gitDir = bareRepositoryPath(world.registryRoot, 'digitron');
      await git(['--git-dir', gitDir, 'tag', '-a', '-m', 'v1.3.0 again', 'v1.3.0', commit]);
      await world.harness.poll();
      await world.harness.poll();
      expect((await version('1.3.0')).mark).toBeNull();
      expect((await deployment(onWithdrawn.id)).versionMark).toBeNull();
      expect(await events('TAG_RESTORED', 'v1.3.0')).toHaveLength(1);

      await release('1.3.0', { force: true, note: '# republished\n' });
      await world.harness.poll();
      const movedTo = await git(['--git-dir', gitDir, 'rev-parse', 'v1.3.0^{commit}']);
      expect(movedTo).not.toBe(commit);
      const moved = await version('1.3.0');
      expect(moved.commit).toBe(commit);
      expect(moved.mark).toMatchObject({ kind: 'moved', commit: movedTo });
      expect(await events('TAG_MOVED', 'v1.3.0')).toHaveLength(1);
      const flagged = await deployment(onWithdrawn.id);
      expect(flagged.versionMark).toMatchObject({ kind: 'moved', commit: movedTo });
      expect(flagged).toMatchObject({ version: '1.3.0', updatedAt: onWithdrawn.updatedAt });
      expect(await html(`/catalogue/${DIGITRON_ID}/versions/1.3.0`)).toContain('<strong>Tag moved:</strong>');
      expect(await html(`/deployments/${onWithdrawn.id}`)).toContain('class="badge moved"');
      expect(await runDueJobs(services(), ['propose', 'upgrade'])).toBe(0);
    },
  );

  it.skipIf(onPostgres && !postgresTestUrl)(
    'an upgrade policy never proposes a withdrawn version, and proposes the next one',
    async () => {
      const proposalsBefore = await proposalCount();
      // Ingested, its upgrade job queued; the tag is deleted before the job runs.
      await publishRelease(world.registryRoot, 'digitron', 'v1.2.2', { 'margo.yaml': releaseText('1.2.2') });
      await pollRegistry(services(), await registryId());
      expect(await runDueJobs(services(), ['ingest'])).toBe(1);
      expect((await services().store.jobs.list({ kind: 'upgrade', state: 'pending' })).length).toBe(1);
      await deleteTag(world.registryRoot, 'digitron', 'v1.2.2');
      await pollRegistry(services(), await registryId());
      expect((await version('1.2.2')).mark?.kind).toBe('withdrawn');
      expect(await runDueJobs(services(), ['upgrade', 'propose'])).toBe(1);
      expect((await deployment(steady.id)).version).toBe('1.2.1');
      expect(await proposalCount()).toBe(proposalsBefore);

      await release('1.2.3');
      await runDueJobs(services(), ['upgrade', 'propose']);
      expect((await deployment(steady.id)).version).toBe('1.2.3');
      expect(await proposalCount()).toBe(proposalsBefore + 1);
    },
  );

  it.skipIf(onPostgres && !postgresTestUrl)(
    "a forge's tag delete delivery withdraws the version without waiting for the schedule",
    async () => {
      const flaggedBefore = await deployment(steady.id);
      expect(flaggedBefore.versionMark).toBeNull();
      await deleteTag(world.registryRoot, 'digitron', 'v1.2.3');
      const payload = githubExample('delete', (p) => p.ref_type === 'tag');
      payload.ref = 'v1.2.3';
      const repository = payload.repository as Record<string, unknown>;
      repository.clone_url = world.gitServer.url('digitron');
      repository.html_url = world.gitServer.url('digitron').replace(/\.git$/, '');
      const body = jsonBody(payload);
      const response = await world.harness.app.request('/webhooks/github', {
        method: 'POST',
        body,
        headers: forgeHeaders('github', body, SECRET, { event: 'delete' }),
      });
      expect(response.status).toBe(202);
      await runDueJobs(services(), ['delivery', 'poll']);
      expect((await version('1.2.3')).mark?.kind).toBe('withdrawn');
      const flagged = await deployment(steady.id);
      expect(flagged.versionMark?.kind).toBe('withdrawn');
      expect(flagged).toMatchObject({ version: '1.2.3', updatedAt: flaggedBefore.updatedAt });
      expect(await runDueJobs(services(), ['propose', 'upgrade'])).toBe(0);
    },
  );
});
