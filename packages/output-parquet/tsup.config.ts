import { defineConfig } from 'tsup';

export default defineConfig({
  // The entries of pass two's helper thread and of pass one's observer thread: dist/index.js starts each
  // next to itself.
  entry: ['src/index.ts', 'src/shred-helper-worker.ts', 'src/observer-worker.ts'],
  dts: { entry: 'src/index.ts' },
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
