/**
 * End to end on the `local` provider, through the HTTP API: digitron ingested from the test Git
 * server → a deployment → a proposal whose branch holds exactly what `margo-bridge render` writes
 * → approved → merged, the files on the base branch. Then the idempotency and bad-input cases.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogueWorld,
  catalogueWorld,
  cliRendering,
  type DeploymentBody as DeploymentAnswer,
  DIGITRON_ID,
  digitronRequest,
  digitronValues,
} from './support/deployment-e2e.js';
import { type NativeRepository, nativeRepository } from './support/native-git.js';

/** The local provider's proposal has no URL or number before it is approved, nor a commit before it is merged. */
type DeploymentBody = DeploymentAnswer<{
  url: string | null;
  number: number | null;
  state: string;
  branch: string;
  commit: string | null;
}>;

let world: CatalogueWorld;
let repo: NativeRepository;
const target = 'plant-a/line-3';
const request = digitronRequest('fleet', target);

beforeAll(async () => {
  world = await catalogueWorld();
  const created = await world.harness.call('POST', '/api/v1/deployment-repositories', {
    name: 'fleet',
    provider: 'local',
    format: 'flux',
    // These tests judge plaintext renderings with sensitive values (test/deployments-sops.test.ts encrypts them).
    allowPlaintextSecrets: true,
  });
  expect(created.status).toBe(201);
  repo = nativeRepository(join(world.harness.runtime.services.config.dataDir, 'deployments', 'fleet.git'));
}, 60_000);

afterAll(async () => {
  await world?.close();
});

const call = <T = DeploymentBody>(method: string, path: string, body?: unknown) =>
  world.harness.call<T>(method, path, body);

