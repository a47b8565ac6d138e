/**
 * An application belongs to the registry that first published its id (issue 10, item 1): the same
 * id and version from another registry is stored as a rejected version with APPLICATION_ID_CONFLICT
 * naming both registries (an event and a metric too), never served as the application; an admin
 * transfers ownership explicitly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestRelease } from '../src/flows/ingest.js';
import { createRegistry } from '../src/flows/registries.js';
import { createApp } from '../src/http/app.js';
import type { App } from '../src/http/env.js';
import type { RegistryRecord } from '../src/store/interface.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import {
  createRegistryRoot,
  exampleText,
  helloExample,
  publishRelease,
  removeRegistryRoot,
  withVersion,
} from './support/registries.js';
import { type TestServices, webhookTestServices } from './support/webhook-services.js';

const ADMIN = 'admin-token-for-ownership-tests';

describe('application ownership across registries', () => {
  let root: string;
  let server: GitServer;
  let harness: TestServices;
  let app: App;
  let first: RegistryRecord;
  let second: RegistryRecord;
  const commits: Record<string, string> = {};

  beforeAll(async () => {
    root = await createRegistryRoot();
    const description = withVersion(await exampleText(helloExample), '1.0.0');
    commits.first = await publishRelease(root, 'first', 'v1.0.0', { 'margo.yaml': description });
    commits.second = await publishRelease(root, 'second', 'v1.0.0', {
      'margo.yaml': description.replace(/name: .*/, 'name: Impostor'),
    });
    server = await startGitServer({ root });
    harness = await webhookTestServices();
    app = createApp(harness.services);
    await harness.services.store.tokens.create({
      name: 'admin',
      role: 'admin',
      tokenHash: await harness.services.hashToken(ADMIN),
    });
    const settings = (name: string) => ({ name, url: server.url(name), allowHttp: true });
    first = await createRegistry(harness.services, settings('first'), { skipConnectionTest: true });
    second = await createRegistry(harness.services, settings('second'), { skipConnectionTest: true });
  });
  afterAll(async () => {
    await harness?.close();
    await server?.stop();
    if (root) await removeRegistryRoot(root);
  });

  const ingest = (registry: RegistryRecord, commit: string) =>
    ingestRelease(harness.services, { registryId: registry.id, tag: 'v1.0.0', commit, version: '1.0.0' });

  it('keeps serving the first registry and records the second as a rejected conflict', async () => {
    const owned = await ingest(first, commits.first!);
    expect(owned).toMatchObject({ outcome: 'stored', version: { registryId: first.id } });
    expect(owned.outcome === 'stored' ? owned.version.state : '').not.toBe('rejected');
    const applicationId = owned.outcome === 'stored' ? owned.version.applicationId! : '';
    const conflict = await ingest(second, commits.second!);
    expect(conflict).toMatchObject({ outcome: 'stored', version: { state: 'rejected', registryId: second.id } });
    const error = conflict.outcome === 'stored' ? conflict.version.errors[0] : undefined;
    expect(error?.code).toBe('APPLICATION_ID_CONFLICT');
    expect(error?.message).toContain("'first'");
    expect(error?.message).toContain("'second'");

    const served = await harness.services.store.versions.get(applicationId, '1.0.0');
    expect(served?.registryId).toBe(first.id);
    const [summary] = (await harness.services.store.versions.applications()).filter(
      (row) => row.applicationId === applicationId,
    );
    expect(summary?.registryId).toBe(first.id);
    expect(summary?.latest?.registryId).toBe(first.id);
    const events = await harness.services.store.events.list(second.id, { kind: 'APPLICATION_ID_CONFLICT' });
    expect(events).toHaveLength(1);
    expect(harness.services.metrics.all.render()).toMatch(/margo_bridge_application_id_conflicts_total\S* 1/);
  });

  it('lets an admin transfer the application to another registry', async () => {
    const applicationId = (await harness.services.store.versions.listByRegistry(first.id))[0]!.applicationId!;
    const response = await app.request(`/api/v1/applications/${encodeURIComponent(applicationId)}/owner`, {
      method: 'PUT',
      body: JSON.stringify({ registryId: second.id }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ applicationId, registryId: second.id });
    const [summary] = (await harness.services.store.versions.applications()).filter(
      (row) => row.applicationId === applicationId,
    );
    expect(summary?.registryId).toBe(second.id);
  });
});
