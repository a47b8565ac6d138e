import { AsyncLocalStorage } from 'node:async_hooks';
import { asyncTransactionScope, type TransactionScope } from '../transaction-scope.js';

/** The transaction guard on Node's AsyncLocalStorage (see ../transaction-scope.ts). */
export function nodeTransactionScope(): TransactionScope {
  return asyncTransactionScope(new AsyncLocalStorage<true>());
}
