/**
 * Pre-configured deployment repositories (margo-bridge.yaml `deploymentRepositories:`) are
 * reconciled at every start, as registries are (flows/reconcile.ts): created when new, updated
 * to the file's settings when present, never deleted; one that left the file is reported. The
 * unique name decides between processes starting together (CONFLICT on create → update).
 */
import type { DeploymentRepositoryConfig } from '../../config/deployment-repositories.js';
import { isBridgeError } from '../../errors.js';
import type { Services } from '../../services.js';
import type { ReconcileSummary } from '../reconcile.js';
import { createDeploymentRepository, updateDeploymentRepository } from './repositories.js';

/** Remote repositories are checked by their first proposal; a local one is checked now, which creates it. */
function optionsFor(entry: DeploymentRepositoryConfig) {
  return { configured: true, skipConnectionTest: entry.provider !== 'local', force: true };
}

export async function reconcileDeploymentRepositories(
  services: Services,
  configured: readonly DeploymentRepositoryConfig[],
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { created: [], updated: [], orphaned: [] };
  for (const entry of configured) summary[await createOrUpdate(services, entry)].push(entry.name);
  const names = new Set(configured.map((entry) => entry.name));
  for (const repository of await services.store.deploymentRepositories.list()) {
    if (repository.configured && !names.has(repository.name)) {
      summary.orphaned.push(repository.name);
      services.logger.warn(
        { deploymentRepository: repository.name, id: repository.id },
        'deployment repository is no longer in the configuration file; kept (delete it through the API if intended)',
      );
    }
  }
  return summary;
}

async function createOrUpdate(services: Services, entry: DeploymentRepositoryConfig): Promise<'created' | 'updated'> {
  const existing = await services.store.deploymentRepositories.getByName(entry.name);
  const { provider: _provider, ...patch } = entry;
  if (existing) {
    await updateDeploymentRepository(services, existing.id, { titlePattern: null, ...patch }, optionsFor(entry));
    return 'updated';
  }
  try {
    await createDeploymentRepository(services, entry, optionsFor(entry));
    return 'created';
  } catch (error) {
    if (!isBridgeError(error, 'CONFLICT')) throw error;
    const created = await services.store.deploymentRepositories.getByName(entry.name);
    if (!created) throw error;
    await updateDeploymentRepository(services, created.id, { titlePattern: null, ...patch }, optionsFor(entry));
    return 'updated';
  }
}
