#!/usr/bin/env node
// PRD acceptance scenario 1, scaled to this machine (a run, not a test: it takes minutes). Loads a collection
// of SCENARIO_ITEMS HLS S30-shaped items (default 200,000, tools/stac-server/generate-items.mjs, with IPFS
// alternates as EasierData's items have: about 18 KB each) into the pgstac of the real local STAC API
// (tools/stac-server/), two in every 1,000 of them invalid STAC on purpose, then runs one `rebuild-catalog --mode full` harvesting it with the sample collections the server
// also holds: dgeo applied, every item validated (strict), stac-geoparquet and NDJSON written. It checks what
// the scenario asks (the summary's counts, one failure line per invalid item naming it, every valid item in
// the Parquet files) and prints the run's wall time, CPU time, peak RSS and items/s. The collection is dropped
// at the end.
//   SCM_STAC_API_URL=http://127.0.0.1:8089 npm run scenario:1
//   SCENARIO_ITEMS=20000 SCM_STAC_API_URL=… npm run scenario:1
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { timedSync } from './time-v.mjs';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.SCENARIO_ITEMS ?? 200_000);
const INVALID_EVERY = 1000;
const apiUrl = process.env.SCM_STAC_API_URL?.replace(/\/+$/, '');
if (!apiUrl) {
  console.error('scenario 1: set SCM_STAC_API_URL to the local STAC API (bash tools/stac-server/start.sh)');
  process.exit(2);
}
const venv = process.env.SCM_PYTHON_VENV ?? join(root, '.venv');
const python = join(venv, 'bin', 'python');
const adminDsn = process.env.SCM_PG_DSN ?? 'postgresql://postgres@127.0.0.1:54329/postgres';
const dsn = `${adminDsn.slice(0, adminDsn.lastIndexOf('/'))}/${process.env.SCM_STAC_DB ?? 'scm_stac_api'}`;
const collection = `scm-scenario1-${process.pid}`;
/**
 * Sample collections tools/stac-server/setup.sh loads beside the synthetic one, those whose items are valid
 * as served (the landsat-c2-l2 items declare an extension schema that is not bundled, and a cop-dem-glo-30
 * footprint reaches longitude -180.0014: real failures, but not the scenario's planted ones).
 */
const SAMPLES = ['HLSS30_2.0', 'sentinel-2-l2a', 'naip'];
const dir = mkdtempSync(join(tmpdir(), 'scm-scenario1-'));

