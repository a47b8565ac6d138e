/**
 * The store contract and the job queue contract inside workerd, on the Durable Object store
 * (store/durable/). Storage belongs to its object, so every call runs inside the object
 * (runInDurableObject); a transaction's work runs there too, as the Worker's flows do.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { BridgeError } from '../../src/errors.js';
import { queueContract } from '../../src/jobs/queue.contract.js';
import { workerTransactionScope } from '../../src/runtime/worker/async-context.js';
import type { Store } from '../../src/store/interface.js';
import { storeContract } from '../../src/store/store.contract.js';
import type { TestStoreObject } from './worker.js';

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * The object's store seen from the test: each call enters the object. Using this outer store
 * inside its own transaction would wait for the object forever, so the test side has the
 * store's guard as well.
 */
function storeIn(id: DurableObjectId, now: () => number): Store {
  const scope = workerTransactionScope();
  const run = <T>(work: (object: TestStoreObject, store: Store) => Promise<T>): Promise<T> => {
    if (scope.active()) {
      throw new BridgeError(
        'INTERNAL',
        'the store was used directly inside Store.transaction(); use the tx passed to the callback',
      );
    }
    // A stub per call: the caller may itself run inside the object (a transaction's work), and a
    // stub made in one context cannot be used from another.
    return runInDurableObject(env.TEST_STORE.get(id), async (object: TestStoreObject) => {
      object.time = now();
      return work(object, await object.store());
    });
  };
  const tables = new Map<string, Record<string, Method>>();
  return new Proxy({} as Store, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      if (key === 'transaction') {
        return (work: (tx: Store) => Promise<unknown>) =>
          run((_object, store) => store.transaction((tx) => scope.run(() => work(tx))));
      }
      if (key === 'ready') return () => run((_object, store) => store.ready());
      if (key === 'close') return async () => undefined;
      let table = tables.get(key);
      if (!table) {
        table = new Proxy({} as Record<string, Method>, {
          get: (_t, method) =>
            typeof method === 'string' && method !== 'then'
              ? (...args: unknown[]) =>
                  run((_object, store) =>
                    (store as unknown as Record<string, Record<string, Method>>)[key]![method]!(...args),
                  )
              : undefined,
        });
        tables.set(key, table);
      }
      return table;
    },
  });
}

function harness() {
  const id = env.TEST_STORE.newUniqueId();
  return {
    open: async (now: () => number) => storeIn(id, now),
    raw: (statement: string) =>
      runInDurableObject(env.TEST_STORE.get(id), async (object: TestStoreObject, state) => {
        await object.store();
        return state.storage.sql.exec(statement).toArray() as Record<string, unknown>[];
      }),
    async cleanup() {},
  };
}

storeContract('Durable Object (workerd)', async () => harness());

queueContract('Durable Object (workerd)', async () => {
  const store = harness();
  return {
    open: store.open,
    async empty() {
      await store.raw('delete from jobs');
    },
    cleanup: store.cleanup,
  };
});
