import { defineConfig } from 'tsup';

/**
 * Bundles the benchmark with @scm/core taken from its TypeScript sources, so
 * `npm run bench` needs no prior build. npm libraries stay external.
 */
export default defineConfig({
  entry: { 'csv-memory': 'bench/csv-memory.ts' },
  outDir: 'node_modules/.cache/scm-input-bench',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  noExternal: ['@scm/core'],
  dts: false,
  sourcemap: false,
  clean: true,
  silent: true,
  esbuildOptions(options) {
    options.conditions = ['@scm/source'];
  },
});
