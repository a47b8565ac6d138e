/**
 * The test entry of the workerd suites: the production worker plus a Durable Object holding only
 * a store, whose clock the contract suites drive (test/workerd/store.test.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import { workerTransactionScope } from '../../src/runtime/worker/async-context.js';
import { openDurableStore } from '../../src/store/durable/open.js';
import type { Store } from '../../src/store/interface.js';

export * from '../../src/runtime/worker.js';
export { default } from '../../src/runtime/worker.js';

export class TestStoreObject extends DurableObject {
  time = 0;
  #store: Promise<Store> | undefined;

  store(): Promise<Store> {
    this.#store ??= openDurableStore(this.ctx.storage, { now: () => this.time, scope: workerTransactionScope() });
    return this.#store;
  }
}
