/**
 * Upgrade proposals (issue 15) end to end: digitron 1.2.1 deployed with policy `minor` on the
 * fake GitHub; new releases published to the test Git server and ingested by a poll. 1.3.0 (one
 * parameter removed) opens one upgrade pull request with the values carried over and the removed
 * parameter listed; 1.4.0 (a new required parameter without default) updates nothing and puts the
 * deployment in `needs-input` naming it, until a PATCH supplies it, which updates the same pull
 * request in place; 2.0.0 is beyond `minor` and leaves it alone; policy `none` never upgrades.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { upgradeAllowed } from '../src/flows/deployments/upgrade.js';
import {
  type DeploymentBody,
  DIGITRON_ID,
  digitronRequest,
  type GitHubWorld,
  gitHubWorld,
  githubDeploymentRepository,
} from './support/deployment-e2e.js';
import type { FakeGitHub } from './support/fake-github/index.js';
import { nativeRepository } from './support/native-git.js';
import { deleteTag, exampleText, publishRelease } from './support/registries.js';
import { DIGITRON } from './support/render.js';
import { runDueJobs } from './support/run-jobs.js';

let world: GitHubWorld;
let gh: FakeGitHub;
let base: string;

beforeAll(async () => {
  world = await gitHubWorld();
  gh = world.gh;
  base = await exampleText(DIGITRON);
  await githubDeploymentRepository(world, gh, 'fleet');
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

/** Digitron's description at `version`, edited: parameters removed, one added as a required setting. */
function variant(version: string, edit: { remove?: string[]; addRequired?: string } = {}): string {
  const document = parseDocument(base);
  document.setIn(['metadata', 'version'], version);
  for (const name of edit.remove ?? []) {
    document.deleteIn(['parameters', name]);
    for (const section of (document.getIn(['configuration', 'sections']) as YAMLSeq<YAMLMap>).items) {
      const settings = section.get('settings') as YAMLSeq<YAMLMap>;
      settings.items = settings.items.filter((setting) => setting.get('parameter') !== name);
    }
  }
  if (edit.addRequired) {
    document.setIn(['parameters', edit.addRequired], {
      targets: [{ pointer: 'license.code', components: ['digitron-orchestrator'] }],
    });
    const first = (document.getIn(['configuration', 'sections']) as YAMLSeq<YAMLMap>).items[0] as YAMLMap;
    (first.get('settings') as YAMLSeq).add(
      document.createNode({ parameter: edit.addRequired, name: 'License number', schema: 'requiredText' }),
    );
  }
  return document.toString();
}

async function release(version: string, text: string): Promise<void> {
  await publishRelease(world.registryRoot, 'digitron', `v${version}`, { 'margo.yaml': text });
  await world.harness.poll();
  const stored = await world.harness.runtime.services.store.versions.get(DIGITRON_ID, version);
  expect(stored?.state, JSON.stringify(stored?.errors)).not.toBe('rejected');
  await runDueJobs(world.harness.runtime.services, ['upgrade', 'propose']);
}

const deploy = (target: string, upgradePolicy: string) =>
  call('POST', '/api/v1/deployments', digitronRequest('fleet', target, { upgradePolicy }));

const openPulls = () => gh.pulls('acme', 'fleet').filter((pull) => pull.state === 'open');

