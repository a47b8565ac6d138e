/**
 * The Cloudflare Workers entry (wrangler.toml): the same Hono app, flows and Margo domain as on
 * Node, with Workers adapters (runtime/worker/). One Durable Object runs the service (it owns
 * the database); this stateless entry hands every request, Queue batch and Cron Trigger to it.
 */
import { env as startBindings } from 'cloudflare:workers';
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

/**
 * Refused at start: the module is evaluated with the bindings (variables and secrets) when an
 * isolate starts, and when `wrangler deploy` or `wrangler secret put` validates a new version, so
 * a setting Workers cannot honour fails the start (and the upload) with every reason at once,
 * before any request. A binding changes only with a new version, which starts anew.
 */
workerConfig(startBindings);

export default {
  async fetch(request, env) {
    return bridge(env).fetch(request);
  },

  async queue(batch, env) {
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
    ctx.waitUntil(bridge(env).tick());
  },
} satisfies ExportedHandler<WorkerEnv, WakeMessage>;
