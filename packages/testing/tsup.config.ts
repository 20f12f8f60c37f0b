import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/gate.ts', 'src/schemas.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The vitest entry registers blocks in the caller's vitest, never a bundled copy.
  external: ['vitest'],
});