function sql(statement, ...args) {
  const script = `import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    cur = c.execute(sys.argv[2], sys.argv[3:] or None)
    row = cur.fetchone() if cur.description else None
    print(row[0] if row else '')`;
  const run = spawnSync(python, ['-c', script, dsn, statement, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

/** Generates the items (invalid ones included) straight into `pypgstac load items stdin`. */
async function load() {
  const collectionFile = join(dir, 'collection.ndjson');
  const gen = (args) => [
    join(root, 'tools/stac-server/generate-items.mjs'),
    '--collection',
    collection,
    ...args,
  ];
  spawnSync(process.execPath, gen(['--count', '0', '--collection-json', collectionFile]));
  const pypgstac = join(venv, 'bin', 'pypgstac');
  spawnSync(pypgstac, ['load', 'collections', collectionFile, '--dsn', dsn, '--method', 'insert_ignore']);
  const started = Date.now();
  const generator = spawn(
    process.execPath,
    gen(['--count', String(count), '--invalid-every', String(INVALID_EVERY), '--ipfs']),
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const loader = spawn(pypgstac, ['load', 'items', 'stdin', '--dsn', dsn, '--method', 'insert_ignore'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => loader.on('exit', resolve));
  await pipeline(generator.stdout, loader.stdin);
  if ((await exited) !== 0) throw new Error('pypgstac load failed');
  const loaded = Number(sql('SELECT count(*) FROM pgstac.items WHERE collection = %s', collection));
  console.log(`loaded ${loaded} items into ${collection} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return loaded;
}

/** Size of one generated item as NDJSON, in KB. */
function itemKb() {
  const args = [join(root, 'tools/stac-server/generate-items.mjs'), '--count', '1', '--ipfs'];
  return (spawnSync(process.execPath, args, { encoding: 'utf8' }).stdout.length / 1024).toFixed(1);
}

function writeConfig() {
  const file = join(dir, 'scenario1.yaml');
  writeFileSync(
    file,
    `workflow: { name: scenario-1 }
source:
  type: stac_api
  catalog_url: ${apiUrl}
  collections: [${[collection, ...SAMPLES].join(', ')}]
extensions:
  - name: dgeo
validation: { level: strict }
output: { format: [ndjson, parquet], path: catalog }
processing: { concurrency: 4 }
`,
  );
  return file;
}

function rebuild(config) {
  const load = loadavg()[0].toFixed(2);
  const {
    run,
    wall,
    cpu,
    rssMb: rss,
  } = timedSync(
    process.execPath,
    [join(root, 'packages/cli/dist/bin.js'), 'rebuild-catalog', '--config', config],
    { cwd: dir },
  );
  console.log(run.stdout.trim());
  return { status: run.status, wall, cpu, rss, load: `${load} → ${loadavg()[0].toFixed(2)}` };
}

/** Rows of every Parquet file of the output (pyarrow). */
function parquetRows() {
  const script = `import sys, pyarrow.parquet as pq
print(sum(pq.ParquetFile(p).metadata.num_rows for p in sys.argv[1:]))`;
  const files = readdirSync(join(dir, 'catalog', 'parquet'), { recursive: true })
    .filter((p) => String(p).endsWith('.parquet'))
    .map((p) => join(dir, 'catalog', 'parquet', String(p)));
  return Number(spawnSync(python, ['-c', script, ...files], { encoding: 'utf8' }).stdout.trim());
}

/** The first line of a file that may be larger than a string can hold. */
function firstLine(path) {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, read).split('\n', 1)[0];
  } finally {
    closeSync(fd);
  }
}

function check(loaded, samples, run) {
  const summary = JSON.parse(readFileSync(join(dir, 'catalog', 'summary.json'), 'utf8'));
  const failures = readFileSync(join(dir, 'catalog', 'failed_items.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const invalid = 2 * Math.floor(count / INVALID_EVERY);
  const failedIds = new Set(failures.map((f) => f.item_id));
  const problems = [];
  if (run.status !== 1) problems.push(`exit code ${run.status}, expected 1 (some items failed)`);
  if (summary.processed !== loaded + samples)
    problems.push(`processed ${summary.processed}, loaded ${loaded + samples}`);
  if (summary.failed !== invalid) problems.push(`failed ${summary.failed}, expected ${invalid}`);
  if (failedIds.size !== invalid)
    problems.push(`${failedIds.size} items in failed_items.ndjson, expected ${invalid}`);
  const first = firstLine(join(dir, 'catalog', 'ndjson', collection, 'items.ndjson'));
  if (!JSON.parse(first).stac_extensions.some((uri) => uri.includes('dgeo')))
    problems.push('the items do not declare the dgeo extension');
  const rows = parquetRows();
  if (rows !== summary.succeeded) problems.push(`${rows} Parquet rows, ${summary.succeeded} items succeeded`);
  const types = {};
  for (const f of failures) {
    const key = `${f.error_context.step}/${f.error_type}`;
    types[key] = (types[key] ?? 0) + 1;
  }
  console.log(`failures by step/error_type: ${JSON.stringify(types)}`);
  return { problems, succeeded: summary.succeeded, rows };
}

try {
  const loaded = await load();
  const samples = Number(
    sql(`SELECT count(*) FROM pgstac.items WHERE collection = ANY(%s::text[])`, `{${SAMPLES.join(',')}}`),
  );
  const run = rebuild(writeConfig());
  const { problems, succeeded, rows } = check(loaded, samples, run);
  const total = loaded + samples;
  console.log(
    `scenario 1: ${total} items (${loaded} synthetic HLS of ${itemKb()} KB + ${samples} samples, ${SAMPLES.length + 1} collections): ` +
      `${run.wall.toFixed(0)} s wall (${(total / run.wall).toFixed(0)} items/s), ${run.cpu.toFixed(0)} CPU-s, ` +
      `peak RSS ${Math.round(run.rss)} MB, load ${run.load}; ${succeeded} written (${rows} Parquet rows)`,
  );
  if (problems.length > 0) {
    console.error(`scenario 1 FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  } else console.log('scenario 1: ok');
} finally {
  sql('DELETE FROM pgstac.items WHERE collection = %s', collection);
  sql('SELECT pgstac.delete_collection(%s)', collection);
  if (!process.env.SCENARIO_KEEP) rmSync(dir, { recursive: true, force: true });
}
