/**
 * The Workers bundle: it builds without an account (`npm run build:worker` does the same), stays
 * under the size goal, and imports no Node module beyond the ones workerd provides for the
 * dependencies (nodejs_compat): the shared code itself imports none (tsconfig.worker.json).
 */
import { describe, expect, it } from 'vitest';
import { buildWorkerBundle, WORKER_GZIP_LIMIT } from './support/worker-bundle.js';

describe('the Workers bundle', () => {
  it('builds with wrangler, under 1 MiB gzipped, with the bindings of wrangler.toml', async () => {
    const bundle = await buildWorkerBundle();
    expect(bundle.gzipBytes).toBeGreaterThan(0);
    expect(bundle.gzipBytes).toBeLessThan(WORKER_GZIP_LIMIT);
    for (const binding of ['env.BRIDGE (BridgeObject)', 'env.JOBS (margo-bridge-jobs)']) {
      expect(bundle.log).toContain(binding);
    }
    // node:async_hooks: the store's transaction guard (runtime/worker/async-context.ts);
    // node:util and buffer: isomorphic-git's dependencies (inherits, safe-buffer); the rest: `pg`
    // for PostgreSQL through Hyperdrive (runtime/worker/postgres.ts), which connects with
    // cloudflare:sockets inside workerd and requires net and tls only on Node.
    expect(bundle.nodeImports).toEqual([
      'buffer',
      'crypto',
      'events',
      'fs',
      'net',
      'node:async_hooks',
      'node:util',
      'path',
      'stream',
      'tls',
      'util',
    ]);
  }, 180_000);
});
