/**
 * End to end on the `git` provider against the real test Git server (`git http-backend`, pushes
 * allowed for the deployment repository only; the registry stays read-only): the branch is the
 * proposal; it holds exactly what `margo-bridge render` writes (read back with native git); once
 * someone merges it into main, the periodic check finds it merged.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogueWorld,
  catalogueWorld,
  cliRendering,
  type DeploymentBody,
  DIGITRON_ID,
  DIGITRON_VERSION,
  digitronValues,
} from './support/deployment-e2e.js';
import { type NativeRepository, nativeRepository } from './support/native-git.js';
import { git } from './support/registries.js';
import { runDueJobs } from './support/run-jobs.js';

let world: CatalogueWorld;
let repo: NativeRepository;

beforeAll(async () => {
  world = await catalogueWorld();
  const gitdir = join(world.registryRoot, 'deployments.git');
  await git(['init', '--quiet', '--bare', '--initial-branch=main', gitdir]);
  await git(['--git-dir', gitdir, 'config', 'http.receivepack', 'true']);
  repo = nativeRepository(gitdir);
  await repo.setRef('main', await repo.commit({ files: { 'README.md': '# deployments\n' } }));
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('deployments on a Git server', () => {
  it('pushes a branch holding exactly the rendered files; merged by hand, the check finds it merged', async () => {
    const created = await world.harness.call('POST', '/api/v1/deployment-repositories', {
      name: 'plain',
      provider: 'git',
      format: 'argocd',
      git: { url: world.gitServer.url('deployments'), allowHttp: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const answer = await world.harness.call<DeploymentBody>('POST', '/api/v1/deployments', {
      repository: 'plain',
      applicationId: DIGITRON_ID,
      version: DIGITRON_VERSION,
      profile: 'helm',
      target: 'edge-7',
      values: digitronValues,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.state).toBe('proposed');
    const branch = answer.body.proposal!.branch;
    expect(answer.body.proposal!.commit).toBe(await repo.head(branch));
    const files = (await repo.files(branch))!;
    const expected = await cliRendering({
      profile: 'helm',
      target: 'edge-7',
      namespace: 'default',
      format: 'argocd',
      values: digitronValues,
      previousDeployment: files[`edge-7/${answer.body.name}/application-deployment.yaml`]!,
    });
    expect(files).toEqual({ 'README.md': '# deployments\n', ...expected });

    // A reviewer merges the branch (fast-forward), outside margo-bridge.
    await repo.setRef('main', (await repo.head(branch))!);
    const { services } = world.harness.runtime;
    const repository = (await services.store.deploymentRepositories.getByName('plain'))!;
    await services.store.jobs.enqueue({ kind: 'track', payload: { repositoryId: repository.id } });
    await runDueJobs(services, ['track']);
    const after = await world.harness.call<DeploymentBody>('GET', `/api/v1/deployments/${answer.body.id}`);
    expect(after.body.state).toBe('merged');
    expect(await repo.files('main')).toEqual(files);
    // The registry next to it stayed read-only.
    expect(
      world.gitServer.requests.filter((r) => r.path.startsWith('/digitron') && r.service === 'git-receive-pack'),
    ).toEqual([]);
  });
});
