// Benchmark: NDJSON → stac-geoparquet with @scm/output-parquet, the Python stac-geoparquet package and rustac.
// Not a test. Run with `npm run bench` (builds first). Settings (environment):
//   BENCH_ITEMS      items to generate (default 500000)
//   BENCH_DIR        working folder (default: a new folder in the OS temp dir, removed afterwards)
//   BENCH_KEEP=1     keep the working folder
//   BENCH_TOOLS      comma list of runs (default: all): ours,ours-one-thread,ours-snappy,ours-stream,stac-geoparquet,
//                    rustac (ours-one-thread: pass two without its helper thread)
//   BENCH_SHAPE      s2 (default: Sentinel-2-like items of ~4 KB) or hls (CMR-STAC HLS items of ~13 KB, 40 assets)
//   BENCH_RSS_CAP_MB a run whose resident memory passes this is stopped and reported (default 12000)
//   SCM_PYTHON_VENV  Python venv with stac-geoparquet and rustac (default <repo>/.venv)
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { generateHls } from './hls.mjs';
import { codecOf, run } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const items = Number(process.env.BENCH_ITEMS ?? 500_000);
const keep = process.env.BENCH_KEEP === '1';
const capMb = Number(process.env.BENCH_RSS_CAP_MB ?? 12_000);
const venv = process.env.SCM_PYTHON_VENV ? resolve(process.env.SCM_PYTHON_VENV) : join(repo, '.venv');
const python = join(venv, 'bin', 'python');
const wanted = new Set(
  (process.env.BENCH_TOOLS ?? 'ours,ours-one-thread,ours-snappy,ours-stream,stac-geoparquet,rustac').split(
    ',',
  ),
);
const dir = process.env.BENCH_DIR
  ? resolve(process.env.BENCH_DIR)
  : mkdtempSync(join(tmpdir(), 'scm-parquet-bench-'));
mkdirSync(dir, { recursive: true });

const runs = [
  {
    name: 'ours',
    label: '@scm/output-parquet convertNdjsonToGeoParquet (ZSTD, default)',
    cmd: () => [process.execPath, [join(here, 'convert-ours.mjs'), input, out('ours'), 'ZSTD', 'convert']],
  },
  {
    name: 'ours-one-thread',
    label: '@scm/output-parquet convertNdjsonToGeoParquet (ZSTD, helperThread: false)',
    cmd: () => [
      process.execPath,
      [join(here, 'convert-ours.mjs'), input, out('ours-one-thread'), 'ZSTD', 'one-thread'],
    ],
  },
  {
    name: 'ours-snappy',
    label: '@scm/output-parquet convertNdjsonToGeoParquet (SNAPPY)',
    cmd: () => [
      process.execPath,
      [join(here, 'convert-ours.mjs'), input, out('ours-snappy'), 'SNAPPY', 'convert'],
    ],
  },
  {
    name: 'ours-stream',
    label: '@scm/output-parquet createGeoParquetWriter, item by item with spill (ZSTD)',
    cmd: () => [
      process.execPath,
      [join(here, 'convert-ours.mjs'), input, out('ours-stream'), 'ZSTD', 'stream'],
    ],
  },
  {
    name: 'stac-geoparquet',
    label: 'stac-geoparquet 0.8.3 parse_stac_ndjson_to_parquet (defaults)',
    cmd: () => [
      python,
      [
        '-c',
        'import sys\nfrom stac_geoparquet.arrow import parse_stac_ndjson_to_parquet\nparse_stac_ndjson_to_parquet(sys.argv[1], sys.argv[2])',
        input,
        out('stac-geoparquet'),
      ],
    ],
  },
  {
    name: 'rustac',
    label: 'rustac 0.9.18 CLI `rustac translate` (defaults)',
    cmd: () => [join(venv, 'bin', 'rustac'), ['translate', input, out('rustac')]],
  },
];

const input = join(dir, 'items.ndjson');
const out = (name) => join(dir, `${name}.parquet`);

console.log(`generating ${items} items in ${input} …`);
const genStart = Date.now();
const bytes = await (process.env.BENCH_SHAPE === 'hls' ? generateHls : generate)(input, items);
console.log(
  `  ${(bytes / 1e6).toFixed(1)} MB, ${(bytes / items).toFixed(0)} bytes/item, ${((Date.now() - genStart) / 1000).toFixed(1)} s`,
);

const results = [];
for (const r of runs) {
  if (!wanted.has(r.name)) continue;
  const [cmd, args] = r.cmd();
  if (!existsSync(cmd)) {
    results.push({ name: r.name, label: r.label, status: `skipped: ${cmd} not found` });
    console.log(`${r.name}: skipped (${cmd} not found)`);
    continue;
  }
  console.log(`${r.name}: running …`);
  const res = await run(cmd, args, capMb);
  const entry = {
    name: r.name,
    label: r.label,
    seconds: res.seconds,
    itemsPerSecond: items / res.seconds,
    userSeconds: res.user,
    sysSeconds: res.sys,
    peakRssMb: res.peakMb,
  };
  if (res.killed)
    entry.status = `stopped after ${res.seconds.toFixed(0)} s: resident memory passed ${capMb} MB`;
  else if (res.code !== 0)
    entry.status = `failed (exit ${res.code}): ${res.stderr.split('\n').slice(-6).join(' ').slice(0, 300)}`;
  else {
    entry.status = 'ok';
    entry.bytes = statSync(out(r.name)).size;
    Object.assign(entry, await codecOf(out(r.name)));
  }
  results.push(entry);
  console.log(`  ${JSON.stringify(entry)}`);
  if (entry.status !== 'ok') delete entry.itemsPerSecond;
  if (!keep) rmSync(out(r.name), { force: true });
}

const lines = [
  `${items} items (${(bytes / 1e6).toFixed(0)} MB NDJSON, ${(bytes / items).toFixed(0)} bytes/item), node ${process.version}`,
  '',
  '| run | status | wall s | items/s | user+sys CPU s | peak RSS MB | output MB | codec | row groups |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
];
for (const r of results) {
  const cpu = Number.isFinite(r.userSeconds) ? (r.userSeconds + r.sysSeconds).toFixed(1) : '';
  lines.push(
    `| ${r.label} | ${r.status} | ${r.status === 'ok' ? r.seconds.toFixed(1) : ''} | ${r.itemsPerSecond ? Math.round(r.itemsPerSecond) : ''} | ${cpu} | ${r.peakRssMb ? Math.round(r.peakRssMb) : ''} | ${r.bytes ? (r.bytes / 1e6).toFixed(1) : ''} | ${r.codec ?? ''} | ${r.rowGroups ?? ''} |`,
  );
}
console.log(`\n${lines.join('\n')}`);
writeFileSync(join(dir, 'results.json'), JSON.stringify({ items, bytes, results }, null, 2));
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`\nfiles kept in ${dir}`);
