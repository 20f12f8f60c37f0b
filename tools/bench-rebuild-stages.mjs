#!/usr/bin/env node
// Benchmark (not a test): the stages of bench:rebuild's rebuild-catalog run, each timed on its own, in one
// process over the same NDJSON file, so the slowest stage is visible. Run by tools/bench-rebuild.mjs;
// by hand: node tools/bench-rebuild-stages.mjs <items.ndjson> <work dir>
// Stages: read (NDJSON lines parsed into objects), extend (dgeo + alternate-assets), validate (one thread,
// then the worker pool on the same items as JSON texts), NDJSON out (pgstac-ready), stac-geoparquet out (from
// that NDJSON, as rebuild-catalog does). Times are wall-clock seconds on a shared machine.
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isFailure } from '@scm/core';
import { applyExtensions, loadExtensions } from '@scm/extensions';
import { openSource } from '@scm/input';
import { createNdjsonWriter, readNdjsonDir } from '@scm/output-json';
import { openCollectionsParquet } from '@scm/output-parquet';
import { createValidator, createValidatorPool } from '@scm/validate';
import { builtinExtensions } from '@scm/workflow';

const [input, work] = process.argv.slice(2);
rmSync(work, { recursive: true, force: true });
const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const loaded = await loadExtensions({
  builtins: builtinExtensions(),
  extensions: [
    { name: 'dgeo', config: { variant: 'pgstac-variant', cids: [CID] } },
    {
      name: 'alternate-assets',
      config: {
        version: '1.2.0',
        alternates: [
          {
            key: 's3',
            name: 'S3',
            prefix: 'https://data.lpdaac.earthdatacloud.nasa.gov/',
            replace_prefix: 's3://',
          },
        ],
      },
    },
  ],
});
const validator = createValidator({ level: 'strict', extensions: builtinExtensions() });
const ndjson = createNdjsonWriter({ root: join(work, 'ndjson') });
const time = { read: 0, extend: 0, validate: 0, ndjson: 0 };
let count = 0;
let invalid = 0;
const started = performance.now();
let mark = started;
for await (const entry of openSource({ paths: [input], format: 'ndjson' }).records()) {
  let now = performance.now();
  time.read += now - mark;
  mark = now;
  if (isFailure(entry)) continue;
  count += 1;
  const extended = applyExtensions(entry.value, loaded);
  now = performance.now();
  time.extend += now - mark;
  mark = now;
  if (!extended.ok) continue;
  if (!validator.validate(extended.value).valid) invalid += 1;
  now = performance.now();
  time.validate += now - mark;
  mark = now;
  await ndjson.writeItem(extended.value);
  now = performance.now();
  time.ndjson += now - mark;
  mark = now;
}
await ndjson.finish();
time.ndjson += performance.now() - mark;

// The worker pool on the NDJSON just written (its items carry the extensions), as texts in batches.
// The pool's workers import the built-in extensions as rebuild-catalog's do (see @scm/workflow's batch-validator).
const builtins = new URL('../packages/workflow/dist/worker-extensions.js', import.meta.url).href;
const pool = createValidatorPool({ level: 'strict', workers: 1, extensionModules: [builtins] });
const poolStart = performance.now();
let batch = [];
let poolInvalid = 0;
const flush = async () => {
  for (const report of await pool.validateBatch(batch)) if (!report.valid) poolInvalid += 1;
  batch = [];
};
for await (const line of readLines(join(work, 'ndjson'))) {
  batch.push(line);
  if (batch.length === 2000) await flush();
}
if (batch.length > 0) await flush();
const poolSeconds = (performance.now() - poolStart) / 1000;
await pool.close();

const parquetStart = performance.now();
const collections = [];
// As rebuild-catalog does it: each item observed as it comes (here read back from the NDJSON), then the rows
// read from the NDJSON files again (pass two).
const rows = await openCollectionsParquet({
  root: join(work, 'parquet'),
  uncollected: 'items',
  replay: true,
});
for await (const entry of readNdjsonDir(join(work, 'ndjson'))) {
  if (isFailure(entry)) continue;
  if (entry.kind === 'collection') collections.push(entry.value);
  else await rows.add(entry.value, entry.text, { file: join(work, 'ndjson', entry.path), line: entry.line });
}
await rows.finish(collections);
const parquetSeconds = (performance.now() - parquetStart) / 1000;

async function* readLines(dir) {
  const { createReadStream, readdirSync } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  for (const sub of readdirSync(dir, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    const lines = createInterface({ input: createReadStream(join(dir, sub.name, 'items.ndjson')) });
    for await (const line of lines) if (line) yield line;
  }
}

const s = (ms) => ms / 1000;
const rate = (seconds) => Math.round(count / seconds).toLocaleString('en');
console.log(
  `stages alone, ${count} items (${invalid} invalid one thread, ${poolInvalid} pooled), load ${loadavg()[0].toFixed(2)}:`,
);
console.log('| stage | wall | items/s |');
console.log('| --- | ---: | ---: |');
for (const [name, ms] of Object.entries(time))
  console.log(`| ${name} | ${s(ms).toFixed(1)} s | ${rate(s(ms))} |`);
console.log(
  `| validate, pool of ${pool.size} worker thread(s), NDJSON lines (parse included) | ${poolSeconds.toFixed(1)} s | ${rate(poolSeconds)} |`,
);
console.log(
  `| stac-geoparquet from the NDJSON (read back and observed, then rows from the files) | ${parquetSeconds.toFixed(1)} s | ${rate(parquetSeconds)} |`,
);
// The stages one after another, validation on the pool (as rebuild-catalog validates): what a run of this
// design costs an item with nothing wasted between stages, and so the best wall time on this machine's cores.
const perItemMs =
  ((time.read + time.extend + time.ndjson) / 1000 + poolSeconds + parquetSeconds) * (1000 / count);
const cores = availableParallelism();
console.log(
  `\nthe stages in a row: ${perItemMs.toFixed(2)} ms an item; spread evenly over ${cores} cores, 800,000 items would take ${Math.round((perItemMs * 800) / cores)} s at best`,
);
rmSync(work, { recursive: true, force: true });
