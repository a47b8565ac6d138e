import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
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
