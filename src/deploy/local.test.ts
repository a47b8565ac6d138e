import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeRepository } from '../../test/support/native-git.js';
import { createLocalProvider } from './local.js';
import { describeProviderContract, type ProviderHarness } from './provider.contract.js';

describeProviderContract('local', {
  keepsClosedProposals: true,
  async create(seed): Promise<ProviderHarness> {
    const root = await mkdtemp(join(tmpdir(), 'margo-bridge-local-'));
    const provider = createLocalProvider({ provider: 'local', name: 'deployments' }, { fs, root });
    await provider.check('main');
    const repo = nativeRepository(join(root, 'deployments.git'));
    await repo.setRef('main', await repo.commit({ parent: 'main', files: seed }));
    return {
      provider,
      base: 'main',
      files: (branch) => repo.files(branch),
      head: (branch) => repo.head(branch),
      parents: (commit) => repo.parents(commit),
      async commit(branch, files, deletions) {
        const commit = await repo.commit({ parent: branch, files, ...(deletions ? { deletions } : {}) });
        await repo.setRef(branch, commit);
        return commit;
      },
      async pushBranchOnly(branch, files, deletions) {
        const commit = await repo.commit({ parent: 'main', files, ...(deletions ? { deletions } : {}) });
        await repo.setRef(branch, commit);
        return commit;
      },
      stop: () => rm(root, { recursive: true, force: true }),
    };
  },
});
