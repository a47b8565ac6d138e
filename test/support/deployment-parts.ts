/**
 * The deployment parts of `Services` for tests that build services by hand: the real templates
 * and the real providers on the Node platform (local repositories under `dataDir`).
 */
import { createDeploymentProvider, type ProviderPlatform } from '../../src/deploy/index.js';
import { nodeProviderPlatform } from '../../src/deploy/node/index.js';
import { loadTemplates } from '../../src/margo/render/node/templates.js';
import type { Services } from '../../src/services.js';

export async function deploymentParts(
  dataDir: string,
  github?: ProviderPlatform['github'],
): Promise<Pick<Services, 'templates' | 'deploymentProviders'>> {
  const platform = { ...nodeProviderPlatform({ dataDir, allowPrivateNetworks: true }), ...(github ? { github } : {}) };
  return {
    templates: await loadTemplates(),
    deploymentProviders: (settings) => createDeploymentProvider(settings, platform),
  };
}
