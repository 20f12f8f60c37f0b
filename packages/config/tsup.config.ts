import { defineConfig } from 'tsup';

export default defineConfig({
  // `schema` is built on its own (it needs no runtime dependency) so that
  // `npm run schema` can write schema/config.schema.json without other builds.
  entry: { index: 'src/index.ts', schema: 'src/schema.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
