import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Inside workerd (vitest.workers.config.ts) modules are resolved by this root server, and
    // pg's CommonJS files cannot require the ES modules its dependencies export for `import` and
    // `workerd` (brianc/node-postgres#3700): point both at their CommonJS builds. Node and
    // wrangler's bundle (esbuild) are not affected.
    alias: [
      { find: /^pg-protocol$/, replacement: require.resolve('pg-protocol') },
      {
        find: /^pg-cloudflare$/,
        replacement: join(dirname(require.resolve('pg-cloudflare/package.json')), 'dist/index.js'),
      },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `npm run test:unit`: the tests beside their modules (seconds); `npm test` runs both projects.
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          // Run inside workerd by vitest.workers.config.ts.
          exclude: [...configDefaults.exclude, 'test/workerd/**'],
        },
      },
      './vitest.workers.config.ts',
    ],
  },
});
