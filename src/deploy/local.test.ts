import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeHarnessParts, nativeRepository } from '../../test/support/native-git.js';
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
      ...nativeHarnessParts(repo),
      stop: () => rm(root, { recursive: true, force: true }),
    };
  },
});