describe('upgrade policy', () => {
  it('tells which versions a policy allows', () => {
    expect(upgradeAllowed('patch', '1.2.1', '1.2.5')).toBe(true);
    expect(upgradeAllowed('patch', '1.2.1', '1.3.0')).toBe(false);
    expect(upgradeAllowed('minor', '1.2.1', '1.3.0')).toBe(true);
    expect(upgradeAllowed('minor', '1.2.1', '2.0.0')).toBe(false);
    expect(upgradeAllowed('major', '1.2.1', '2.0.0')).toBe(true);
    expect(upgradeAllowed('major', '1.2.1', '1.2.0')).toBe(false);
    expect(upgradeAllowed('none', '1.2.1', '1.2.2')).toBe(false);
    expect(upgradeAllowed('minor', '1.2.1', '1.3.0-rc.1')).toBe(false);
  });

  it('proposes upgrades with values carried over, needs input for new required parameters, never two open', async () => {
    const minor = await deploy('plant-a', 'minor');
    expect(minor.status, JSON.stringify(minor.body)).toBe(201);
    expect(minor.body.upgradePolicy).toBe('minor');
    const none = await deploy('plant-b', 'none');
    expect(none.status).toBe(201);
    // The initial pull requests are merged: both deployments are live on 1.2.1.
    for (const pull of openPulls()) {
      await fetch(`${gh.apiUrl}/repos/acme/fleet/pulls/${pull.number}/merge`, {
        method: 'PUT',
        headers: { authorization: `token ${gh.addToken()}`, 'content-type': 'application/json' },
        body: '{}',
      });
    }
    const repositoryId = (await world.harness.runtime.services.store.deploymentRepositories.getByName('fleet'))!.id;
    await world.harness.runtime.services.store.jobs.enqueue({ kind: 'track', payload: { repositoryId } });
    await runDueJobs(world.harness.runtime.services, ['track']);
    expect((await call('GET', `/api/v1/deployments/${minor.body.id}`)).body.state).toBe('merged');

    // 1.3.0 drops `siteId`: one upgrade pull request for the `minor` deployment only.
    await release('1.3.0', variant('1.3.0', { remove: ['siteId'] }));
    expect(openPulls()).toHaveLength(1);
    const [upgrade] = openPulls();
    expect(upgrade!.title).toContain('upgrade');
    expect(upgrade!.body).toContain('1.2.1 → 1.3.0');
    expect(upgrade!.body).toMatch(/Removed or renamed in 1\.3\.0.*`siteId`/);
    const proposed = await call('GET', `/api/v1/deployments/${minor.body.id}`);
    expect(proposed.body.proposal?.number).toBe(upgrade!.number);
    const branch = (await nativeRepository(gh.git('acme', 'fleet').gitDir).files(proposed.body.proposal!.branch))!;
    const deploymentFile = Object.entries(branch).find(
      ([path]) => path.startsWith('plant-a/') && path.endsWith('application-deployment.yaml'),
    )![1];
    expect(proposed.body.version).toBe('1.3.0');
    expect(deploymentFile).toContain('value: Some One');
    expect(deploymentFile).not.toContain('siteId');
    expect((await call('GET', `/api/v1/deployments/${none.body.id}`)).body.state).toBe('merged');

    // 1.4.0 adds a required parameter without default: no proposal, `needs-input` naming it.
    await release('1.4.0', variant('1.4.0', { remove: ['siteId'], addRequired: 'licenseCode' }));
    const waiting = await call('GET', `/api/v1/deployments/${minor.body.id}`);
    expect(waiting.body.state).toBe('needs-input');
    expect(waiting.body.failureReason).toContain('licenseCode');
    expect(openPulls()).toHaveLength(1);

    // The End User supplies it: the same pull request now carries 1.4.0 (updated in place).
    const supplied = await call('PATCH', `/api/v1/deployments/${minor.body.id}`, {
      version: '1.4.0',
      values: { licenseCode: 'LK-42' },
    });
    expect(supplied.status, JSON.stringify(supplied.body)).toBe(200);
    expect(supplied.body.state).toBe('proposed');
    expect(openPulls()).toHaveLength(1);
    expect(openPulls()[0]!.number).toBe(upgrade!.number);
    expect(openPulls()[0]!.body).toContain('→ 1.4.0');

    // 2.0.0 is beyond `minor`.
    await release('2.0.0', variant('2.0.0', { remove: ['siteId'], addRequired: 'licenseCode' }));
    expect(openPulls()).toHaveLength(1);
    expect(openPulls()[0]!.body).toContain('→ 1.4.0');
  });

  it('flags deployments whose version is withdrawn or moved, changing nothing', async () => {
    await release('1.5.0', variant('1.5.0'));
    const created = await call(
      'POST',
      '/api/v1/deployments',
      digitronRequest('fleet', 'plant-w', { version: '1.5.0' }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const before = await call<DeploymentBody & { versionMark: unknown }>(
      'GET',
      `/api/v1/deployments/${created.body.id}`,
    );
    expect(before.body.versionMark).toBeNull();
    // The tag moves to another commit, then is deleted: both are reported, once each.
    await publishRelease(
      world.registryRoot,
      'digitron',
      'v1.5.0',
      { 'margo.yaml': `${variant('1.5.0')}\n# moved\n` },
      { force: true },
    );
    await world.harness.poll();
    await deleteTag(world.registryRoot, 'digitron', 'v1.5.0');
    await world.harness.poll();
    await world.harness.poll();
    const after = await call<DeploymentBody & { versionMark: { kind: string; message: string } | null }>(
      'GET',
      `/api/v1/deployments/${created.body.id}`,
    );
    // The mark says what the registry shows now (deleted); the events keep both changes.
    expect(after.body.versionMark?.kind).toBe('withdrawn');
    expect(after.body.versionMark?.message).toContain('1.5.0');
    expect(after.body.version).toBe('1.5.0');
    expect(after.body.state).toBe(before.body.state);
    const registry = (await world.harness.runtime.services.store.registries.list())[0]!;
    for (const kind of ['TAG_MOVED', 'TAG_DELETED']) {
      const events = await world.harness.runtime.services.store.events.list(registry.id, { kind });
      expect(events.filter((event) => event.tag === 'v1.5.0')).toHaveLength(1);
    }
  });

  it('changes the policy with PATCH', async () => {
    const created = await deploy('plant-c', 'none');
    const patched = await call('PATCH', `/api/v1/deployments/${created.body.id}`, { upgradePolicy: 'patch' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.upgradePolicy).toBe('patch');
    expect((await call('GET', `/api/v1/deployments/${created.body.id}`)).body.upgradePolicy).toBe('patch');
    const bad = await call('PATCH', `/api/v1/deployments/${created.body.id}`, { upgradePolicy: 'sometimes' });
    expect(bad.status).toBe(400);
  });
});
