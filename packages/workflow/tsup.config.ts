import { defineConfig } from 'tsup';

export default defineConfig({
  // worker-extensions.ts is imported by the validator worker threads (batch-validator.ts).
  entry: ['src/index.ts', 'src/worker-extensions.ts'],
  dts: { entry: 'src/index.ts' },
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
