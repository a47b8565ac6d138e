import type { WorkerEnv } from '../../src/runtime/worker/env.js';
import type {} from '../support/workerd-context.js';
import type { PostgresBridgeObject, TestStoreObject } from './worker.js';

/** The bindings the workerd suites see through `cloudflare:test`'s `env` (vitest.workers.config.ts). */
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_STORE: DurableObjectNamespace<TestStoreObject>;
      /** The private test PostgreSQL through miniflare's local Hyperdrive; unset without DATABASE_URL_TEST. */
      TEST_HYPERDRIVE?: Hyperdrive;
      /** The production object on PostgreSQL (test/workerd/worker.ts). */
      PG_BRIDGE: DurableObjectNamespace<PostgresBridgeObject>;
    }
  }
}
