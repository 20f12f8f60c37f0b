// Benchmark of @scm/transform (not a test). Run with `npm run bench` in packages/transform,
// which builds dist/ first. Records are generated on the fly and never stored.
//
//   node --expose-gc bench/map-records.mjs [records] [sidecarRows]
import { performance } from 'node:perf_hooks';
// The schema compiler of @scm/core is provided by @scm/validate (mapping option checks need it).
import '@scm/validate';
import { readYaml } from '@scm/config';
import { parseCsvText } from '@scm/input';
import { readWkt } from '@scm/scaffold';
import { applyMapping, enrichItems, parseMapping, transformRecords } from '../dist/index.js';

// The readers @scm/workflow composes into every mapping (the one WKT, CSV and YAML implementations).
const readers = { readWkt, parseCsv: parseCsvText, parseYaml: readYaml };

const N = Number(process.argv[2] ?? 1_000_000);
const SIDECAR_ROWS = Number(process.argv[3] ?? 1_000_000);

const mapping = parseMapping(
  `
id_template: "{collection_name}-{dataset_id}"
passthrough: [sensor, quality]
mappings:
  - source_field: collection_name
    target_field: collection
  - source_field: acquisition_date
    target_field: properties.datetime
    transform: { type: datetime, formats: ["DD/MM/YYYY HH:mm", iso] }
  - source_field: geometry_wkt
    target_field: geometry
    transform: wkt_geometry
  - source_field: url
    target_field: assets.data.href
  - target_field: assets.data.type
    constant: image/tiff; application=geotiff
  - target_field: assets.data.roles
    constant: [data]
  - source_field: cloud
    target_field: properties["eo:cloud_cover"]
    transform: number
    optional: true
`,
  'bench.yaml',
  readers,
);

const COLLECTIONS = ['landsat', 'sentinel', 'modis', 'viirs', 'aster'];
const pad = (n, w = 2) => String(n).padStart(w, '0');

/** One CSV-like record (all values are strings, as a CSV reader yields them). */
function makeRecord(i) {
  const day = 1 + (i % 28);
  const month = 1 + (i % 12);
  const hour = i % 24;
  const minute = i % 60;
  const x = -170 + (i % 340);
  const y = -80 + (i % 160);
  const d = ((i % 100) + 1) / 100;
  return {
    dataset_id: `ds-${pad(i, 7)}`,
    collection_name: COLLECTIONS[i % 5],
    acquisition_date:
      i % 2 === 0
        ? `${pad(day)}/${pad(month)}/2023 ${pad(hour)}:${pad(minute)}`
        : `2023-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00Z`,
    geometry_wkt: `POLYGON((${x} ${y}, ${x + d} ${y}, ${x + d} ${y + d}, ${x} ${y + d}, ${x} ${y}))`,
    url: `https://data.example.com/${COLLECTIONS[i % 5]}/ds-${i}.tif`,
    cloud: String(i % 100),
    sensor: 'OLI',
    quality: i % 3 === 0 ? 'good' : 'fair',
  };
}

const rss = () => process.resourceUsage().maxRSS / 1024; // MiB
/** CPU time of this process in ms (user + system): steadier than wall time on a busy machine. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// 1. generation alone, to subtract it from the mapping figures
let t0 = performance.now();
let c0 = cpu();
let sink = 0;
for (let i = 0; i < N; i++) sink += makeRecord(i).dataset_id.length;
const generateMs = performance.now() - t0;
const generateCpu = cpu() - c0;

// 2. applyMapping in a plain loop
let failed = 0;
t0 = performance.now();
c0 = cpu();
for (let i = 0; i < N; i++) {
  const r = applyMapping(makeRecord(i), mapping, { file: 'bench.csv', line: i + 2 });
  if (!r.ok) failed += 1;
}
const applyMs = performance.now() - t0;
const applyCpu = cpu() - c0;
if (failed > 0) throw new Error(`${failed} records failed`);

// 3. the streaming form
async function* source() {
  for (let i = 0; i < N; i++) yield { value: makeRecord(i), origin: { file: 'bench.csv', line: i + 2 } };
}
t0 = performance.now();
c0 = cpu();
let streamed = 0;
for await (const r of transformRecords(source(), mapping)) if ('value' in r) streamed += 1;
const streamMs = performance.now() - t0;
const streamCpu = cpu() - c0;
const mapRss = rss();

const rate = (ms) => fmt((N / ms) * 1000);
console.log(
  `records: ${fmt(N)}; generating them alone takes ${fmt(generateCpu)} ms CPU (${sink > 0 ? 'checked' : ''})`,
);
console.log(
  'figures are records per second of CPU time (wall-clock figures in brackets), generation subtracted',
);
console.log(
  `applyMapping loop: ${rate(applyCpu - generateCpu)} records/s (${rate(applyMs - generateMs)} wall)`,
);
console.log(
  `transformRecords:  ${rate(streamCpu - generateCpu)} records/s (${rate(streamMs - generateMs)} wall), ${fmt(streamed)} mapped`,
);
console.log(`peak RSS after mapping: ${fmt(mapRss)} MiB`);

// 4. enrichment: memory of the sidecar Map, and join throughput
if (SIDECAR_ROWS > 0) {
  const enrich = parseMapping(
    `
mappings:
  - source_field: cloud_cover
    target_field: properties["eo:cloud_cover"]
    transform: number
  - source_field: checksum
    target_field: assets.data["file:checksum"]
`,
    'enrich.yaml',
    readers,
  );
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rows = [];
  for (let i = 0; i < SIDECAR_ROWS; i++)
    rows.push({
      id: `ds-${pad(i, 7)}`,
      cloud_cover: String(i % 100),
      checksum: `1220${i.toString(16).padStart(64, '0')}`,
    });
  globalThis.gc?.();
  const heapRows = process.memoryUsage().heapUsed;
  async function* items() {
    for (let i = 0; i < SIDECAR_ROWS; i++) {
      yield {
        value: {
          type: 'Feature',
          id: `ds-${pad(i, 7)}`,
          properties: { datetime: '2023-01-01T00:00:00Z' },
          assets: { data: { href: `https://x/${i}.tif` } },
        },
        origin: { index: i },
      };
    }
  }
  t0 = performance.now();
  c0 = cpu();
  let matched = 0;
  let heapWithMap = 0;
  for await (const r of enrichItems(items(), rows, { mapping: enrich })) {
    if (matched === 0) {
      globalThis.gc?.();
      heapWithMap = process.memoryUsage().heapUsed;
    }
    if ('value' in r) matched += 1;
  }
  const enrichMs = performance.now() - t0;
  const enrichCpu = cpu() - c0;
  const rowBytes = (heapRows - heapBefore) / SIDECAR_ROWS;
  const mapBytes = (heapWithMap - heapRows) / SIDECAR_ROWS;
  console.log(
    `enrichment: ${fmt(SIDECAR_ROWS)} sidecar rows, ${fmt(matched)} items enriched, ${fmt((SIDECAR_ROWS / enrichCpu) * 1000)} items/s CPU (${fmt((SIDECAR_ROWS / enrichMs) * 1000)} wall; index build and item generation included)`,
  );
  console.log(
    `sidecar memory: ${fmt(rowBytes)} bytes per row for the rows themselves (3 string columns), ${fmt(mapBytes)} bytes per row for the index${globalThis.gc ? '' : ' (run with --expose-gc for exact figures)'}`,
  );
  console.log(`peak RSS at the end: ${fmt(rss())} MiB`);
}
