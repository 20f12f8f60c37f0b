import { defineConfig } from 'tsup';

export default defineConfig({
  // shred-helper-worker.ts is the entry of pass two's helper thread: dist/index.js starts it next to itself.
  entry: ['src/index.ts', 'src/shred-helper-worker.ts'],
  dts: { entry: 'src/index.ts' },
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
