#!/usr/bin/env node
// Benchmark (not a test): a whole rebuild-catalog run on N generated items, timed with its peak RSS, then each
// stage of that run alone (tools/bench-rebuild-stages.mjs) so the next bottleneck is visible. Needs a build first.
//   npm run bench:rebuild                          (100000 HLS-shaped items)
//   BENCH_ITEMS=100000,300000,800000 npm run bench:rebuild
// Settings (environment):
//   BENCH_ITEMS     item counts, comma-separated (default 100000)
//   BENCH_SHAPE     hls (default: the CMR-STAC HLS sample, ~13 KB and 40 assets, every item distinct; see
//                   packages/output-parquet/bench/hls.mjs) or naip (the quickstart's ~2.9 KB NAIP items)
//   BENCH_WORKERS   validation threads for rebuild-catalog (--workers; default: the command's default)
//   BENCH_STAGES    time each stage alone for counts up to this many items (default 100000; 0: never)
//   BENCH_BASELINE  another checkout (e.g. /work/main, built) whose rebuild-catalog runs on the same items right
//                   after, for a before/after comparison under the same load
//   BENCH_PROFILE=1 also write a CPU profile of the run (node --cpu-prof) into BENCH_DIR
//   BENCH_DIR       working folder (default: a new temp folder, removed afterwards unless BENCH_KEEP=1)
// The run: NDJSON in, dgeo + alternate-assets, validation (core + the extensions the items declare), NDJSON
// for pypgstac and stac-geoparquet out.
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateHls } from '../packages/output-parquet/bench/hls.mjs';
import { timedSync } from './time-v.mjs';

const root = new URL('..', import.meta.url).pathname;
const counts = (process.env.BENCH_ITEMS ?? '100000').split(',').map(Number);
const shape = process.env.BENCH_SHAPE ?? 'hls';
const keep = process.env.BENCH_KEEP === '1';
const dir = process.env.BENCH_DIR
  ? resolve(process.env.BENCH_DIR)
  : mkdtempSync(join(tmpdir(), 'scm-bench-rebuild-'));
mkdirSync(dir, { recursive: true });
const load = () => loadavg()[0].toFixed(2);

async function generateNaip(path, count) {
  const naip = readFileSync(join(root, 'examples/quickstart/data/items.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((i) => i.collection === 'naip');
  const out = createWriteStream(path);
  let bytes = 0;
  for (let n = 0; n < count; n++) {
    const line = `${JSON.stringify({ ...naip[n % naip.length], id: `${naip[n % naip.length].id}-${n}` })}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return bytes;
}

// The extensions of examples/extensions: dgeo content addressing (HLS items carry no CID, so one constant CID
// stands for the one a real run would take from its data) and an S3 alternate for every LP DAAC href.
const CONFIG = `workflow: { name: bench }
source: { type: local_files, paths: [items.ndjson] }
output: { format: [ndjson, parquet], path: out }
extensions:
  - name: dgeo
    config: { variant: pgstac-variant, cids: [bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi] }
  - name: alternate-assets
    config:
      version: 1.2.0
      alternates:
        - { key: s3, name: S3, prefix: "https://data.lpdaac.earthdatacloud.nasa.gov/", replace_prefix: "s3://" }
`;

function timed(args) {
  const { run, wall, cpu, rssMb } = timedSync(process.execPath, args);
  return { run, seconds: wall, cpu, rssMb };
}

/** The same run with the CLI of BENCH_BASELINE, on the items and config just used. */
function baseline(row) {
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const before = load();
  const cli = join(resolve(process.env.BENCH_BASELINE), 'packages/cli/dist/bin.js');
  const base = timed([cli, 'rebuild-catalog', '--config', join(dir, 'config.yaml'), '--quiet']);
  if (base.run.status !== 0) console.error(base.run.stderr);
  const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  const out = { ...row, build: process.env.BENCH_BASELINE, seconds: base.seconds, cpu: base.cpu };
  Object.assign(out, { rssMb: base.rssMb, succeeded: summary.succeeded, failed: summary.failed });
  out.load = `${before} → ${load()}`;
  delete out.stages;
  console.log(JSON.stringify(out));
  return out;
}

const rows = [];
for (const count of counts) {
  const input = join(dir, 'items.ndjson');
  const bytes = shape === 'naip' ? await generateNaip(input, count) : await generateHls(input, count);
  writeFileSync(join(dir, 'config.yaml'), CONFIG);
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const before = load();
  const profile = process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  const workers = process.env.BENCH_WORKERS ? ['--workers', process.env.BENCH_WORKERS] : [];
  const cli = join(root, 'packages/cli/dist/bin.js');
  const whole = timed([
    ...profile,
    cli,
    'rebuild-catalog',
    '--config',
    join(dir, 'config.yaml'),
    '--quiet',
    ...workers,
  ]);
  if (whole.run.status !== 0) {
    console.error(whole.run.stdout, whole.run.stderr);
    process.exit(1);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
  const row = {
    build: 'this',
    count,
    kb: bytes / count / 1000,
    seconds: whole.seconds,
    cpu: whole.cpu,
    rssMb: whole.rssMb,
    succeeded: summary.succeeded,
    failed: summary.failed,
    load: `${before} → ${load()}`,
  };
  console.log(JSON.stringify(row));
  if (count <= Number(process.env.BENCH_STAGES ?? 100_000)) {
    const stages = timed([join(root, 'tools/bench-rebuild-stages.mjs'), input, join(dir, 'stages')]);
    if (stages.run.status !== 0) console.error(stages.run.stderr);
    row.stages = stages.run.stdout.trim();
    console.log(row.stages);
  }
  rows.push(row);
  if (process.env.BENCH_BASELINE) rows.push(baseline(row));
}

console.log(`\nrebuild-catalog, ${shape} items, node ${process.version}\n`);
console.log(
  '| build | items | item size | wall | CPU | items/s | peak RSS | succeeded / failed | load (1-min, before → after) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.build} | ${r.count.toLocaleString('en')} | ${r.kb.toFixed(1)} KB | ${r.seconds.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${Math.round(r.count / r.seconds).toLocaleString('en')} | ${Math.round(r.rssMb)} MB | ${r.succeeded} / ${r.failed} | ${r.load} |`,
  );
}
if (!keep) rmSync(dir, { recursive: true, force: true });
