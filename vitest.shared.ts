import { defineConfig } from 'vitest/config';

// As Node resolves (no bundler-only `module` condition: the AWS SDK's ESM build under it does not load in Node).
const conditions = ['@scm/source', 'import', 'node', 'default'];
const tempDirSetup = new URL('./tools/test-temp-dir.mjs', import.meta.url).pathname;

/**
 * Shared vitest settings. Tests resolve sibling `@scm/*` packages to their
 * TypeScript sources through the `@scm/source` export condition, so no test
 * waits for a build. Each package also writes `.vitest-results.json`, which
 * `tools/test-totals.mjs` sums into one closing line. The temporary folders
 * of a run live under one folder removed at its end (tools/test-temp-dir.mjs).
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: [tempDirSetup],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
  },
});
