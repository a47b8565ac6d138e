/**
 * The Node runtime: builds the implementations (store, registry reader, secret box, logger),
 * reconciles pre-configured registries, ensures a first admin token, and runs the HTTP server,
 * the job workers and the poll scheduler until SIGTERM/SIGINT, then shuts down gracefully.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from '../../config/schema.js';
import { loadSecretKey } from '../../crypto/node/keyfile.js';
import { createSecretBox } from '../../crypto/secrets.js';
import { createDeploymentProvider } from '../../deploy/index.js';
import { localRepositoryRoot, nodeProviderPlatform } from '../../deploy/node/index.js';
import { nodeGitBackend } from '../../deploy/node/smart-http-backend.js';
import { registerGitSmartHttp } from '../../deploy/smart-http.js';
import { reconcileDeploymentRepositories } from '../../flows/deployments/reconcile.js';
import { enqueueProposalChecks } from '../../flows/deployments/track.js';
import { enqueueDuePolls } from '../../flows/poll.js';
import { reconcileRegistries } from '../../flows/reconcile.js';
import { purgeExpired } from '../../flows/retention.js';
import { createApp } from '../../http/app.js';
import { describeError } from '../../jobs/retry.js';
import type { Logger } from '../../logger.js';
import { loadTemplates } from '../../margo/render/node/templates.js';
import { createNodeRegistryReader, diskStorage } from '../../registry/node/index.js';
import type { Services } from '../../services.js';
import { openStore } from '../../store/node/open.js';
import { type AdminToken, mintFirstAdminToken, registerConfiguredAdminToken } from '../admin-token.js';
import { settleDemoRegistries } from '../demo-state.js';
import { createJobWorkers } from '../job-workers.js';
import { portableServices } from '../portable-services.js';
import { createWebhookIntake } from '../webhook-intake.js';
import { type DemoRegistry, startDemoRegistry, withDemoReader } from './demo.js';
import { nodeDocsAssets } from './docs-assets.js';
import { handleGitHttpBackend } from './git-http-backend.js';
import { listen } from './listen.js';
import { createPinoLogger } from './pino-logger.js';

export interface BuildOptions {
  /** Serve and pre-configure the demonstration registry (`serve --demo`). */
  demo?: boolean;
  logger?: Logger;
}

export interface Runtime {
  services: Services;
  demo: DemoRegistry | undefined;
  close(): Promise<void>;
}

