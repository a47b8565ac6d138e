import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactionScope } from './kysely-store.js';

/**
 * A TransactionScope on AsyncLocalStorage: true for all code awaited inside `run`.
 *
 * On Node 20 an enabled AsyncLocalStorage keeps async hooks on for every promise of the process
 * (about 10% of the CPU per webhook delivery, measured with bench/webhooks.bench.ts). The storage
 * is therefore disabled whenever no transaction is open, and `run` enables it again. Code that
 * started outside every transaction has no store, which is right: it is not inside one.
 */
export function asyncTransactionScope(): TransactionScope {
  const storage = new AsyncLocalStorage<true>();
  let open = 0;
  return {
    async run(work) {
      open += 1;
      try {
        return await storage.run(true, work);
      } finally {
        open -= 1;
        if (open === 0) storage.disable();
      }
    },
    active: () => open > 0 && storage.getStore() === true,
  };
}
