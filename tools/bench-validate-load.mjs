#!/usr/bin/env node
// Benchmark (not a test): on generated HLS-shaped items (the CMR-STAC sample as template, ~13 KB and 40 assets
// each, every item distinct), in one run:
//   1. `validate` (core + the extensions the items declare) with our CLI: its default threads and `--workers 0`;
//   2. the Python stac-validator on the first BENCH_PY_ITEMS of them, through `validate --engine stac-validator`
//      (one stac-validator process per file, schemas mapped to the bundled copies: no network);
//   3. `pypgstac load items` of the NDJSON our `rebuild-catalog` writes for them, into a pgstac database made for
//      the run (SCM_PG_DSN: a PostgreSQL with PostGIS where it may create and drop a database; skipped without).
// Each step is one process under /usr/bin/time -v: wall, CPU (user + system) and peak RSS, with the load average.
//   npm run bench:validate-load                     (BENCH_ITEMS=100000)
// Settings: BENCH_ITEMS, BENCH_PY_ITEMS (default 1000), BENCH_DIR (default a temp folder, removed unless
// BENCH_KEEP=1), SCM_PYTHON_VENV (default <repo>/.venv), SCM_PG_DSN.
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { generateHls } from '../packages/output-parquet/bench/hls.mjs';
import { timedSync } from './time-v.mjs';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.BENCH_ITEMS ?? 100_000);
const pyCount = Number(process.env.BENCH_PY_ITEMS ?? 1_000);
const venv = resolve(process.env.SCM_PYTHON_VENV ?? join(root, '.venv'));
const dir = process.env.BENCH_DIR
  ? resolve(process.env.BENCH_DIR)
  : mkdtempSync(join(tmpdir(), 'scm-bench-vl-'));
mkdirSync(dir, { recursive: true });
const cli = join(root, 'packages/cli/dist/bin.js');
const load = () => loadavg()[0].toFixed(2);
const rows = [];
const pypgstac = join(venv, 'bin', 'pypgstac');
const ADMIN = `import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    c.execute(sys.argv[2])`;

function measure(label, items, command, args) {
  const before = load();
  const { run, wall, cpu, rssMb } = timedSync(command, args);
  const status =
    run.status === 0
      ? 'ok'
      : `exit ${run.status}: ${String(run.stderr).trim().split('\n').slice(-2).join(' ')}`;
  const row = { label, items, wall, cpu, rssMb, status, load: `${before} → ${load()}` };
  console.log(JSON.stringify(row));
  rows.push(row);
  return row;
}

/** The first `n` lines of an NDJSON file, in a file of their own. */
async function head(source, n, target) {
  const out = createWriteStream(target);
  let taken = 0;
  for await (const line of createInterface({ input: createReadStream(source) })) {
    if (taken++ === n) break;
    out.write(`${line}\n`);
  }
  await new Promise((r) => out.end(r));
}

const input = join(dir, 'items.ndjson');
const bytes = await generateHls(input, count);
const kb = (bytes / count / 1000).toFixed(1);
console.log(`${count} items, ${kb} KB each`);

const whole = measure('`validate` (ours, default threads)', count, process.execPath, [
  cli,
  'validate',
  '--input',
  input,
  '--quiet',
]);
// The same on a tenth of the items: the difference is the rate once the process and its threads are up.
const tenth = join(dir, 'tenth.ndjson');
await head(input, Math.round(count / 10), tenth);
const part = measure(
  '`validate` (ours, default threads), a tenth',
  Math.round(count / 10),
  process.execPath,
  [cli, 'validate', '--input', tenth, '--quiet'],
);
const running = (whole.items - part.items) / (whole.wall - part.wall);
const startup = whole.wall - whole.items / running;
measure('`validate --workers 0` (ours, main thread)', count, process.execPath, [
  cli,
  'validate',
  '--input',
  input,
  '--workers',
  '0',
  '--quiet',
]);
const sample = join(dir, 'sample.ndjson');
await head(input, pyCount, sample);
process.env.SCM_PYTHON_VENV = venv;
measure('stac-validator (`validate --engine stac-validator`)', pyCount, process.execPath, [
  cli,
  'validate',
  '--input',
  sample,
  '--engine',
  'stac-validator',
  '--quiet',
]);

await pypgstacLoad();

console.log(`\nnode ${process.version}, ${count} HLS-shaped items of ${kb} KB\n`);
console.log('| step | items | wall | items/s | CPU | peak RSS | status | load (1-min, before → after) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.items.toLocaleString('en')} | ${r.wall.toFixed(1)} s | ${Math.round(r.items / r.wall).toLocaleString('en')} | ${r.cpu.toFixed(1)} s | ${Math.round(r.rssMb)} MB | ${r.status} | ${r.load} |`,
  );
}
console.log(
  `\n\`validate\` once started (the ${(whole.items - part.items).toLocaleString('en')} items between the two runs): ` +
    `${Math.round(running).toLocaleString('en')} items/s; start-up and close ${startup.toFixed(2)} s`,
);
if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });

/** Our rebuild's NDJSON of the items, loaded by pypgstac into a database of its own, dropped afterwards. */
async function pypgstacLoad() {
  const dsn = process.env.SCM_PG_DSN;
  if (!dsn) return console.log('pypgstac load: skipped (no SCM_PG_DSN)');
  const out = join(dir, 'out');
  writeFileSync(
    join(dir, 'config.yaml'),
    `workflow: { name: bench }\nsource: { type: local_files, paths: [items.ndjson] }\noutput: { format: ndjson, path: out }\n`,
  );
  const built = spawnSync(process.execPath, [
    cli,
    'rebuild-catalog',
    '--config',
    join(dir, 'config.yaml'),
    '--quiet',
  ]);
  if (built.status !== 0) throw new Error(`rebuild-catalog failed: ${built.stderr}`);
  const database = `scm_bench_load_${process.pid}`;
  const admin = (sql) => command(join(venv, 'bin', 'python'), ['-c', ADMIN, dsn, sql]);
  admin(`CREATE DATABASE ${database}`);
  const target = `${dsn.slice(0, dsn.lastIndexOf('/'))}/${database}`;
  try {
    command(pypgstac, ['migrate', '--dsn', target]);
    command(pypgstac, ['load', 'collections', join(out, 'ndjson/collections.ndjson'), '--dsn', target]);
    const collection = JSON.parse(
      readFileSync(join(out, 'ndjson/collections.ndjson'), 'utf8').split('\n')[0],
    ).id;
    const items = join(out, 'ndjson', collection, 'items.ndjson');
    measure('`pypgstac load items` of our NDJSON', count, pypgstac, [
      'load',
      'items',
      items,
      '--dsn',
      target,
    ]);
  } finally {
    admin(`DROP DATABASE IF EXISTS ${database}`);
  }
}

function command(file, args) {
  const run = spawnSync(file, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${file} ${args.slice(0, 2).join(' ')}: ${run.stderr}`);
  return run.stdout;
}
