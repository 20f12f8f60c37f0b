#!/usr/bin/env node
// Benchmark (not a test): an incremental rebuild with 1% of the items changed, side by side with a full
// rebuild of the same changed input, in one run. Items are copies of the quickstart's NAIP items with new
// ids; outputs: JSON tree, NDJSON and stac-geoparquet. Each run is one CLI process timed by
// /usr/bin/time -v (wall, CPU, peak RSS); the 1-minute load average is printed beside each. Needs a build.
//   npm run bench:incremental                (20000 items)
//   BENCH_ITEMS=100000 npm run bench:incremental
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.BENCH_ITEMS ?? 20_000);
const formats = process.env.BENCH_FORMATS ?? 'json, ndjson, parquet';
const dir = mkdtempSync(join(tmpdir(), 'scm-bench-incremental-'));
const naip = readFileSync(join(root, 'examples/quickstart/data/items.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .filter((i) => i.collection === 'naip');

/** The source file; `changed` items (every 100th) get another cloud cover. */
function writeItems(changed) {
  const lines = [];
  for (let n = 0; n < count; n++) {
    const base = naip[n % naip.length];
    const item = { ...base, id: `${base.id}-${n}` };
    if (changed && n % 100 === 0) item.properties = { ...base.properties, 'eo:cloud_cover': 50 + (n % 7) };
    lines.push(JSON.stringify(item));
  }
  writeFileSync(join(dir, 'items.ndjson'), `${lines.join('\n')}\n`);
}

function config(out) {
  const file = join(dir, `${out}.yaml`);
  writeFileSync(
    file,
    `workflow: { name: bench }\nsource: { type: local_files, paths: [items.ndjson] }\noutput: { format: [${formats}], path: ${out} }\n`,
  );
  return file;
}

function timed(label, configFile, mode) {
  const load = loadavg()[0].toFixed(2);
  const run = spawnSync(
    '/usr/bin/time',
    [
      '-v',
      process.execPath,
      join(root, 'packages/cli/dist/bin.js'),
      'rebuild-catalog',
      '--config',
      configFile,
      '--mode',
      mode,
      '--log-level',
      'warn',
    ],
    { encoding: 'utf8', cwd: dir },
  );
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    process.exit(1);
  }
  const field = (re) => re.exec(run.stderr)?.[1] ?? '0';
  const wall = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/)
    .split(':')
    .reduce((acc, part) => acc * 60 + Number(part), 0);
  const cpu =
    Number(field(/User time \(seconds\): ([\d.]+)/)) + Number(field(/System time \(seconds\): ([\d.]+)/));
  const rss = Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024;
  const counts = /added \d+, modified \d+, deleted \d+, unchanged \d+/.exec(run.stdout)?.[0] ?? '';
  const result = { label, wall, cpu, rss, load: `${load} → ${loadavg()[0].toFixed(2)}`, counts };
  console.log(
    `${label}: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s, peak RSS ${Math.round(rss)} MB, load ${result.load}${counts ? `, ${counts}` : ''}`,
  );
  return result;
}

writeItems(false);
const size = statSync(join(dir, 'items.ndjson')).size;
console.log(`${count} items, ${(size / count / 1024).toFixed(1)} KB per item, formats ${formats}`);
const catalog = config('catalog');
timed('full rebuild (first)', catalog, 'full');
timed('incremental, nothing changed', catalog, 'incremental');
writeItems(true);
const incremental = timed('incremental, 1% changed', catalog, 'incremental');
const full = timed('full rebuild of the same changed input', config('fresh'), 'full');
console.log(
  `incremental / full: ${((incremental.wall / full.wall) * 100).toFixed(1)} % of the wall time, ${((incremental.cpu / full.cpu) * 100).toFixed(1)} % of the CPU time`,
);
rmSync(dir, { recursive: true, force: true });
