import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitProvider } from '../src/deploy/git.js';
import { nodeProviderPlatform } from '../src/deploy/node/index.js';
import { describeProviderContract, type ProviderHarness, request } from '../src/deploy/provider.contract.js';
import type { GitProviderSettings } from '../src/deploy/settings.js';
import { isBridgeError } from '../src/errors.js';
import { type GitServer, startGitServer } from './support/git-server.js';
import { nativeHarnessParts, nativeRepository } from './support/native-git.js';

const run = promisify(execFile);
const auth = { type: 'basic', username: 'bot', password: 'secret-password' } as const;
let root: string;
let server: GitServer;
let count = 0;
const platform = () => nodeProviderPlatform({ dataDir: root, allowPrivateNetworks: true }).git;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'margo-bridge-git-provider-'));
  server = await startGitServer({ root, auth });
});
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

/** A bare repository on the server: writable (deployment repository) or read-only (like a registry). */
async function bareRepository(name: string, writable: boolean) {
  const gitdir = join(root, `${name}.git`);
  await run('git', ['init', '--bare', '--initial-branch=main', gitdir]);
  await run('git', ['--git-dir', gitdir, 'config', 'http.receivepack', String(writable)]);
  return nativeRepository(gitdir);
}

function settings(name: string, extra: Partial<GitProviderSettings> = {}): GitProviderSettings {
  return { provider: 'git', url: server.url(name), allowHttp: true, auth, ...extra };
}

describeProviderContract('git', {
  keepsClosedProposals: false,
  async create(seed): Promise<ProviderHarness> {
    const name = `deployments-${++count}`;
    const repo = await bareRepository(name, true);
    await repo.setRef('main', await repo.commit({ files: seed }));
    const readOnly = `registry-${count}`;
    const readOnlyRepo = await bareRepository(readOnly, false);
    await readOnlyRepo.setRef('main', await readOnlyRepo.commit({ files: seed }));
    return {
      provider: createGitProvider(settings(name), platform()),
      ...nativeHarnessParts(repo),
      refused: () => createGitProvider(settings(name, { auth: { ...auth, password: 'wrong' } }), platform()),
      lacking: () => ({
        provider: createGitProvider(settings(readOnly), platform()),
        permission: /push|write/,
      }),
      stop: async () => undefined,
    };
  },
});

describe('git provider on the test Git server', () => {
  it('pushes only to the deployment repository: a read-only repository refuses the proposal', async () => {
    const repo = await bareRepository('read-only-target', false);
    await repo.setRef('main', await repo.commit({ files: { 'a.yaml': 'a\n' } }));
    const provider = createGitProvider(settings('read-only-target'), platform());
    await expect(provider.propose(request('margo-bridge/x', { 'plant-a/nginx/a.yaml': 'x\n' }))).rejects.toSatisfy(
      (error) => isBridgeError(error, 'DEPLOY_PERMISSION'),
    );
    expect(await repo.head('margo-bridge/x')).toBeUndefined();
  });

  it('proposes over HTTPS with a custom CA and a client certificate (mTLS)', async () => {
    const tlsRoot = await mkdtemp(join(tmpdir(), 'margo-bridge-git-mtls-'));
    const secure = await startGitServer({ root: tlsRoot, tls: 'mtls' });
    try {
      await run('git', ['init', '--bare', '--initial-branch=main', join(tlsRoot, 'deployments.git')]);
      const repo = nativeRepository(join(tlsRoot, 'deployments.git'));
      await repo.git('config', 'http.receivepack', 'true');
      await repo.setRef('main', await repo.commit({ files: { 'README.md': 'x\n' } }));
      const tls = { caCert: secure.ca, clientCert: secure.clientCert, clientKey: secure.clientKey };
      const url = secure.url('deployments');
      const provider = createGitProvider({ provider: 'git', url, auth: { type: 'none' }, tls }, platform());
      await provider.check('main');
      const result = await provider.propose(request('margo-bridge/x', { 'plant-a/nginx/a.yaml': 'a\n' }));
      expect(result.outcome).toBe('created');
      expect(await repo.head('margo-bridge/x')).toBe(result.proposal?.commit);
      const withoutCertificate = createGitProvider(
        { provider: 'git', url, auth: { type: 'none' }, tls: { caCert: secure.ca } },
        platform(),
      );
      await expect(withoutCertificate.check('main')).rejects.toSatisfy((error) => isBridgeError(error, 'REGISTRY_TLS'));
    } finally {
      await secure.stop();
      await rm(tlsRoot, { recursive: true, force: true });
    }
  });

  it('reports a branch the base branch now contains as merged, and lists it no more', async () => {
    const repo = await bareRepository('merged-target', true);
    await repo.setRef('main', await repo.commit({ files: { 'README.md': 'x\n' } }));
    const provider = createGitProvider(settings('merged-target'), platform());
    const created = await provider.propose(request('margo-bridge/x', { 'plant-a/nginx/a.yaml': 'a\n' }));
    // Merged on the server, by someone else: a merge commit on main.
    const merge = (
      await repo.git(
        'commit-tree',
        `${created.proposal?.commit}^{tree}`,
        '-p',
        'main',
        '-p',
        'margo-bridge/x',
        '-m',
        'Merge',
      )
    ).trim();
    await repo.setRef('main', merge);
    expect(await provider.getProposal({ branch: 'margo-bridge/x' })).toMatchObject({
      state: 'merged',
      mergeCommit: merge,
    });
    expect(await provider.listOpenProposals('margo-bridge/')).toEqual([]);
    // The next change to the same deployment is a new proposal on top of the merge.
    const next = await provider.propose(request('margo-bridge/x', { 'plant-a/nginx/a.yaml': 'b\n' }));
    expect(next.outcome).toBe('created');
    expect(await repo.parents(next.proposal?.commit as string)).toEqual([merge]);
  });

  it('refuses URLs with credentials and plain http without allowHttp', () => {
    expect(() => createGitProvider(settings('x', { url: 'https://user:pw@example.test/x.git' }), platform())).toThrow(
      /must not contain credentials/,
    );
    expect(() => createGitProvider(settings('x', { allowHttp: false }), platform())).toThrow(/must use https/);
  });
});
