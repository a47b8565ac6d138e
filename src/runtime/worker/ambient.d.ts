/**
 * Modules the Workers typecheck (tsconfig.worker.json, no Node types) cannot see otherwise.
 */

/** workerd's own AsyncLocalStorage (compatibility flag nodejs_compat): the part the store's guard uses. */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, work: () => R): R;
    getStore(): T | undefined;
  }
}

/** Templates bundled as text (wrangler.toml `[[rules]]`). */
declare module '*.yaml' {
  const text: string;
  export default text;
}
