/**
 * Pre-configured registries (margo-bridge.yaml) are reconciled at every start: created when new,
 * updated to the file's settings when present. A registry that left the file is kept and reported,
 * never deleted silently.
 *
 * Several processes may start at once on one PostgreSQL and reconcile the same file: the unique
 * registry name decides who creates, and the loser of that race updates the row instead (CONFLICT
 * on create → update). Both write the same settings, so the order does not matter.
 */
import type { ConfiguredRegistry } from '../config/schema.js';
import { isBridgeError } from '../errors.js';
import type { Services } from '../services.js';
import { createRegistry, type RegistrySettings, updateRegistry } from './registries.js';

export interface ReconcileSummary {
  created: string[];
  updated: string[];
  /** Registries marked as configured that the file no longer lists. */
  orphaned: string[];
}

export async function reconcileRegistries(
  services: Services,
  configured: ConfiguredRegistry[],
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { created: [], updated: [], orphaned: [] };
  for (const entry of configured) {
    const settings = {
      ...entry,
      tagPattern: entry.tagPattern ?? null,
      semverRange: entry.semverRange ?? null,
      auth: entry.auth ?? null,
      caCert: entry.caCert ?? null,
      clientCert: entry.clientCert ?? null,
      clientKey: entry.clientKey ?? null,
      webhookSecret: entry.webhookSecret ?? null,
      pollInterval: entry.pollInterval ?? services.config.polling.interval,
    };
    const outcome = await createOrUpdate(services, settings);
    summary[outcome].push(entry.name);
  }
  const names = new Set(configured.map((entry) => entry.name));
  for (const registry of await services.store.registries.list()) {
    // The demo registry comes from `serve --demo`, not from the file (runtime/demo-state.ts).
    if (registry.configured && !registry.demo && !names.has(registry.name)) {
      summary.orphaned.push(registry.name);
      services.logger.warn(
        { registry: registry.name, registryId: registry.id },
        'registry is no longer in the configuration file; kept (delete it through the API if intended)',
      );
    }
  }
  return summary;
}

const options = { skipConnectionTest: true, configured: true };

async function createOrUpdate(services: Services, settings: RegistrySettings): Promise<'created' | 'updated'> {
  const existing = await services.store.registries.getByName(settings.name);
  if (existing) {
    await updateRegistry(services, existing.id, settings, options);
    return 'updated';
  }
  try {
    await createRegistry(services, settings, options);
    return 'created';
  } catch (error) {
    // Another process created it between the look-up and the insert.
    if (!isBridgeError(error, 'CONFLICT')) throw error;
    const created = await services.store.registries.getByName(settings.name);
    if (!created) throw error;
    await updateRegistry(services, created.id, settings, options);
    return 'updated';
  }
}
