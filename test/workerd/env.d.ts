import type { WorkerEnv } from '../../src/runtime/worker/env.js';
import type {} from '../support/workerd-context.js';
import type { TestStoreObject } from './worker.js';

/** The bindings the workerd suites see through `cloudflare:test`'s `env` (vitest.workers.config.ts). */
declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_STORE: DurableObjectNamespace<TestStoreObject>;
    }
  }
}