/** Everything but the server, workers and scheduler: shared by `serve` and `poll`. */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  // Only the service's user reads the database, its WAL and the key file.
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createPinoLogger(config.logLevel);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const closers: (() => Promise<void>)[] = [() => store.close()];
  try {
    const key = await loadSecretKey({ env: { MARGO_BRIDGE_SECRET_KEY: config.secretKey }, dataDir: config.dataDir });
    // Packs are cached on disk under the data directory, so restarts do not fetch them again. One
    // storage instance serves both readers (the demo's and the operator's), as disk-storage.ts
    // expects one instance per directory and process: reads of one registry then take turns.
    const storage = diskStorage({ dir: path.join(config.dataDir, 'cache') });
    let registryReader = createNodeRegistryReader({
      storage,
      allowPrivateNetworks: config.allowPrivateNetworks,
      maxPackBytes: config.ingest.maxPackBytes,
    });
    let demo: DemoRegistry | undefined;
    if (options.demo) {
      demo = await startDemoRegistry({ dataDir: config.dataDir, logger });
      closers.push(demo.stop);
      const demoReader = createNodeRegistryReader({
        storage,
        allowPrivateNetworks: true,
        maxPackBytes: config.ingest.maxPackBytes,
      });
      registryReader = withDemoReader(demo.url, demoReader, registryReader);
    }
    const providerPlatform = nodeProviderPlatform({
      dataDir: config.dataDir,
      allowPrivateNetworks: config.allowPrivateNetworks,
    });
    const base: Omit<Services, 'webhooks'> = {
      config,
      store,
      registryReader,
      secretBox: createSecretBox(key),
      logger,
      ...portableServices(),
      templates: await loadTemplates(),
      deploymentProviders: (settings) => createDeploymentProvider(settings, providerPlatform),
    };
    const services: Services = { ...base, webhooks: createWebhookIntake(base) };
    const configured = demo ? [...config.registries, demo.registry] : config.registries;
    const reconciled = await reconcileRegistries(services, configured);
    if (reconciled.created.length + reconciled.updated.length > 0) {
      logger.info({ created: reconciled.created, updated: reconciled.updated }, 'configured registries reconciled');
    }
    await settleDemoRegistries(services, demo?.registry.name);
    const repositories = demo
      ? [...config.deploymentRepositories, demo.deploymentRepository]
      : config.deploymentRepositories;
    const deploymentRepositories = await reconcileDeploymentRepositories(services, repositories);
    if (deploymentRepositories.created.length > 0) {
      logger.info({ created: deploymentRepositories.created }, 'configured deployment repositories reconciled');
    }
    await registerConfiguredAdminToken(services);
    return {
      services,
      demo,
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

const PURGE_INTERVAL_MS = 3_600_000;

export interface RunningService {
  runtime: Runtime;
  url: string;
  port: number;
  /** Where the admin token comes from; a generated one is printed by the caller at once. */
  adminToken: AdminToken;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server, then the workers and the scheduler. Listening comes first: a busy port
 * fails the start before anything runs or a first admin token is minted (admin-token.ts).
 */
export async function startService(runtime: Runtime): Promise<RunningService> {
  const { services } = runtime;
  const { config, logger } = services;
  const app = createApp(services, { docsAssets: nodeDocsAssets() });
  // The `local` deployment repositories, read-only over Git smart HTTP at /git/<name>.git.
  registerGitSmartHttp(app, {
    access: config.deployments.gitAccess,
    backend: nodeGitBackend(localRepositoryRoot(config.dataDir), handleGitHttpBackend),
    verifyToken: async (c, token) =>
      (await c.get('services').store.tokens.findByHash(await services.hashToken(token))) !== undefined,
  });
  const server = await listen(app.fetch, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let adminToken: AdminToken;
  try {
    adminToken = await mintFirstAdminToken(services);
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  const workers = createJobWorkers(services);
  for (const worker of workers) worker.start();

  let ticking = false;
  let checkedProposalsAt = 0;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      await enqueueDuePolls(services);
      // Open proposals are checked with their forge now and then, for deliveries that were lost.
      if (services.clock.now() - checkedProposalsAt >= config.deployments.checkInterval * 1000) {
        checkedProposalsAt = services.clock.now();
        await enqueueProposalChecks(services);
      }
    } catch (error) {
      logger.error({ err: describeError(error) }, 'scheduling polls failed');
    } finally {
      ticking = false;
    }
  };
  const scheduler = setInterval(tick, config.polling.tick * 1000);
  void tick();
  // Retention (flows/retention.ts): hourly, so tables stay bounded; each process may run it.
  const purge = () =>
    purgeExpired(services).catch((error: unknown) => {
      logger.error({ err: describeError(error) }, 'purging expired rows failed');
    });
  const purger = setInterval(purge, PURGE_INTERVAL_MS);
  void purge();

  logger.info({ url }, 'margo-bridge listening');

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    url,
    port,
    adminToken,
    stop() {
      stopping ??= (async () => {
        logger.info({}, 'shutting down');
        const deadline = Date.now() + config.shutdownTimeout * 1000;
        clearInterval(scheduler);
        clearInterval(purger);
        // No new connections; idle keep-alive ones close now, busy ones after their response.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Requests and jobs get the time but a last part, kept for closing connections and the database.
        const share = Math.max(0, deadline - Date.now() - Math.min(2000, (config.shutdownTimeout * 1000) / 4));
        await Promise.all([
          ...workers.map((worker) => worker.stop({ deadlineMs: share })),
          within(closed, share).then((done) => {
            if (done) return;
            logger.warn({}, 'closing connections still open at the shutdown deadline');
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
        ]);
        if (!(await within(runtime.close(), Math.max(0, deadline - Date.now())))) {
          logger.warn({}, 'closing the database did not finish by the shutdown deadline');
        }
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}

/** Whether `promise` settled within `ms` (it keeps running either way). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
