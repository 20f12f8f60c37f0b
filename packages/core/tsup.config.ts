import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    time: 'src/time.ts',
    'geojson/index': 'src/geojson/index.ts',
    'json-pointer': 'src/json-pointer.ts',
    'stac-item': 'src/stac-item.ts',
    'id-set': 'src/id-set.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
