#!/usr/bin/env node
// Benchmark (not a test): an incremental rebuild with 1% of the items changed, side by side with a full
// rebuild of the same changed input, in one run. Items are copies of the quickstart's NAIP items with new
// ids; outputs: JSON tree, NDJSON and stac-geoparquet. Each run is one CLI process timed by
// /usr/bin/time -v (wall, CPU, peak RSS); the 1-minute load average is printed beside each. Needs a build.
//   npm run bench:incremental                (20000 items)
//   BENCH_ITEMS=100000 npm run bench:incremental
//   BENCH_SOURCE=stac_api BENCH_ITEMS=5000 SCM_STAC_API_URL=http://127.0.0.1:8089 npm run bench:incremental
//   BENCH_CPU_PROF=/tmp/prof npm run bench:incremental   (a --cpu-prof profile of each CLI run there)
//   BENCH_PARTITION=month         (output.parquet_partition: stac-geoparquet cut into one file per month)
//   BENCH_CHANGE=recent           (the 1% changed are the newest items, as a nightly sync of new and reprocessed
//                                  granules sees; default `spread`: every 100th item, in every month)
//   BENCH_PG_CONTEXT=on           (stac_api: pgstac's `context` setting during the run, restored after; `on`
//                                  makes the API count, so deletes are learnt from one count, not an ids listing)
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { timedSync } from './time-v.mjs';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.BENCH_ITEMS ?? 20_000);
const formats = process.env.BENCH_FORMATS ?? 'json, ndjson, parquet';
const partition = process.env.BENCH_PARTITION ?? 'none';
const change = process.env.BENCH_CHANGE ?? 'spread';
if (!['spread', 'recent'].includes(change))
  throw new Error(`BENCH_CHANGE must be spread or recent, not ${change}`);
/** Whether item `n` of `count` (items are in datetime order) is among the 1% changed. */
const isChanged = (n) => (change === 'recent' ? n >= count - Math.ceil(count / 100) : n % 100 === 0);
const outputLine = (out) =>
  `output: { format: [${formats}], path: ${out}, parquet_partition: ${partition} }\n`;
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
    if (changed && isChanged(n)) item.properties = { ...base.properties, 'eo:cloud_cover': 50 + (n % 7) };
    lines.push(JSON.stringify(item));
  }
  writeFileSync(join(dir, 'items.ndjson'), `${lines.join('\n')}\n`);
}

function config(out) {
  const file = join(dir, `${out}.yaml`);
  writeFileSync(
    file,
    `workflow: { name: bench }\nsource: { type: local_files, paths: [items.ndjson] }\n${outputLine(out)}`,
  );
  return file;
}

function timed(label, configFile, mode) {
  const load = loadavg()[0].toFixed(2);
  const {
    run,
    wall,
    cpu,
    rssMb: rss,
  } = timedSync(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      join(root, 'packages/cli/dist/bin.js'),
      'rebuild-catalog',
      '--config',
      configFile,
      '--mode',
      mode,
      '--log-level',
      'warn',
    ],
    { cwd: dir },
  );
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    process.exit(1);
  }
  const counts = /added \d+, modified \d+, deleted \d+, unchanged \d+/.exec(run.stdout)?.[0] ?? '';
  const result = { label, wall, cpu, rss, load: `${load} → ${loadavg()[0].toFixed(2)}`, counts };
  console.log(
    `${label}: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s, peak RSS ${Math.round(rss)} MB, load ${result.load}${counts ? `, ${counts}` : ''}`,
  );
  return result;
}

/** The stac-geoparquet files of an output, with their mtimes. */
function parquetMtimes(out) {
  const root = join(dir, out, 'parquet');
  if (!existsSync(root)) return new Map();
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.parquet'),
  );
  return new Map(files.map((f) => [f, statSync(join(root, f)).mtimeMs]));
}

/** Runs `work`, then prints how many of the output's stac-geoparquet files it rewrote. */
function countRewrites(out, work) {
  const before = parquetMtimes(out);
  const result = work();
  const after = parquetMtimes(out);
  if (after.size > 0) {
    const rewritten = [...after].filter(([f, mtime]) => before.get(f) !== mtime).length;
    console.log(`  stac-geoparquet files rewritten: ${rewritten} of ${after.size}`);
  }
  return result;
}

/** Prints the strategy line of the run that last wrote `out` (its summary.json). */
function printStrategy(out) {
  const summary = JSON.parse(readFileSync(join(dir, out, 'summary.json'), 'utf8'));
  console.log(`  strategy: ${summary.strategy}`);
}

/** The closing line: the incremental run's share of the full rebuild's wall and CPU time. */
function ratio(incremental, full) {
  console.log(
    `incremental / full: ${((incremental.wall / full.wall) * 100).toFixed(1)} % of the wall time, ${((incremental.cpu / full.cpu) * 100).toFixed(1)} % of the CPU time`,
  );
}

function localFiles() {
  writeItems(false);
  const size = statSync(join(dir, 'items.ndjson')).size;
  console.log(
    `${count} items, ${(size / count / 1024).toFixed(1)} KB per item, formats ${formats}, parquet_partition ${partition}, change ${change}`,
  );
  const catalog = config('catalog');
  timed('full rebuild (first)', catalog, 'full');
  timed('incremental, nothing changed', catalog, 'incremental');
  writeItems(true);
  const incremental = countRewrites('catalog', () =>
    timed('incremental, 1% changed', catalog, 'incremental'),
  );
  ratio(incremental, timed('full rebuild of the same changed input', config('fresh'), 'full'));
}

