/**
 * The transaction guard in a runtime-neutral form: the scope needs only the two methods of an
 * AsyncLocalStorage, which Node (`node:async_hooks`) and workerd (the same class under the
 * `nodejs_als` compatibility flag) both provide. The runtime adapters pass their own instance
 * (store/node/transaction-scope.ts, runtime/worker/async-context.ts).
 */

/**
 * Tells whether the calling code runs inside one of this store's transactions. With it, using the
 * outer store inside `transaction()` fails at once with a clear error instead of deadlocking on
 * SQLite's single connection or on a row lock on Postgres.
 */
export interface TransactionScope {
  run<T>(work: () => Promise<T>): Promise<T>;
  active(): boolean;
}

/** What the scope uses of an AsyncLocalStorage; `disable` is optional (Node has it, workerd may not). */
export interface AsyncContext<T> {
  run<R>(value: T, work: () => R): R;
  getStore(): T | undefined;
  disable?(): void;
}

/**
 * A TransactionScope on an async context: true for all code awaited inside `run`.
 *
 * On Node 20 an enabled AsyncLocalStorage keeps async hooks on for every promise of the process
 * (about 10% of the CPU per webhook delivery, measured with bench/webhooks.bench.ts). The storage
 * is therefore disabled whenever no transaction is open, and `run` enables it again. Code that
 * started outside every transaction has no store, which is right: it is not inside one.
 */
export function asyncTransactionScope(storage: AsyncContext<true>): TransactionScope {
  let open = 0;
  return {
    async run(work) {
      open += 1;
      try {
        return await storage.run(true, work);
      } finally {
        open -= 1;
        if (open === 0) storage.disable?.();
      }
    },
    active: () => open > 0 && storage.getStore() === true,
  };
}
