/**
 * The Cloudflare Workers entry (wrangler.toml): the same Hono app, flows and Margo domain as on
 * Node, with Workers adapters (runtime/worker/). One Durable Object runs the service (it owns
 * the database); this stateless entry checks the configuration once per isolate and hands every
 * request, Queue batch and Cron Trigger to it.
 */
import { errorBody } from '../http/errors.js';
import { BridgeObject } from './worker/bridge-object.js';
import { workerConfig } from './worker/config.js';
import type { WakeMessage, WorkerEnv } from './worker/env.js';
import { retryDelaySeconds } from './worker/queue-retry.js';

export { BridgeObject };

/** Name of the one object that runs the service. */
const BRIDGE_NAME = 'margo-bridge';

function bridge(env: WorkerEnv): DurableObjectStub<BridgeObject> {
  return env.BRIDGE.get(env.BRIDGE.idFromName(BRIDGE_NAME));
}

/** The configuration's verdict, once per isolate: a setting Workers cannot honour fails every request with its reason. */
let configProblem: { message: string } | null | undefined;

function checkConfig(env: WorkerEnv): { message: string } | null {
  if (configProblem === undefined) {
    try {
      workerConfig(env);
      configProblem = null;
    } catch (error) {
      configProblem = { message: error instanceof Error ? error.message : String(error) };
      console.error(
        JSON.stringify({
          level: 'error',
          service: 'margo-bridge',
          msg: 'configuration refused',
          err: configProblem.message,
        }),
      );
    }
  }
  return configProblem;
}

export default {
  async fetch(request, env) {
    const problem = checkConfig(env);
    if (problem) return Response.json(errorBody('CONFIG_INVALID', problem.message), { status: 503 });
    return bridge(env).fetch(request);
  },

  async queue(batch, env) {
    if (checkConfig(env)) {
      batch.retryAll({ delaySeconds: retryDelaySeconds(batch) });
      return;
    }
    try {
      await bridge(env).runJobs();
      batch.ackAll();
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', service: 'margo-bridge', msg: 'running jobs failed', err: String(error) }),
      );
      batch.retryAll({ delaySeconds: retryDelaySeconds(batch) });
    }
  },

  async scheduled(_controller, env, ctx) {
    if (checkConfig(env)) return;
    ctx.waitUntil(bridge(env).tick());
  },
} satisfies ExportedHandler<WorkerEnv, WakeMessage>;
