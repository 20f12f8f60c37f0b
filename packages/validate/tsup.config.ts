import { defineConfig } from 'tsup';

export default defineConfig({
  // worker.ts is the entry of the pool's worker threads; dist/index.js starts dist/worker.js next to it.
  entry: ['src/index.ts', 'src/worker.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
