import { defineConfig } from 'vitest/config';

// As Node resolves (no bundler-only `module` condition: the AWS SDK's ESM build under it does not load in Node).
const conditions = ['@scm/source', 'import', 'node', 'default'];

/**
 * Shared vitest settings. Tests resolve sibling `@scm/*` packages to their
 * TypeScript sources through the `@scm/source` export condition, so no test
 * waits for a build. Each package also writes `.vitest-results.json`, which
 * `tools/test-totals.mjs` sums into one closing line.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
