import { defineConfig } from 'vitest/config';

/**
 * Shared vitest settings. Tests resolve sibling `@scm/*` packages to their
 * TypeScript sources through the `@scm/source` export condition, so no test
 * waits for a build.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ['@scm/source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@scm/source', 'import', 'module', 'node', 'default'] } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