// BENCH_SOURCE=stac_api: the real stac-fastapi-pgstac of tools/stac-server (SCM_STAC_API_URL), with a
// collection of our own (HLS-shaped items of @scm/testing, with `updated`) loaded by pypgstac and dropped
// at the end. The incremental run asks the server for `updated >= mark` (CQL2) and lists ids (fields).
const python = join(process.env.SCM_PYTHON_VENV ?? join(root, '.venv'), 'bin', 'python');
const adminDsn = process.env.SCM_PG_DSN ?? 'postgresql://postgres@127.0.0.1:54329/postgres';
const stacDsn = `${adminDsn.slice(0, adminDsn.lastIndexOf('/'))}/${process.env.SCM_STAC_DB ?? 'scm_stac_api'}`;

function pgstac(script, ...args) {
  const run = spawnSync(python, ['-W', 'ignore', '-c', script, stacDsn, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

const LOAD = `import sys
from pypgstac.db import PgstacDB
from pypgstac.load import Loader, Methods
db = PgstacDB(dsn=sys.argv[1])
getattr(Loader(db), 'load_' + sys.argv[2])(sys.argv[3], insert_mode=Methods.upsert)
db.close()`;
const DROP = `import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    c.execute('DELETE FROM pgstac.items WHERE collection = %s', (sys.argv[2],))
    c.execute('SELECT pgstac.delete_collection(%s)', (sys.argv[2],))`;

// Prints pgstac's `context` setting, then sets it to argv[2] when given.
const CONTEXT = `import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as c:
    print(c.execute("SELECT value FROM pgstac.pgstac_settings WHERE name = 'context'").fetchone()[0])
    if len(sys.argv) > 2:
        c.execute("UPDATE pgstac.pgstac_settings SET value = %s WHERE name = 'context'", (sys.argv[2],))`;

/** Writes `values` (any iterable: 100,000 HLS items do not fit in one string) as NDJSON and loads them. */
function loadNdjson(kind, name, values) {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  for (const value of values) writeSync(fd, `${JSON.stringify(value)}\n`);
  closeSync(fd);
  pgstac(LOAD, kind, path);
  return statSync(path).size;
}

function apiConfig(out, id, extra = '') {
  const file = join(dir, `${out}.yaml`);
  writeFileSync(
    file,
    `workflow: { name: bench }\nsource: { type: stac_api, catalog_url: ${process.env.SCM_STAC_API_URL}, collections: [${id}] }\n${outputLine(out)}${extra}`,
  );
  return file;
}

async function stacApi() {
  const { generateHlsItems } = await import(join(root, 'packages/testing/dist/index.js'));
  const id = `scm-bench-incremental-${process.pid}`;
  // Made again for each use, one at a time: 100,000 of them do not sit in memory.
  function* items() {
    let i = 0;
    for (const item of generateHlsItems({ collection: id, count, seed: 5 })) {
      item.properties.updated = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
      yield [i++, item];
    }
  }
  const collection = {
    type: 'Collection',
    stac_version: '1.0.0',
    id,
    description: 'benchmark (dropped at the end)',
    license: 'proprietary',
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [['2022-01-01T00:00:00Z', '2023-01-01T00:00:00Z']] },
    },
    links: [],
  };
  const context = pgstac(CONTEXT, ...(process.env.BENCH_PG_CONTEXT ? [process.env.BENCH_PG_CONTEXT] : []));
  try {
    loadNdjson('collections', 'collection.ndjson', [collection]);
    const bytes = loadNdjson(
      'items',
      'items.ndjson',
      (function* () {
        for (const [, item] of items()) yield item;
      })(),
    );
    console.log(
      `${count} items from ${process.env.SCM_STAC_API_URL}, ${(bytes / count / 1024).toFixed(1)} KB per item, formats ${formats}, parquet_partition ${partition}, change ${change}, pgstac context ${process.env.BENCH_PG_CONTEXT ?? context}`,
    );
    timed('full rebuild (first)', apiConfig('catalog', id), 'full');
    cpSync(join(dir, 'catalog'), join(dir, 'listed'), { recursive: true });
    timed('incremental, nothing changed (server filter)', apiConfig('catalog', id), 'incremental');
    printStrategy('catalog');
    const changed = (function* () {
      for (const [i, item] of items()) {
        if (!isChanged(i)) continue;
        const properties = {
          ...item.properties,
          'eo:cloud_cover': 42.5,
          updated: '2025-06-01T00:00:00.000Z',
        };
        yield { ...item, properties };
      }
    })();
    loadNdjson('items', 'changed.ndjson', changed);
    const filtered = countRewrites('catalog', () =>
      timed('incremental, 1% changed (server filter)', apiConfig('catalog', id), 'incremental'),
    );
    printStrategy('catalog');
    countRewrites('listed', () =>
      timed(
        'incremental, 1% changed (listing)',
        apiConfig('listed', id, 'incremental: { strategy: listing }\n'),
        'incremental',
      ),
    );
    ratio(filtered, timed('full rebuild of the same changed input', apiConfig('fresh', id), 'full'));
  } finally {
    pgstac(DROP, id);
    if (process.env.BENCH_PG_CONTEXT) pgstac(CONTEXT, context);
  }
}

if (process.env.BENCH_SOURCE === 'stac_api') await stacApi();
else localFiles();
rmSync(dir, { recursive: true, force: true });
