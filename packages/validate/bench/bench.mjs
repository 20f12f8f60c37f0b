#!/usr/bin/env node
/**
 * Benchmark (not a test): `npm run bench` builds the package and runs this against dist/.
 *
 * 1. 100,000 generated Sentinel-2 / HLS-like Items (core + eo + projection, ~3.7 KB of JSON each), validated
 *    on the main thread, in chunks of 5,000 generated ahead of the clock so memory stays bounded.
 * 2. The same items as JSON text through the worker pool (os.availableParallelism() threads).
 * 3. The Python stac-validator on the first 2,000 items (one `validate --item-collection` process), when
 *    installed (env SCM_PYTHON_VENV, default <repo>/.venv).
 *
 * Options: --items <n> (default 100000), --python-items <n> (default 2000), --workers <n>.
 * Prints items/s (wall clock and per CPU-second) and peak RSS, then a Markdown table for the README.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createValidator, createValidatorPool, runStacValidator } from '../dist/index.js';
import { makeItem } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at !== -1 ? Number(process.argv[at + 1]) : fallback;
};
const TOTAL = arg('--items', 100_000);
const PYTHON_ITEMS = arg('--python-items', 2_000);
const WORKERS = arg('--workers', availableParallelism());
const CHUNK = 5_000;

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSeconds = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const rate = (n, seconds) => Math.round(n / seconds);
const results = [];

function chunkOf(start, size, asText) {
  const out = new Array(Math.min(size, TOTAL - start));
  for (let i = 0; i < out.length; i++) {
    const item = makeItem(start + i);
    out[i] = asText ? JSON.stringify(item) : item;
  }
  return out;
}

console.log(
  `node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown'}), ` +
    `load average ${(await import('node:os'))
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
);
console.log(`item size: ${JSON.stringify(makeItem(0)).length} bytes of JSON\n`);

// ---------------------------------------------------------------- 1. single thread
{
  const validator = createValidator();
  validator.validate(makeItem(TOTAL + 1)); // compile the schemas outside the clock
  let wall = 0;
  let cpu = 0;
  let invalid = 0;
  for (let start = 0; start < TOTAL; start += CHUNK) {
    const items = chunkOf(start, CHUNK, false);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const item of items) if (!validator.validate(item).valid) invalid++;
    wall += (performance.now() - t0) / 1000;
    cpu += cpuSeconds(c0);
  }
  const row = {
    mode: 'single thread, objects',
    items: TOTAL,
    seconds: wall,
    wallRate: rate(TOTAL, wall),
    cpuRate: rate(TOTAL, cpu),
    invalid,
    rss: peakRssMb(),
  };
  results.push(row);
  console.log(row);
}

// ---------------------------------------------------------------- 2. worker pool
{
  const pool = createValidatorPool({ workers: WORKERS });
  await pool.validateBatch([JSON.stringify(makeItem(TOTAL + 1))]); // start the workers and compile
  pool.resetDuplicateIds();
  let wall = 0;
  let invalid = 0;
  for (let start = 0; start < TOTAL; start += CHUNK) {
    const texts = chunkOf(start, CHUNK, true);
    const t0 = performance.now();
    const reports = await pool.validateBatch(texts);
    wall += (performance.now() - t0) / 1000;
    for (const report of reports) if (!report.valid) invalid++;
  }
  await pool.close();
  const row = {
    mode: `worker pool (${WORKERS} threads), JSON text`,
    items: TOTAL,
    seconds: wall,
    wallRate: rate(TOTAL, wall),
    cpuRate: undefined,
    invalid,
    rss: peakRssMb(),
  };
  results.push(row);
  console.log(row);
}

// ---------------------------------------------------------------- 3. Python stac-validator
{
  const venv = process.env.SCM_PYTHON_VENV || join(here, '../../../.venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(join(venv, 'bin', 'stac-validator'))) {
    console.log(`\nPython stac-validator: skipped (not found in ${venv})`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'scm-bench-'));
    try {
      const file = join(dir, 'items.json');
      const features = [];
      for (let i = 0; i < PYTHON_ITEMS; i++) features.push(makeItem(i));
      writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
      const t0 = performance.now();
      const reports = await runStacValidator([file], { python, itemCollection: true });
      const wall = (performance.now() - t0) / 1000;
      const row = {
        mode: 'Python stac-validator (1 process, --item-collection)',
        items: reports.length,
        seconds: wall,
        wallRate: rate(reports.length, wall),
        cpuRate: undefined,
        invalid: reports.filter((r) => !r.valid).length,
        rss: undefined,
      };
      results.push(row);
      console.log(row);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

console.log('\n| run | items | seconds | items/s (wall) | items/CPU-second | invalid | peak RSS |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(
    `| ${r.mode} | ${r.items.toLocaleString('en')} | ${r.seconds.toFixed(1)} | ${r.wallRate.toLocaleString('en')} | ` +
      `${r.cpuRate === undefined ? '–' : r.cpuRate.toLocaleString('en')} | ${r.invalid} | ${r.rss === undefined ? '–' : `${r.rss} MB`} |`,
  );
}
