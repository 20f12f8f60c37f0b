#!/usr/bin/env node
// Benchmark (not a test): a whole rebuild-catalog run on N generated items
// (copies of the quickstart's NAIP items with new ids), writing NDJSON and
// stac-geoparquet, timed with its peak RSS. Needs a build first.
//   npm run bench:rebuild            (100000 items)
//   BENCH_ITEMS=20000 npm run bench:rebuild
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.BENCH_ITEMS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'scm-bench-rebuild-'));
const naip = readFileSync(join(root, 'examples/quickstart/data/items.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .filter((i) => i.collection === 'naip');
const out = createWriteStream(join(dir, 'items.ndjson'));
for (let n = 0; n < count; n++) {
  const item = { ...naip[n % naip.length], id: `${naip[n % naip.length].id}-${n}` };
  if (!out.write(`${JSON.stringify(item)}\n`)) await new Promise((r) => out.once('drain', r));
}
await new Promise((r) => out.end(r));
writeFileSync(
  join(dir, 'config.yaml'),
  'workflow: { name: bench }\nsource: { type: local_files, paths: [items.ndjson] }\noutput: { format: [ndjson, parquet], path: out }\n',
);
const run = spawnSync(
  '/usr/bin/time',
  [
    '-v',
    process.execPath,
    join(root, 'packages/cli/dist/bin.js'),
    'rebuild-catalog',
    '--config',
    join(dir, 'config.yaml'),
    '--quiet',
    '--log-level',
    'warn',
  ],
  { encoding: 'utf8' },
);
if (run.status !== 0) {
  console.error(run.stdout, run.stderr);
  process.exit(1);
}
const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024;
const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/.exec(run.stderr)?.[1] ?? '?';
const seconds = wall.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
console.log(run.stdout.trim());
console.log(
  `${count} items: ${seconds.toFixed(1)} s wall, ${Math.round(count / seconds)} items/s, peak RSS ${Math.round(rss)} MB`,
);
rmSync(dir, { recursive: true, force: true });
