import { AsyncLocalStorage } from 'node:async_hooks';
import type { TransactionScope } from './kysely-store.js';

/** A TransactionScope on AsyncLocalStorage: true for all code awaited inside `run`. */
export function asyncTransactionScope(): TransactionScope {
  const storage = new AsyncLocalStorage<true>();
  return {
    run: (work) => storage.run(true, work),
    active: () => storage.getStore() === true,
  };
}
