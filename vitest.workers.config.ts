/**
 * The suites that run inside workerd (@cloudflare/vitest-pool-workers) with the top-level
 * wrangler.toml: the store and job contracts on the Durable Object store, the worker end to end.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRET } from './test/workerd/secrets.js';

/**
 * The private test PostgreSQL (DATABASE_URL_TEST) behind miniflare's local Hyperdrive, as
 * TEST_HYPERDRIVE: the PostgreSQL suites (test/workerd/postgres.test.ts) use it, while the worker
 * under test keeps its Durable Object store (a HYPERDRIVE binding would switch it to PostgreSQL).
 * Miniflare wants a password in the URL; a server that trusts local connections never asks for it.
 */
function testHyperdrives(): Record<string, string> {
  const url = process.env.DATABASE_URL_TEST;
  if (!url) return {};
  const parsed = new URL(url);
  if (parsed.password === '') parsed.password = 'unused';
  return { TEST_HYPERDRIVE: parsed.toString() };
}

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      main: './test/workerd/worker.ts',
      miniflare: {
        durableObjects: {
          TEST_STORE: { className: 'TestStoreObject', useSQLite: true },
          PG_BRIDGE: { className: 'PostgresBridgeObject', useSQLite: true },
        },
        hyperdrives: testHyperdrives(),
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
