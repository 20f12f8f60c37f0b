// Bundles viewer/main.js with d3-geo, topojson-client and world-atlas's 110m
// land outline into dist/viewer.js (after tsup, whose clean empties dist/), which every report.html inlines.
import { mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
mkdirSync(`${root}dist`, { recursive: true });
await build({
  entryPoints: [`${root}viewer/main.js`],
  outfile: `${root}dist/viewer.js`,
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
});
