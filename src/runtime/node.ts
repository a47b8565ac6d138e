/**
 * The Node runtime: builds the implementations (store, registry reader, secret box, logger),
 * reconciles pre-configured registries, ensures a first admin token, and runs the HTTP server,
 * the job workers and the poll scheduler until SIGTERM/SIGINT, then shuts down gracefully.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Config } from '../config/schema.js';
import { loadSecretKey } from '../crypto/keyfile.js';
import { createSecretBox } from '../crypto/secrets.js';
import { generateToken, hashToken } from '../crypto/tokens.js';
import { isBridgeError } from '../errors.js';
import { createHandlers, jobMetrics, splitHandlers } from '../flows/handlers.js';
import { enqueueDuePolls } from '../flows/poll.js';
import { reconcileRegistries } from '../flows/reconcile.js';
import { createApp } from '../http/app.js';
import { describeError } from '../jobs/retry.js';
import { startWorker, type Worker } from '../jobs/worker.js';
import type { Logger } from '../logger.js';
import { createServiceMetrics } from '../metrics/service.js';
import { createNodeRegistryReader, diskStorage } from '../registry/node/index.js';
import { type Services, systemClock } from '../services.js';
import { openStore } from '../store/open.js';
import { type DemoRegistry, startDemoRegistry, withDemoReader } from './demo.js';
import { nodeDocsAssets } from './docs-assets.js';
import { createPinoLogger } from './pino-logger.js';

export interface BuildOptions {
  /** Serve and pre-configure the demonstration registry (`serve --demo`). */
  demo?: boolean;
  logger?: Logger;
  /**
   * Generate the first admin token when there is none (default true). `margo-bridge poll` passes
   * false: it has nowhere to show the token, which would then be lost while `serve` finds a token
   * and prints none.
   */
  generateAdminToken?: boolean;
}

export interface Runtime {
  services: Services;
  demo: DemoRegistry | undefined;
  /** Set when this start generated the first admin token (printed once). */
  generatedAdminToken: string | undefined;
  close(): Promise<void>;
}

/** Everything but the server, workers and scheduler: shared by `serve` and `poll`. */
export async function buildRuntime(config: Config, options: BuildOptions = {}): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true });
  const logger = options.logger ?? createPinoLogger(config.logLevel);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const closers: (() => Promise<void>)[] = [() => store.close()];
  try {
    const key = await loadSecretKey({ env: { MARGO_BRIDGE_SECRET_KEY: config.secretKey }, dataDir: config.dataDir });
    // Packs are cached on disk under the data directory, so restarts do not fetch them again. One
    // storage instance serves both readers (the demo's and the operator's), as disk-storage.ts
    // expects one instance per directory and process: reads of one registry then take turns.
    const storage = diskStorage({ dir: path.join(config.dataDir, 'cache') });
    let registryReader = createNodeRegistryReader({ storage, allowPrivateNetworks: config.allowPrivateNetworks });
    let demo: DemoRegistry | undefined;
    if (options.demo) {
      demo = await startDemoRegistry({ dataDir: config.dataDir, logger });
      closers.push(demo.stop);
      const demoReader = createNodeRegistryReader({ storage, allowPrivateNetworks: true });
      registryReader = withDemoReader(demo.url, demoReader, registryReader);
    }
    const services: Services = {
      config,
      store,
      registryReader,
      secretBox: createSecretBox(key),
      logger,
      metrics: createServiceMetrics(),
      clock: systemClock,
      random: Math.random,
      hashToken,
      generateToken,
    };
    const configured = demo ? [...config.registries, demo.registry] : config.registries;
    const reconciled = await reconcileRegistries(services, configured);
    if (reconciled.created.length + reconciled.updated.length > 0) {
      logger.info({ created: reconciled.created, updated: reconciled.updated }, 'configured registries reconciled');
    }
    const generatedAdminToken = await ensureAdminToken(services, options.generateAdminToken ?? true);
    return {
      services,
      demo,
      generatedAdminToken,
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

/**
 * MARGO_BRIDGE_ADMIN_TOKEN is registered as an admin token; without it, a first start with no
 * token at all generates one and returns it so the caller prints it once.
 */
async function ensureAdminToken(services: Services, generate: boolean): Promise<string | undefined> {
  const { store, config } = services;
  if (config.adminToken !== undefined) {
    const tokenHash = await services.hashToken(config.adminToken);
    if (!(await store.tokens.findByHash(tokenHash))) {
      // A process starting at the same time may register it first (unique hash): that is fine.
      await store.tokens
        .create({ name: 'admin (MARGO_BRIDGE_ADMIN_TOKEN)', role: 'admin', tokenHash })
        .catch((error: unknown) => {
          if (!isBridgeError(error, 'CONFLICT')) throw error;
        });
    }
    return undefined;
  }
  if (!generate || (await store.tokens.list()).length > 0) return undefined;
  const token = services.generateToken();
  await store.tokens.create({
    name: 'admin (generated at first start)',
    role: 'admin',
    tokenHash: await services.hashToken(token),
  });
  return token;
}

export interface RunningService {
  runtime: Runtime;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the HTTP server, the workers and the scheduler. */
export async function startService(runtime: Runtime): Promise<RunningService> {
  const { services } = runtime;
  const { config, logger } = services;
  const app = createApp(services, { docsAssets: nodeDocsAssets() });
  const handlers = splitHandlers(createHandlers(services));
  const workerOptions = {
    queue: services.store.jobs,
    leaseMs: config.jobs.leaseSeconds * 1000,
    pollIntervalMs: config.jobs.pollIntervalMs,
    backoff: { baseMs: 5000, maxMs: 600_000 },
    logger,
    clock: services.clock.now,
    random: services.random,
    onOutcome: jobMetrics(services),
  };
  const workers: Worker[] = [
    startWorker({ ...workerOptions, handlers: handlers.polls, concurrency: config.polling.concurrency }),
    startWorker({ ...workerOptions, handlers: handlers.others, concurrency: config.jobs.concurrency }),
  ];

  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      await enqueueDuePolls(services);
    } catch (error) {
      logger.error({ err: describeError(error) }, 'scheduling polls failed');
    } finally {
      ticking = false;
    }
  };
  const scheduler = setInterval(tick, config.polling.tick * 1000);
  void tick();

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(started));
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url }, 'margo-bridge listening');

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    url,
    port,
    stop() {
      stopping ??= (async () => {
        logger.info({}, 'shutting down');
        clearInterval(scheduler);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all(workers.map((worker) => worker.stop()));
        await runtime.close();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
