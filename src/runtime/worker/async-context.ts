// biome-ignore lint/correctness/noNodejsModules: workerd implements AsyncLocalStorage itself (nodejs_compat flag).
import { AsyncLocalStorage } from 'node:async_hooks';
import { asyncTransactionScope, type TransactionScope } from '../../store/transaction-scope.js';

/**
 * The transaction guard on workerd's AsyncLocalStorage (see store/transaction-scope.ts). Only
 * `run` and `getStore`: workerd's `disable()` throws "not implemented", and it costs nothing there.
 */
export function workerTransactionScope(): TransactionScope {
  const storage = new AsyncLocalStorage<true>();
  return asyncTransactionScope({ run: (value, work) => storage.run(value, work), getStore: () => storage.getStore() });
}
