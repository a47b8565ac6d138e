/**
 * Services on Workers, built once per Durable Object instance: the same flows as on Node, with
 * the store on the object's SQLite (or on PostgreSQL through Hyperdrive when bound), registries read over fetch into memory, WebCrypto, secrets
 * from Worker secrets, bundled templates and a console logger.
 */
import type { Config } from '../../config/schema.js';
import { createSecretBox, parseSecretKey } from '../../crypto/secrets.js';
import { createDeploymentProvider } from '../../deploy/index.js';
import { BridgeError } from '../../errors.js';
import { reconcileDeploymentRepositories } from '../../flows/deployments/reconcile.js';
import { reconcileRegistries } from '../../flows/reconcile.js';
import { describeError } from '../../jobs/retry.js';
import type { Logger } from '../../logger.js';
import { MemoryFs } from '../../registry/index.js';
import type { Services } from '../../services.js';
import type { DurableStorageLike } from '../../store/durable/dialect.js';
import { openDurableStore } from '../../store/durable/open.js';
import type { Store } from '../../store/interface.js';
import { registerConfiguredAdminToken } from '../admin-token.js';
import { portableServices } from '../portable-services.js';
import { createWebhookIntake } from '../webhook-intake.js';
import { workerTransactionScope } from './async-context.js';
import { webGitHttp } from './http.js';
import { consoleLogger } from './logger.js';
import { openHyperdriveStore } from './postgres.js';
import { edgeRegistryReader } from './registry.js';
import { bundledTemplates } from './templates.js';

/** Where the store lives: the object's own SQLite, or PostgreSQL when a Hyperdrive binding is set. */
export interface WorkerDatabase {
  storage: DurableStorageLike;
  hyperdrive?: { connectionString: string } | undefined;
}

function openWorkerStore(database: WorkerDatabase, logger: Logger): Promise<Store> {
  if (database.hyperdrive) {
    return openHyperdriveStore(database.hyperdrive.connectionString, {
      onIdleError: (error) => logger.warn({ err: describeError(error) }, 'an idle PostgreSQL connection failed'),
    });
  }
  return openDurableStore(database.storage, { scope: workerTransactionScope() });
}

export async function buildWorkerServices(config: Config, database: WorkerDatabase): Promise<Services> {
  if (config.secretKey === undefined)
    throw new BridgeError('CONFIG_INVALID', 'MARGO_BRIDGE_SECRET_KEY is required on Workers');
  const logger = consoleLogger(config.logLevel);
  const store = await openWorkerStore(database, logger);
  const platform = {
    // Never used: `local` repositories are refused first (they need a disk; config.ts says so at start).
    local: { fs: new MemoryFs(), root: '/deployments' },
    git: { connect: webGitHttp },
  };
  const base: Omit<Services, 'webhooks'> = {
    config,
    store,
    registryReader: edgeRegistryReader(config),
    secretBox: createSecretBox(parseSecretKey(config.secretKey)),
    logger,
    ...portableServices(),
    templates: bundledTemplates(),
    deploymentProviders: (settings) => {
      if (settings.provider === 'local') {
        throw new BridgeError(
          'CONFIG_INVALID',
          "'local' deployment repositories need a disk: run margo-bridge as a container",
        );
      }
      return createDeploymentProvider(settings, platform);
    },
  };
  const services: Services = { ...base, webhooks: createWebhookIntake(base) };
  await reconcileRegistries(services, config.registries);
  await reconcileDeploymentRepositories(services, config.deploymentRepositories);
  await registerConfiguredAdminToken(services);
  return services;
}
