/**
 * OCI registries end to end, the same way as Git ones: a registry added through the API (kind
 * `oci`), polled, its versions ingested into the catalogue with where they came from, a rejected
 * one with its errors, a moved tag detected; and only GET and HEAD in the registry's access log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeArchive, pushComposeArtifact, pushPackage } from './support/oci-push.js';
import { OCI_PASSWORD, OCI_USER, type OciRegistry, startOciRegistry } from './support/oci-registry.js';
import { exampleText, fixturePackage, helloExample, helloPackage, withVersion } from './support/registries.js';
import { type Harness, type RegistryBody, startHarness, type VersionBody } from './support/service-harness.js';

describe('OCI registry ingest through the service', () => {
  let registry: OciRegistry;
  let harness: Harness;
  let helloText: string;

  beforeAll(async () => {
    registry = await startOciRegistry({ auth: 'htpasswd' });
    harness = await startHarness();
    helloText = await exampleText(helloExample);
  }, 30_000);
  afterAll(async () => {
    await harness?.close();
    await registry.settled();
    expect([...new Set(registry.readerRequests().map((entry) => entry.method))].sort()).toEqual(['GET', 'HEAD']);
    await registry.stop();
  });

  /** An OCI registry through the API, with the publisher's basic credentials. */
  const addOciRegistry = (name: string, repository: string) =>
    harness.call<RegistryBody & { kind: string }>('POST', '/api/v1/registries', {
      name,
      kind: 'oci',
      url: registry.url(repository),
      allowHttp: true,
      auth: { type: 'basic', username: OCI_USER, password: OCI_PASSWORD },
    });

  const versions = async (id: string) =>
    (
      await harness.call<{ versions: (VersionBody & { warnings: unknown[] })[] }>(
        'GET',
        `/api/v1/registries/${id}/versions`,
      )
    ).body.versions;

  it('ingests versions, rejects a broken one with its errors and detects a moved tag', async () => {
    const resources = await fixturePackage('resources');
    const v1 = await pushPackage(registry, 'apps/hello', '1.0.0', { ...(await helloPackage('1.0.0')), ...resources });
    await pushPackage(
      registry,
      'apps/hello',
      'v1.1.0',
      { ...(await helloPackage('1.1.0')), ...resources },
      { chunked: true },
    );
    await pushPackage(registry, 'apps/hello', '1.2.0', await helloPackage('1.2.0'), { withoutDescription: true });

    const refused = await harness.call<{ error: { code: string } }>('POST', '/api/v1/registries', {
      name: 'hello-oci',
      kind: 'oci',
      url: registry.url('apps/hello'),
      allowHttp: true,
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('REGISTRY_AUTH');

    const created = await addOciRegistry('hello-oci', 'apps/hello');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'oci', credentials: { auth: 'basic', username: 'publisher' } });

    const round = await harness.poll([created.body.id]);
    expect(round.failed).toEqual([]);
    expect(round.newReleases).toBe(3);

    const byTag = Object.fromEntries((await versions(created.body.id)).map((version) => [version.tag, version]));
    expect(byTag['1.0.0']).toMatchObject({ state: 'valid', commit: v1.digest });
    expect(byTag['v1.1.0']!.state).toBe('valid');
    expect(byTag['1.2.0']).toMatchObject({ state: 'rejected', errors: [{ code: 'NO_DESCRIPTION' }] });

    const applications = await harness.call<{ applications: { id: string; registry: { kind: string } | null }[] }>(
      'GET',
      '/api/v1/applications',
    );
    const app = applications.body.applications.find((candidate) => candidate.registry?.kind === 'oci')!;
    const version = await harness.call<{ source: string; registry: { kind: string; url: string } }>(
      'GET',
      `/api/v1/applications/${app.id}/versions/1.0.0`,
    );
    expect(version.body.registry).toMatchObject({ kind: 'oci', url: registry.url('apps/hello') });
    expect(version.body.source).toBe(`oci://${registry.url('apps/hello').replace('http://', '')}:1.0.0@${v1.digest}`);
    const icon = await harness.app.request(`/api/v1/applications/${app.id}/versions/1.0.0/resources/icon`, {
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    });
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');

    // Nothing new: the poll lists tags and HEADs manifests, and fetches no manifest or blob.
    await registry.settled();
    const before = registry.readerRequests().length;
    expect((await harness.poll([created.body.id])).newReleases).toBe(0);
    await registry.settled();
    const quiet = registry.readerRequests().slice(before);
    expect(quiet.filter((entry) => entry.method === 'GET' && !entry.path.includes('/tags/list'))).toEqual([]);

    // A tag republished at another digest: TAG_MOVED, the first digest stays.
    const moved = await pushPackage(registry, 'apps/hello', '1.0.0', {
      'margo.yaml': `${(await helloPackage('1.0.0'))['margo.yaml']}\n# republished\n`,
    });
    await harness.poll([created.body.id]);
    const events = await harness.call<{ events: { kind: string; tag: string; detail: Record<string, string> }[] }>(
      'GET',
      `/api/v1/registries/${created.body.id}/events`,
    );
    expect(events.body.events.filter((event) => event.kind === 'TAG_MOVED')).toEqual([
      expect.objectContaining({
        tag: '1.0.0',
        detail: { ingestedCommit: v1.digest, currentCommit: moved.digest },
      }),
    ]);
    expect((await versions(created.body.id)).find((entry) => entry.tag === '1.0.0')?.commit).toBe(v1.digest);
  });

  it('checks the archive of a compose component published as an OCI artifact (SUP-01) and warns', async () => {
    const host = registry.origin.replace('http://', '');
    await pushComposeArtifact(
      registry,
      'apps/compose-good',
      '1.0.0',
      composeArchive([{ name: 'app/compose.yaml', content: 'services: {}\n' }]),
    );
    await pushComposeArtifact(
      registry,
      'apps/compose-bad',
      '1.0.0',
      composeArchive([
        { name: 'app/compose.yaml', content: 'services: {}\n' },
        { name: 'other/x.txt', content: 'x' },
        { name: 'app/link', link: '/etc/passwd' },
        { name: '../escape.txt', content: 'x' },
      ]),
    );
    const composeDescription = (version: string, repository: string) =>
      withVersion(
        helloText
          .replace('type: helm', 'type: compose')
          .replace('com-northstartida-hello-world-helm-a', 'com-northstartida-hello-world-compose-a')
          .replace('oci://northstarida.azurecr.io/charts/hello-world', `oci://${host}/${repository}`)
          .replace('revision: 1.0.1', 'revision: 1.0.0')
          .replace(/\n\s+wait: true/, '')
          .replace('global.config.appGreetingAddressee', 'GREETING_ADDRESSEE')
          .replace('global.config.appGreeting', 'GREETING')
          .replace(/^id: .*$/m, 'id: com-northstar-compose-check'),
        version,
      );
    await pushPackage(registry, 'apps/compose-app', '1.0.0', {
      'margo.yaml': composeDescription('1.0.0', 'apps/compose-good'),
    });
    await pushPackage(registry, 'apps/compose-app', '1.1.0', {
      'margo.yaml': composeDescription('1.1.0', 'apps/compose-bad'),
    });
    const created = await addOciRegistry('compose-oci', 'apps/compose-app');
    expect(created.status).toBe(201);
    await harness.poll([created.body.id]);
    const byTag = Object.fromEntries((await versions(created.body.id)).map((version) => [version.tag, version]));
    const codes = (tag: string) => (byTag[tag]!.warnings as { code: string }[]).map((warning) => warning.code);
    expect(byTag['1.0.0']!.errors).toEqual([]);
    expect(codes('1.0.0')).not.toContain('COMPOSE_ARCHIVE');
    expect(byTag['1.1.0']!.state).toBe('warnings');
    const messages = (byTag['1.1.0']!.warnings as { code: string; message: string }[])
      .filter((warning) => warning.code === 'COMPOSE_ARCHIVE')
      .map((warning) => warning.message);
    expect(messages.some((message) => message.includes('is a link'))).toBe(true);
    expect(messages.some((message) => message.includes('leaves'))).toBe(true);
    expect(messages.some((message) => message.includes('top-level'))).toBe(true);
  });

  it('refuses an OCI URL that names no repository, and a sub-path', async () => {
    const noName = await harness.call<{ error: { code: string } }>('POST', '/api/v1/registries', {
      name: 'bad-oci',
      kind: 'oci',
      url: registry.origin,
      allowHttp: true,
    });
    expect(noName.status).toBe(400);
    const subPath = await harness.call('POST', '/api/v1/registries', {
      name: 'bad-oci',
      kind: 'oci',
      url: registry.url('apps/hello'),
      subPath: 'pkg',
      allowHttp: true,
    });
    expect(subPath.status).toBe(400);
  });
});
