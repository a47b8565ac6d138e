/**
 * The deployment tables' part of the Store contract (run by test/store.sqlite.test.ts and
 * test/store.postgres.test.ts): repositories by name and URL key, one deployment per slot under
 * concurrency, revision-guarded changes, proposals as history.
 */
import { describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import type { DeploymentInput, DeploymentRepositoryInput, ProposalInput } from './deployment-records.js';
import type { Store } from './interface.js';
import { type StoreHarness, useSuiteStore } from './store.contract.js';

export function repositoryInput(
  name: string,
  overrides: Partial<DeploymentRepositoryInput> = {},
): DeploymentRepositoryInput {
  return {
    name,
    provider: 'github',
    settings: { owner: 'acme', repo: name, apiUrl: 'https://api.github.com' },
    urlKey: `github.com/acme/${name}`,
    baseBranch: 'main',
    format: 'flux',
    layout: { root: '', directory: '{target}/{name}' },
    commitAuthor: { name: 'margo-bridge', email: 'mb@example.com' },
    labels: ['margo'],
    titlePattern: null,
    secretsCiphertext: 'sealed',
    credentialSummary: { auth: 'token' },
    configured: false,
    ...overrides,
  };
}

export function deploymentInput(repositoryId: string, overrides: Partial<DeploymentInput> = {}): DeploymentInput {
  return {
    id: crypto.randomUUID(),
    repositoryId,
    applicationId: 'app-a',
    version: '1.0.0',
    profile: 'helm',
    target: 'plant-a/line-3',
    namespace: 'default',
    name: 'app-a-deployment',
    values: { replicas: 2 },
    sealedValues: 'sealed-values',
    sensitive: ['password'],
    namespaces: ['default'],
    state: 'pending',
    ...overrides,
  };
}

function proposalInput(
  deploymentId: string,
  repositoryId: string,
  overrides: Partial<ProposalInput> = {},
): ProposalInput {
  return {
    deploymentId,
    repositoryId,
    action: 'deploy',
    version: '1.0.0',
    profile: 'helm',
    namespace: 'default',
    values: { replicas: 2 },
    sealedValues: null,
    sensitive: [],
    contentHash: 'sha256:abc',
    files: [{ path: 'plant-a/line-3/app/application-deployment.yaml', sha256: 'f'.repeat(64) }],
    branch: 'margo-bridge/plant-a/line-3/app-a-deployment',
    state: 'pending',
    requestedBy: 'ops (token 1)',
    requestedAt: 1000,
    ...overrides,
  };
}

export function deploymentsContract(name: string, setup: () => Promise<StoreHarness>): void {
  describe(`Store contract, deployments: ${name}`, () => {
    let store: Store;
    let clock = 1_700_000_000_000;
    useSuiteStore(
      setup,
      () => clock,
      (opened) => {
        store = opened.store;
      },
    );

    it('keeps deployment repositories by name and URL key, unique by name', async () => {
      const created = await store.deploymentRepositories.create(repositoryInput('fleet'));
      expect(created).toMatchObject({ ...repositoryInput('fleet'), createdAt: clock, updatedAt: clock });
      expect(await store.deploymentRepositories.getByName('fleet')).toEqual(created);
      expect(await store.deploymentRepositories.findByUrlKey('github.com/acme/fleet')).toEqual([created]);
      const twice = await store.deploymentRepositories.create(repositoryInput('fleet')).catch((error) => error);
      expect(isBridgeError(twice, 'CONFLICT')).toBe(true);
      clock += 5;
      const updated = await store.deploymentRepositories.update(created.id, { labels: [], titlePattern: 'x {target}' });
      expect(updated).toMatchObject({ labels: [], titlePattern: 'x {target}', updatedAt: clock, name: 'fleet' });
      await store.deploymentRepositories.create(repositoryInput('other'));
      const renamed = await store.deploymentRepositories.update(created.id, { name: 'other' }).catch((error) => error);
      expect(isBridgeError(renamed, 'CONFLICT')).toBe(true);
      expect((await store.deploymentRepositories.list()).map((r) => r.name)).toEqual(['fleet', 'other']);
    });

    it('lets one deployment hold a slot, also when two ask at once, until it is removed', async () => {
      const repository = await store.deploymentRepositories.create(repositoryInput('fleet'));
      const [a, b] = await Promise.all([
        store.deployments.create(deploymentInput(repository.id)),
        store.deployments.create(deploymentInput(repository.id)),
      ]);
      expect([a!.created, b!.created].sort()).toEqual([false, true]);
      expect(a!.deployment.id).toBe(b!.deployment.id);
      const held = a!.deployment;
      expect(held).toMatchObject({ values: { replicas: 2 }, sealedValues: 'sealed-values', sensitive: ['password'] });
      expect(await store.deployments.findByName(repository.id, 'plant-a/line-3', 'app-a-deployment')).toEqual(held);
      expect(await store.deployments.countByRepository(repository.id)).toBe(1);
      const refused = await store.deploymentRepositories.delete(repository.id).catch((error) => error);
      expect(isBridgeError(refused, 'CONFLICT')).toBe(true);

      expect(await store.deployments.update(held.id, { state: 'removed' }, held.revision)).toBe(true);
      expect(await store.deployments.findByName(repository.id, 'plant-a/line-3', 'app-a-deployment')).toBeUndefined();
      expect(await store.deployments.countByRepository(repository.id)).toBe(0);
      const again = await store.deployments.create(deploymentInput(repository.id));
      expect(again.created).toBe(true);
    });

    it('changes a deployment only at the revision the caller read', async () => {
      const repository = await store.deploymentRepositories.create(repositoryInput('fleet'));
      const { deployment } = await store.deployments.create(deploymentInput(repository.id));
      const results = await Promise.all([
        store.deployments.update(deployment.id, { version: '2.0.0' }, deployment.revision),
        store.deployments.update(deployment.id, { version: '3.0.0' }, deployment.revision),
      ]);
      expect(results.sort()).toEqual([false, true]);
      const after = await store.deployments.get(deployment.id);
      expect(after!.revision).toBe(deployment.revision + 1);
      expect(['2.0.0', '3.0.0']).toContain(after!.version);
      expect(await store.deployments.update(deployment.id, { state: 'failed', failureReason: 'x' })).toBe(true);
      expect(await store.deployments.get(deployment.id)).toMatchObject({ state: 'failed', failureReason: 'x' });
    });

    it('lets one owner at a time hold the proposal lease, leaving the revision alone', async () => {
      const repository = await store.deploymentRepositories.create(repositoryInput('fleet'));
      const { deployment } = await store.deployments.create(deploymentInput(repository.id));
      const { id } = deployment;
      const taken = await Promise.all([
        store.deployments.acquireProposalLease(id, 'a', clock, clock + 1000),
        store.deployments.acquireProposalLease(id, 'b', clock, clock + 1000),
      ]);
      const holder = taken[0] ? 'a' : 'b';
      expect([...taken].sort()).toEqual([false, true]);
      const other = holder === 'a' ? 'b' : 'a';
      expect(await store.deployments.renewProposalLease(id, holder, clock + 2000)).toBe(true);
      expect(await store.deployments.renewProposalLease(id, other, clock + 2000)).toBe(false);
      // Expired: another owner takes it, and the first one cannot renew it any more.
      expect(await store.deployments.acquireProposalLease(id, other, clock + 2000, clock + 3000)).toBe(true);
      expect(await store.deployments.renewProposalLease(id, holder, clock + 4000)).toBe(false);
      await store.deployments.releaseProposalLease(id, holder);
      expect(await store.deployments.acquireProposalLease(id, holder, clock + 2500, clock + 3500)).toBe(false);
      await store.deployments.releaseProposalLease(id, other);
      expect(await store.deployments.acquireProposalLease(id, holder, clock + 2500, clock + 3500)).toBe(true);
      expect((await store.deployments.get(id))!.revision).toBe(deployment.revision);
      expect(await store.deployments.acquireProposalLease('no-such-deployment', 'a', clock, clock + 1)).toBe(false);
    });

    it('filters deployments by repository, application, target and state', async () => {
      const fleet = await store.deploymentRepositories.create(repositoryInput('fleet'));
      const other = await store.deploymentRepositories.create(repositoryInput('other'));
      await store.deployments.create(deploymentInput(fleet.id));
      await store.deployments.create(deploymentInput(fleet.id, { target: 'plant-b', state: 'merged' }));
      await store.deployments.create(deploymentInput(other.id, { applicationId: 'app-b', name: 'b' }));
      expect(await store.deployments.list({ repositoryId: fleet.id })).toHaveLength(2);
      expect(await store.deployments.list({ applicationId: 'app-b' })).toHaveLength(1);
      expect(await store.deployments.list({ target: 'plant-b' })).toHaveLength(1);
      expect((await store.deployments.list({ state: 'merged' }))[0]!.target).toBe('plant-b');
      expect(await store.deployments.list({})).toHaveLength(3);
    });

    it('pages deployments newest first and repositories by name, by key', async () => {
      const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
      const repositories = [];
      for (const name of names) repositories.push(await store.deploymentRepositories.create(repositoryInput(name)));
      // Two deployments share a creation time: the id orders them, and no page loses or repeats one.
      for (const [index, repository] of repositories.entries()) {
        if (index !== 2) clock += 10;
        await store.deployments.create(deploymentInput(repository.id, { name: `d-${index}` }));
      }
      const all = await store.deployments.list({});
      const paged = [];
      let after: { createdAt: number; id: string } | undefined;
      for (let page = 0; page < 5; page++) {
        const items = await store.deployments.list({}, { limit: 2, after });
        paged.push(items.map((deployment) => deployment.name));
        const last = items.at(-1);
        if (!last || items.length < 2) break;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(paged.flat()).toEqual(all.map((deployment) => deployment.name));
      expect(paged.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(all.map((deployment) => deployment.createdAt)).toEqual(
        [...all.map((deployment) => deployment.createdAt)].sort((a, b) => b - a),
      );
      // A filter pages the same way: after the fourth, the oldest (d-0, of the first repository) remains.
      const filtered = await store.deployments.list({ repositoryId: repositories[0]!.id }, { limit: 2, after });
      expect(filtered.map((deployment) => deployment.name)).toEqual(['d-0']);
      expect((await store.deploymentRepositories.list({ limit: 2 })).map((r) => r.name)).toEqual(['alpha', 'bravo']);
      expect((await store.deploymentRepositories.list({ limit: 2, after: 'bravo' })).map((r) => r.name)).toEqual([
        'charlie',
        'delta',
      ]);
      expect((await store.deploymentRepositories.list({ limit: 2, after: 'delta' })).map((r) => r.name)).toEqual([
        'echo',
      ]);
    });

    it('keeps proposals as history, newest first, found by state and number', async () => {
      const repository = await store.deploymentRepositories.create(repositoryInput('fleet'));
      const { deployment } = await store.deployments.create(deploymentInput(repository.id));
      const first = await store.proposals.create(proposalInput(deployment.id, repository.id));
      const second = await store.proposals.create(proposalInput(deployment.id, repository.id, { action: 'update' }));
      expect((await store.proposals.listByDeployment(deployment.id)).map((p) => p.id)).toEqual([second.id, first.id]);
      const proposed = await store.proposals.update(first.id, {
        state: 'proposed',
        number: 7,
        url: 'https://github.com/acme/fleet/pull/7',
        commit: 'c'.repeat(40),
        outcome: 'created',
      });
      expect(proposed).toMatchObject({ ...proposalInput(deployment.id, repository.id), state: 'proposed', number: 7 });
      expect((await store.proposals.listByState(repository.id, ['proposed'])).map((p) => p.id)).toEqual([first.id]);
      expect((await store.proposals.listByState(null, ['pending', 'proposed'])).map((p) => p.id)).toEqual([
        first.id,
        second.id,
      ]);
      expect((await store.proposals.findByNumber(repository.id, 7)).map((p) => p.id)).toEqual([first.id]);
      const missing = await store.proposals.update('nope', { state: 'closed' }).catch((error) => error);
      expect(isBridgeError(missing, 'NOT_FOUND')).toBe(true);
    });

    it('rolls back deployments and proposals with the transaction', async () => {
      const repository = await store.deploymentRepositories.create(repositoryInput('fleet'));
      await store
        .transaction(async (tx) => {
          const { deployment } = await tx.deployments.create(deploymentInput(repository.id));
          await tx.proposals.create(proposalInput(deployment.id, repository.id));
          throw new Error('abort');
        })
        .catch(() => undefined);
      expect(await store.deployments.list({})).toEqual([]);
      await store.deploymentRepositories.delete(repository.id);
      expect(await store.deploymentRepositories.list()).toEqual([]);
    });
  });
}