describe('deployments on a local repository', () => {
  let id: string;

  it('proposes a branch holding exactly what margo-bridge render writes, byte for byte', async () => {
    const answer = await call('POST', '/api/v1/deployments', request);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    id = answer.body.id;
    expect(answer.body.state).toBe('proposed');
    const proposal = answer.body.proposal!;
    expect(proposal.branch).toBe(`margo-bridge/${target}/${answer.body.name}`);
    expect(proposal.state).toBe('proposed');
    expect(proposal.number).toBe(1);
    expect(proposal.commit).toBe(await repo.head(proposal.branch));

    const branch = (await repo.files(proposal.branch))!;
    const folder = `${target}/${answer.body.name}`;
    const expected = await cliRendering({
      profile: 'helm',
      target,
      namespace: 'margo-poc',
      format: 'flux',
      values: digitronValues,
      previousDeployment: branch[`${folder}/application-deployment.yaml`]!,
    });
    expect(branch).toEqual(expected);
    // The answer lists the deployment's own files with their digests.
    const own = Object.keys(expected)
      .filter((path) => path.startsWith(`${folder}/`))
      .sort();
    expect(answer.body.files!.map((file) => file.path)).toEqual(own);
    expect(await repo.files('main')).toEqual({});
  });

  it('answers the same request with the same proposal', async () => {
    const again = await call('POST', '/api/v1/deployments', request);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    const history = await call('GET', `/api/v1/deployments/${id}`);
    expect(history.body.history).toHaveLength(1);
  });

  it('merges on approve: state merged, the files on the base branch', async () => {
    const before = await call('GET', `/api/v1/deployments/${id}`);
    const proposed = await repo.files(before.body.proposal!.branch);
    const approved = await call('POST', `/api/v1/deployments/${id}/approve`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.state).toBe('merged');
    expect(approved.body.proposal!.state).toBe('merged');
    const main = (await repo.files('main'))!;
    expect(main).toEqual(proposed);
    expect(Object.keys(main)).toContain(`${target}/${before.body.name}/application-deployment.yaml`);
  });

  it('says unchanged when the base branch already holds the request', async () => {
    const same = await call('PATCH', `/api/v1/deployments/${id}`, { values: {} });
    expect(same.status).toBe(200);
    expect(same.body.unchanged).toBe(true);
    expect((await call('GET', `/api/v1/deployments/${id}`)).body.history).toHaveLength(1);
  });

  it('proposes a value change as a fix on a new proposal, keeping the id', async () => {
    const changed = await call('PATCH', `/api/v1/deployments/${id}`, { values: { pollFrequency: 60 } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.state).toBe('proposed');
    expect(changed.body.id).toBe(id);
    const files = (await repo.files(changed.body.proposal!.branch))!;
    const deployment = files[`${target}/${changed.body.name}/application-deployment.yaml`]!;
    expect(deployment).toContain(id);
    expect(deployment).toMatch(/pollFrequency[\s\S]*value: 60/);
    const record = await world.harness.runtime.services.store.proposals.listByDeployment(id);
    expect(record[0]!.action).toBe('update');
  });

  it('closes an open proposal without touching the base branch', async () => {
    const main = await repo.head('main');
    const closed = await call('POST', `/api/v1/deployments/${id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe('closed');
    expect(await repo.head('main')).toBe(main);
  });

  it('lists and filters deployments', async () => {
    const all = await call<{ deployments: DeploymentBody[] }>('GET', '/api/v1/deployments?repository=fleet');
    expect(all.body.deployments.map((d) => d.id)).toEqual([id]);
    const none = await call<{ deployments: DeploymentBody[] }>('GET', '/api/v1/deployments?state=failed');
    expect(none.body.deployments).toEqual([]);
  });

  it('refuses to delete a repository still in use', async () => {
    const repositories = await call<{ deploymentRepositories: { id: string }[] }>(
      'GET',
      '/api/v1/deployment-repositories',
    );
    const used = await call(
      'DELETE',
      `/api/v1/deployment-repositories/${repositories.body.deploymentRepositories[0]!.id}`,
    );
    expect(used.status).toBe(409);
  });

  it('proposes a removal that deletes the files, and a merged removal frees the place', async () => {
    const removal = await call('DELETE', `/api/v1/deployments/${id}`);
    expect(removal.status, JSON.stringify(removal.body)).toBe(200);
    expect(removal.body.proposal!.state).toBe('proposed');
    const files = (await repo.files(removal.body.proposal!.branch))!;
    expect(Object.keys(files).filter((path) => path.includes(DIGITRON_ID))).toEqual([]);
    const approved = await call('POST', `/api/v1/deployments/${id}/approve`);
    expect(approved.body.state).toBe('removed');
    const main = (await repo.files('main'))!;
    expect(Object.keys(main).filter((path) => path.includes(DIGITRON_ID))).toEqual([]);
  });
});

describe('bad deployment requests', () => {
  const secret = 'hunter2-do-not-echo';
  const bad: [string, Record<string, unknown>, number, string][] = [
    ['an unknown application', { applicationId: 'com-example-nothing' }, 404, 'NOT_FOUND'],
    ['an unknown version', { version: '9.9.9' }, 404, 'NOT_FOUND'],
    ['a profile the application lacks', { profile: 'nomad' }, 422, 'PROFILE_NOT_FOUND'],
    ['an unsafe target', { target: '../etc' }, 422, 'INVALID_TARGET'],
    ['a hidden target', { target: 'plant/.git' }, 422, 'INVALID_TARGET'],
    ['an unsafe name', { name: 'Bad_Name/..' }, 422, 'INVALID_TARGET'],
    ['an unknown repository', { repository: 'nowhere' }, 404, 'NOT_FOUND'],
    ['values of the wrong type', { values: { ...digitronValues, cpuLimit: 'many' } }, 422, 'INVALID_VALUES'],
  ];

  it.each(bad)('refuses %s with a clear 4xx and commits nothing', async (_, change, status, code) => {
    const before = await repo.git('for-each-ref', '--format=%(refname) %(objectname)');
    const answer = await call<{ error: { code: string; message: string; details?: unknown } }>(
      'POST',
      '/api/v1/deployments',
      { ...request, target: 'plant-z', ...change },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message.length).toBeGreaterThan(10);
    expect(await repo.git('for-each-ref', '--format=%(refname) %(objectname)')).toBe(before);
  });

  it('lists each invalid value as { parameter, code, message } and never echoes a sensitive value', async () => {
    const answer = await call<{ error: { code: string; details: { errors: { parameter: string; code: string }[] } } }>(
      'POST',
      '/api/v1/deployments',
      {
        ...request,
        target: 'plant-z',
        values: { ...digitronValues, cpuLimit: secret, siteId: secret, noSuchParameter: secret },
        sensitive: ['cpuLimit', 'siteId'],
      },
    );
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('INVALID_VALUES');
    const errors = answer.body.error.details.errors;
    expect(errors.map((error) => error.parameter).sort()).toEqual(['cpuLimit', 'noSuchParameter']);
    for (const error of errors) expect(Object.keys(error).sort()).toEqual(['code', 'message', 'parameter']);
    expect(JSON.stringify(answer.body)).not.toContain(secret);
    expect(JSON.stringify(world.harness.logs)).not.toContain(secret);
  });

  it('refuses a rejected version', async () => {
    const { store } = world.harness.runtime.services;
    const [registry] = await store.registries.list();
    await store.versions.insert(
      {
        registryId: registry!.id,
        applicationId: DIGITRON_ID,
        tag: 'v0.0.1-broken',
        commit: 'b'.repeat(40),
        version: '0.0.1-broken',
        state: 'rejected',
        shape: null,
        description: null,
        errors: [{ severity: 'error', code: 'REQUIRED', message: 'missing', path: 'metadata', line: 1, column: 1 }],
        warnings: [],
      },
      [],
    );
    const answer = await call<{ error: { code: string; message: string } }>('POST', '/api/v1/deployments', {
      ...request,
      target: 'plant-z',
      version: '0.0.1-broken',
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toContain('rejected');
  });

  it('gives two concurrent equal requests one deployment and one proposal', async () => {
    const body = { ...request, target: 'plant-c', values: { ...digitronValues, idpClientId: 'sensitive-id' } };
    const answers = await Promise.all([
      call('POST', '/api/v1/deployments', body),
      call('POST', '/api/v1/deployments', body),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
    expect(answers[0]!.body.id).toBe(answers[1]!.body.id);
    const history = await world.harness.runtime.services.store.proposals.listByDeployment(answers[0]!.body.id);
    expect(history).toHaveLength(1);
    expect(await repo.git('for-each-ref', '--format=%(refname)', 'refs/heads/margo-bridge/plant-c')).toContain(
      'refs/heads/margo-bridge/plant-c/',
    );
  });

  it('masks secret-looking and sensitive values in views', async () => {
    const answer = await call('POST', '/api/v1/deployments', {
      ...request,
      target: 'plant-s',
      values: { ...digitronValues, idpClientId: 'client-secret-value' },
      sensitive: ['idpClientId'],
    });
    expect(answer.status).toBe(201);
    expect(answer.body.values.idpClientId).toBe('••••••');
    const listed = await call('GET', '/api/v1/deployments');
    expect(JSON.stringify(listed.body)).not.toContain('client-secret-value');
    const stored = JSON.stringify(await world.harness.runtime.services.store.deployments.get(answer.body.id));
    expect(stored).not.toContain('client-secret-value');
  });

  it('previews a change with files and a diff, committing nothing and masking sensitive values', async () => {
    const created = await call('POST', '/api/v1/deployments', {
      ...request,
      target: 'plant-p',
      values: { ...digitronValues, siteId: 'site-secret-1' },
      sensitive: ['siteId'],
    });
    expect(created.status).toBe(201);
    await call('POST', `/api/v1/deployments/${created.body.id}/approve`);
    const refs = await repo.git('for-each-ref', '--format=%(refname) %(objectname)');
    const preview = await call<{ files: { path: string; content: string }[]; diff: string; unchanged: boolean }>(
      'POST',
      '/api/v1/deployments/preview',
      { id: created.body.id, values: { pollFrequency: 60, siteId: 'site-secret-2' } },
    );
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.unchanged).toBe(false);
    expect(preview.body.diff).toMatch(/^-.*120$/m);
    expect(preview.body.diff).toMatch(/^\+.*60$/m);
    expect(preview.body.files.map((file) => file.path)).toContain(
      `plant-p/${created.body.name}/application-deployment.yaml`,
    );
    expect(JSON.stringify(preview.body)).not.toContain('site-secret');
    expect(await repo.git('for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
  });

  it('refuses to change an immutable setting of a live deployment with 422 IMMUTABLE_SETTING', async () => {
    const created = await call('POST', '/api/v1/deployments', { ...request, target: 'plant-i' });
    expect(created.status).toBe(201);
    // Before it is live the setting may still change: nothing was installed with it yet.
    const early = await call('PATCH', `/api/v1/deployments/${created.body.id}`, { values: { idpName: 'Keycloak' } });
    expect(early.status, JSON.stringify(early.body)).toBe(200);
    expect((await call('POST', `/api/v1/deployments/${created.body.id}/approve`)).body.state).toBe('merged');
    const refused = await call<{ error: { code: string; details: { errors: { parameter: string; code: string }[] } } }>(
      'PATCH',
      `/api/v1/deployments/${created.body.id}`,
      { values: { idpName: 'Okta' } },
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('IMMUTABLE_SETTING');
    expect(refused.body.error.details.errors).toEqual([
      expect.objectContaining({ parameter: 'idpName', code: 'VALUE_IMMUTABLE' }),
    ]);
    expect((await call('GET', `/api/v1/deployments/${created.body.id}`)).body.state).toBe('merged');
  });

  it('approves with a fast-forward when asked, the base branch then at the proposal commit', async () => {
    const created = await call('POST', '/api/v1/deployments', { ...request, target: 'plant-ff' });
    const approved = await call('POST', `/api/v1/deployments/${created.body.id}/approve?method=fast-forward`);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.state).toBe('merged');
    expect(await repo.head('main')).toBe(created.body.proposal!.commit);
    const bad = await call('POST', `/api/v1/deployments/${created.body.id}/approve?method=squash`);
    expect(bad.status).toBe(400);
  });

  it('refuses a deployment whose folder would hold or lie inside the folder of another', async () => {
    const outer = await call('POST', '/api/v1/deployments', { ...request, target: 'plant-n', name: 'line' });
    expect(outer.status, JSON.stringify(outer.body)).toBe(201);
    expect((await call('POST', `/api/v1/deployments/${outer.body.id}/approve`)).body.state).toBe('merged');
    const refs = await repo.git('for-each-ref', '--format=%(refname) %(objectname)');
    // Target plant-n/line is the folder of deployment `line` of target plant-n: its files would be overwritten.
    const inner = await call<{ error: { code: string; message: string } }>('POST', '/api/v1/deployments', {
      ...request,
      target: 'plant-n/line',
    });
    expect(inner.status).toBe(409);
    expect(inner.body.error.code).toBe('CONFLICT');
    expect(inner.body.error.message).toContain("'plant-n/line'");
    expect(await repo.git('for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
    // The same request again is still answered as a repeat, not refused.
    const again = await call('POST', '/api/v1/deployments', { ...request, target: 'plant-n', name: 'line' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(outer.body.id);
  });
});
