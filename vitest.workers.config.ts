/**
 * The suites that run inside workerd (@cloudflare/vitest-pool-workers) with the top-level
 * wrangler.toml: the store and job contracts on the Durable Object store, the worker end to end.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET } from './test/workerd/secrets.js';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      main: './test/workerd/worker.ts',
      miniflare: {
        durableObjects: { TEST_STORE: { className: 'TestStoreObject', useSQLite: true } },
        // What `wrangler secret put` sets in production (test values).
        bindings: {
          MARGO_BRIDGE_SECRET_KEY: '0'.repeat(64),
          MARGO_BRIDGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          MARGO_BRIDGE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
          MARGO_BRIDGE_LOG_LEVEL: 'warn',
        },
      },
    }),
  ],
  test: {
    name: 'workerd',
    include: ['test/workerd/**/*.test.ts'],
    // Node side: the real test Git server (test/support/workerd-setup.ts).
    globalSetup: ['./test/support/workerd-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
