/**
 * The test entry of the workerd suites: the production worker plus a Durable Object holding only
 * a store, whose clock the contract suites drive (test/workerd/store.test.ts), and the production
 * object on PostgreSQL through Hyperdrive (test/workerd/postgres-e2e.test.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import { workerTransactionScope } from '../../src/runtime/worker/async-context.js';
import { BridgeObject } from '../../src/runtime/worker/bridge-object.js';
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

/** The binding's connection string with another database of the same server. */
export function databaseUrl(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The database a PostgresBridgeObject uses: named after the object, created by the test first. */
export function postgresBridgeDatabase(id: DurableObjectId): string {
  return `mb_workerd_bridge_${id.toString().slice(0, 16)}`;
}

/**
 * The production object with a HYPERDRIVE binding, as wrangler.toml's commented section sets it:
 * the test server's binding (TEST_HYPERDRIVE) on the object's own database.
 */
export class PostgresBridgeObject extends BridgeObject {
  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    const hyperdrive = env.TEST_HYPERDRIVE;
    super(ctx, {
      ...env,
      HYPERDRIVE: hyperdrive && {
        connectionString: databaseUrl(hyperdrive.connectionString, postgresBridgeDatabase(ctx.id)),
      },
    });
  }
}
