/**
 * The contract every DeploymentProvider keeps, run by each implementation's test against a real
 * repository (a bare repository on disk, the test Git server, the fake GitHub). What a provider
 * wrote is read back through the harness with native `git`, never through the provider itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isBridgeError } from '../errors.js';
import type { DeploymentProvider, ProposeInput } from './interface.js';

export interface ProviderHarness {
  provider: DeploymentProvider;
  base: string;
  /** Native git: path → content at the tip of `branch`, undefined when it does not exist. */
  files(branch: string): Promise<Record<string, string> | undefined>;
  head(branch: string): Promise<string | undefined>;
  parents(commit: string): Promise<string[]>;
  /** Someone else's commit on `branch` (usually the base), made with native git. */
  commit(branch: string, files: Record<string, string>, deletions?: string[]): Promise<string>;
  /** What a crashed attempt leaves behind: the branch with one commit of `files` on the base, no proposal. */
  pushBranchOnly(branch: string, files: Record<string, string>, deletions?: string[]): Promise<string>;
  /** Providers whose credentials the server refuses, or lacking a permission (and its name). */
  refused?: () => DeploymentProvider;
  lacking?: () => { provider: DeploymentProvider; permission: RegExp };
  stop(): Promise<void>;
}

export interface ProviderContractOptions {
  /** A fresh repository whose base branch holds `seed`. */
  create(seed: Record<string, string>): Promise<ProviderHarness>;
  /** Whether close keeps a record that getProposal still reports (false: the branch is the proposal). */
  keepsClosedProposals: boolean;
}

const seed = {
  'README.md': '# deployments\n',
  'plant-a/kustomization.yaml': 'resources: []\n',
  'plant-a/other/deployment.yaml': 'kind: Other\n',
};

export function request(
  branch: string,
  files: Record<string, string>,
  extra: Partial<ProposeInput> = {},
): ProposeInput {
  const marker = `<!-- margo-bridge:${branch} -->`;
  return {
    branch,
    base: 'main',
    files: Object.entries(files).map(([path, content]) => ({ path, content })),
    owned: ['plant-a/nginx'],
    commitMessage: `Deploy to ${branch}`,
    author: { name: 'margo-bridge', email: 'bot@example.test' },
    title: `feat(plant-a): deploy nginx (${branch})`,
    body: `A deployment.\n\n${marker}\n`,
    marker,
    labels: ['margo-bridge'],
    ...extra,
  };
}

const rendering = {
  'plant-a/kustomization.yaml': 'resources:\n  - nginx\n',
  'plant-a/nginx/deployment.yaml': 'kind: ApplicationDeployment\nversion: 1\n',
  'plant-a/nginx/values.yaml': 'replicas: 1\n',
};

