/**
 * The Durable Object that runs margo-bridge on Workers: it owns the database (the Kysely store
 * on its SQLite, store/durable/, or PostgreSQL through Hyperdrive when HYPERDRIVE is bound) and
 * serves the HTTP app and the jobs, so that every transaction stays inside the object. Why one object and not D1: ARCHITECTURE.md, "Storage on Cloudflare Workers".
 *
 * Jobs are rows of the same job table as on Node (idempotency keys, leases, backoff, dead
 * letters: jobs/worker.ts); the Queue carries wake-ups. A write request, a poll round (Cron
 * Trigger) or a round that ran jobs sends one; its consumer calls `runJobs`. A consumer that
 * fails is retried by the Queue and ends in the dead-letter queue; the jobs stay in the table.
 */
import { DurableObject } from 'cloudflare:workers';
import { isBridgeError } from '../../errors.js';
import { enqueueProposalChecks } from '../../flows/deployments/track.js';
import { enqueueDuePolls } from '../../flows/poll.js';
import { purgeExpired } from '../../flows/retention.js';
import { createApp } from '../../http/app.js';
import { errorBody } from '../../http/errors.js';
import { describeError } from '../../jobs/retry.js';
import type { Worker } from '../../jobs/worker.js';
import type { Services } from '../../services.js';
import { createJobWorkers } from '../job-workers.js';
import { workerConfig } from './config.js';
import type { WorkerEnv } from './env.js';
import { buildWorkerServices } from './services.js';

/** Longest a `runJobs` call keeps claiming new jobs; running ones finish after it. */
const RUN_BUDGET_MS = 20_000;
/** Delay of the wake-up after a round that ran jobs: retries and follow-up jobs come due. */
const FOLLOW_UP_SECONDS = 5;
/** Retention runs hourly, as on Node (flows/retention.ts). */
const PURGE_INTERVAL_MS = 3_600_000;

interface Bridge {
  services: Services;
  app: { fetch(request: Request): Response | Promise<Response> };
  workers: Worker[];
}

export class BridgeObject extends DurableObject<WorkerEnv> {
  #bridge: Promise<Bridge> | undefined;
  #checkedProposalsAt = 0;
  #purgedAt = 0;

  #start(): Promise<Bridge> {
    if (!this.#bridge) {
      const starting = this.ctx.blockConcurrencyWhile(async () => {
        const config = workerConfig(this.env);
        const services = await buildWorkerServices(config, {
          storage: this.ctx.storage,
          hyperdrive: this.env.HYPERDRIVE,
        });
        return { services, app: createApp(services), workers: createJobWorkers(services) };
      });
      // A failed start (a database error) is tried again by the next call; a configuration error
      // fails again the same way, with the same message.
      starting.catch(() => {
        if (this.#bridge === starting) this.#bridge = undefined;
      });
      this.#bridge = starting;
    }
    return this.#bridge;
  }

  override async fetch(request: Request): Promise<Response> {
    let bridge: Bridge;
    try {
      bridge = await this.#start();
    } catch (error) {
      return startFailure(error);
    }
    const response = await bridge.app.fetch(request);
    // A write may have enqueued jobs (webhook deliveries, proposals) or added a registry that is
    // due at once: the Node scheduler finds it within seconds, the Cron Trigger only each minute.
    if (request.method !== 'GET' && request.method !== 'HEAD') this.ctx.waitUntil(this.#schedule(bridge.services));
    return response;
  }

  /** Runs due jobs until none is left or the budget is spent; resolves with how many ran. */
  async runJobs(): Promise<number> {
    const { workers } = await this.#start();
    const until = Date.now() + RUN_BUDGET_MS;
    let ran = 0;
    for (;;) {
      const counts = await Promise.all(workers.map((worker) => worker.runOnce()));
      const round = counts.reduce((sum, count) => sum + count, 0);
      ran += round;
      if (round === 0 || Date.now() >= until) break;
    }
    if (ran > 0) await this.#wake(FOLLOW_UP_SECONDS);
    return ran;
  }

  /**
   * A poll round (Cron Trigger): enqueues due polls, checks open proposals every
   * `deployments.checkInterval` and purges expired rows hourly (as Node does), then wakes the jobs.
   */
  async tick(): Promise<void> {
    const { services } = await this.#start();
    const now = services.clock.now();
    const checkProposals = now - this.#checkedProposalsAt >= services.config.deployments.checkInterval * 1000;
    if (checkProposals) this.#checkedProposalsAt = now;
    await this.#schedule(services, checkProposals);
    if (now - this.#purgedAt >= PURGE_INTERVAL_MS) {
      this.#purgedAt = now;
      await purgeExpired(services).catch((error: unknown) => {
        services.logger.error({ err: describeError(error) }, 'purging expired rows failed');
      });
    }
  }

  async #schedule(services: Services, checkProposals = false): Promise<void> {
    try {
      await enqueueDuePolls(services);
      if (checkProposals) await enqueueProposalChecks(services);
    } catch (error) {
      services.logger.error({ err: describeError(error) }, 'scheduling polls failed');
    }
    await this.#wake(0);
  }

  async #wake(delaySeconds: number): Promise<void> {
    await this.env.JOBS.send({ wake: Date.now() }, delaySeconds > 0 ? { delaySeconds } : undefined);
  }
}

/** The start failed: every request gets the reason (a configuration error names each problem). */
function startFailure(error: unknown): Response {
  const code = isBridgeError(error) ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  console.error(JSON.stringify({ level: 'error', service: 'margo-bridge', msg: 'start failed', err: message }));
  return Response.json(errorBody(code, message), { status: 503 });
}
