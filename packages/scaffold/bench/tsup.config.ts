import { defineConfig } from 'tsup';

/** Builds the benchmark into bench/dist with @scm/core taken from its sources, so no other package needs a build. */
export default defineConfig({
  entry: { scaffold: 'bench/scaffold.bench.ts' },
  outDir: 'bench/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  dts: false,
  sourcemap: false,
  noExternal: ['@scm/core'],
  esbuildOptions(options) {
    options.conditions = ['@scm/source'];
  },
});