export function describeProviderContract(name: string, options: ProviderContractOptions): void {
  describe(`DeploymentProvider contract: ${name}`, () => {
    let harness: ProviderHarness | undefined;
    const open = async () => {
      harness = await options.create(seed);
      return harness;
    };
    afterEach(async () => {
      await harness?.stop();
      harness = undefined;
    });

    it('creates a proposal: one commit on the base branch holding the files', async () => {
      const h = await open();
      const baseHead = await h.head('main');
      const result = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      expect(result.outcome).toBe('created');
      expect(result.proposal).toMatchObject({ branch: 'margo-bridge/plant-a/nginx', state: 'open' });
      const commit = result.proposal?.commit as string;
      expect(await h.head('margo-bridge/plant-a/nginx')).toBe(commit);
      expect(await h.parents(commit)).toEqual([baseHead]);
      expect(await h.files('margo-bridge/plant-a/nginx')).toEqual({ ...seed, ...rendering });
      expect(await h.head('main')).toBe(baseHead);
      expect(await h.provider.headCommit('margo-bridge/plant-a/nginx')).toBe(commit);
      expect(await h.provider.readFiles('margo-bridge/plant-a/nginx', 'plant-a/nginx')).toEqual([
        { path: 'plant-a/nginx/deployment.yaml', content: rendering['plant-a/nginx/deployment.yaml'] },
        { path: 'plant-a/nginx/values.yaml', content: rendering['plant-a/nginx/values.yaml'] },
      ]);
      expect(await h.provider.getProposal({ branch: 'margo-bridge/plant-a/nginx', ...numberOf(result) })).toMatchObject(
        {
          state: 'open',
          commit,
        },
      );
    });

    it('updates an open proposal with a new commit and deletes files no longer rendered', async () => {
      const h = await open();
      const first = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const next = {
        'plant-a/kustomization.yaml': rendering['plant-a/kustomization.yaml'],
        'plant-a/nginx/deployment.yaml': 'kind: ApplicationDeployment\nversion: 2\n',
      };
      const second = await h.provider.propose(
        request('margo-bridge/plant-a/nginx', next, { deletions: ['README.md', 'not-there.yaml'] }),
      );
      expect(second.outcome).toBe('updated');
      expect(second.proposal?.number).toBe(first.proposal?.number);
      expect(second.proposal?.commit).not.toBe(first.proposal?.commit);
      // The stale values file is gone, the other deployment and root files outside owned folders stay.
      expect(await h.files('margo-bridge/plant-a/nginx')).toEqual({
        'plant-a/other/deployment.yaml': seed['plant-a/other/deployment.yaml'],
        ...next,
      });
      expect(await h.provider.listOpenProposals('margo-bridge/')).toHaveLength(1);
    });

    it('answers unchanged and writes nothing when the base branch already holds the change', async () => {
      const h = await open();
      const baseHead = await h.head('main');
      const result = await h.provider.propose(
        request(
          'margo-bridge/plant-a/other',
          { 'plant-a/other/deployment.yaml': 'kind: Other\n' },
          {
            owned: ['plant-a/other'],
          },
        ),
      );
      expect(result).toEqual({ outcome: 'unchanged' });
      expect(await h.head('margo-bridge/plant-a/other')).toBeUndefined();
      expect(await h.head('main')).toBe(baseHead);
      expect(await h.provider.listOpenProposals('')).toEqual([]);
    });

    it('gives one proposal for the same request twice', async () => {
      const h = await open();
      const first = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const again = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      expect(again.outcome).toBe('adopted');
      expect(again.proposal).toEqual(first.proposal);
      expect(await h.provider.listOpenProposals('margo-bridge/plant-a/')).toEqual([first.proposal]);
    });

    it('adopts a branch a crashed attempt pushed without a proposal', async () => {
      const h = await open();
      const pushed = await h.pushBranchOnly('margo-bridge/plant-a/nginx', rendering);
      const result = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      expect(result.outcome).toBe('adopted');
      expect(result.proposal).toMatchObject({ state: 'open', commit: pushed });
      expect(await h.provider.listOpenProposals('margo-bridge/')).toHaveLength(1);
    });

    it('rebuilds the proposal on the base branch when the base moved meanwhile', async () => {
      const h = await open();
      await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const moved = await h.commit('main', { 'plant-b/app.yaml': 'kind: B\n' });
      const result = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      expect(result.outcome).toBe('updated');
      expect(await h.parents(result.proposal?.commit as string)).toEqual([moved]);
      expect(await h.files('margo-bridge/plant-a/nginx')).toEqual({
        ...seed,
        ...rendering,
        'plant-b/app.yaml': 'kind: B\n',
      });
    });

    it('closes a proposal without touching the base branch', async () => {
      const h = await open();
      const baseHead = await h.head('main');
      const created = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const ref = { branch: 'margo-bridge/plant-a/nginx', ...numberOf(created) };
      const closed = await h.provider.close(ref);
      expect(closed.state).toBe('closed');
      expect(await h.head('main')).toBe(baseHead);
      expect(await h.provider.listOpenProposals('')).toEqual([]);
      const after = await h.provider.getProposal(ref);
      if (options.keepsClosedProposals) expect(after?.state).toBe('closed');
      else expect(after?.state ?? 'closed').toBe('closed');
    });

    it('lists the open proposals under a branch prefix', async () => {
      const h = await open();
      const a = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const b = await h.provider.propose(
        request(
          'margo-bridge/plant-a/redis',
          { 'plant-a/redis/deployment.yaml': 'kind: R\n' },
          { owned: ['plant-a/redis'] },
        ),
      );
      await h.provider.propose(request('elsewhere/x', { 'x/deployment.yaml': 'kind: X\n' }, { owned: ['x'] }));
      const listed = await h.provider.listOpenProposals('margo-bridge/plant-a/');
      expect(listed.map((proposal) => proposal.branch).sort()).toEqual([a.proposal?.branch, b.proposal?.branch].sort());
      expect(listed.every((proposal) => proposal.state === 'open')).toBe(true);
    });

    it('reads nothing from a branch or folder that does not exist', async () => {
      const h = await open();
      expect(await h.provider.headCommit('no-such-branch')).toBeUndefined();
      expect(await h.provider.readFiles('no-such-branch', '')).toEqual([]);
      expect(await h.provider.readFiles('main', 'no/such/folder')).toEqual([]);
      expect((await h.provider.readFiles('main', '')).map((file) => file.path)).toEqual(Object.keys(seed).sort());
      expect(await h.provider.getProposal({ branch: 'no-such-branch', number: 999 })).toBeUndefined();
    });

    it('passes the connection test and names a missing base branch', async () => {
      const h = await open();
      await h.provider.check('main');
      await expect(h.provider.check('no-such-base')).rejects.toSatisfy(
        (error) => isBridgeError(error, 'DEPLOY_NOT_FOUND') && /no-such-base/.test(error.message),
      );
    });

    it('refuses unsafe paths and branch names before writing anything', async () => {
      const h = await open();
      for (const bad of [
        request('margo-bridge/x', { '../escape.yaml': 'x' }),
        request('margo-bridge/x', { '.git/config': 'x' }),
        request('margo-bridge/x', { '/abs.yaml': 'x' }),
        request('bad..branch', { 'a.yaml': 'x' }),
      ]) {
        await expect(h.provider.propose(bad)).rejects.toSatisfy((error) => isBridgeError(error));
      }
      expect(await h.head('margo-bridge/x')).toBeUndefined();
    });

    it('gives clear errors for refused credentials and missing permissions', async (context) => {
      const h = await open();
      if (!h.refused && !h.lacking) context.skip();
      if (h.refused) {
        await expect(h.refused().check('main')).rejects.toSatisfy((error) => isBridgeError(error, 'DEPLOY_AUTH'));
        await expect(h.refused().propose(request('margo-bridge/plant-a/nginx', rendering))).rejects.toSatisfy((error) =>
          isBridgeError(error, 'DEPLOY_AUTH'),
        );
      }
      if (h.lacking) {
        const { provider, permission } = h.lacking();
        await expect(provider.check('main')).rejects.toSatisfy(
          (error) => isBridgeError(error, 'DEPLOY_PERMISSION') && permission.test(error.message),
        );
      }
    });

    it('merges into the base branch by fast-forward or merge commit where the provider can', async (context) => {
      const h = await open();
      if (!h.provider.merge) context.skip();
      const merge = h.provider.merge?.bind(h.provider) as NonNullable<DeploymentProvider['merge']>;
      const created = await h.provider.propose(request('margo-bridge/plant-a/nginx', rendering));
      const merged = await merge({ branch: 'margo-bridge/plant-a/nginx', ...numberOf(created) }, 'fast-forward');
      expect(merged).toMatchObject({ state: 'merged', mergeCommit: created.proposal?.commit });
      expect(await h.head('main')).toBe(created.proposal?.commit);
      expect(await h.files('main')).toEqual({ ...seed, ...rendering });

      const redis = { 'plant-a/redis/deployment.yaml': 'kind: R\n' };
      const second = await h.provider.propose(
        request('margo-bridge/plant-a/redis', redis, { owned: ['plant-a/redis'] }),
      );
      const moved = await h.commit('main', { 'plant-b/app.yaml': 'kind: B\n' });
      const ref = { branch: 'margo-bridge/plant-a/redis', ...numberOf(second) };
      await expect(merge(ref, 'fast-forward')).rejects.toSatisfy((error) => isBridgeError(error, 'CONFLICT'));
      const mergeCommit = await merge(ref, 'merge-commit');
      expect(mergeCommit.state).toBe('merged');
      expect(await h.parents(mergeCommit.mergeCommit as string)).toEqual([moved, second.proposal?.commit]);
      expect(await h.files('main')).toEqual({ ...seed, ...rendering, ...redis, 'plant-b/app.yaml': 'kind: B\n' });
      expect(await h.provider.getProposal(ref)).toMatchObject({ state: 'merged' });
      expect(await h.provider.listOpenProposals('')).toEqual([]);
    });
  });
}

function numberOf(result: { proposal?: { number?: number } }): { number?: number } {
  return result.proposal?.number !== undefined ? { number: result.proposal.number } : {};
}
