/**
 * Memory benchmark for readCsv (a script, not a test: `npm run bench`).
 *
 * Writes CSV files of 250K, 500K and 1M rows (dataset_id, collection_name,
 * acquisition_date, quoted geometry_wkt, url) to a temporary folder, then
 * reads each one in a fresh Node process and reports rows/s, peak RSS and
 * RSS sampled along the way. RSS should not grow with the row count.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFailure } from '@scm/core';
import { readCsv } from '../src/index.js';

const SIZES = [250_000, 500_000, 1_000_000];
const MB = 1024 * 1024;

interface ChildReport {
  rows: number;
  failures: number;
  seconds: number;
  maxRssMb: number;
  samplesMb: number[];
}

function row(i: number): string {
  const x = (i % 360) - 180;
  const y = (i % 170) - 85;
  const wkt = `POLYGON ((${x} ${y}, ${x + 0.5} ${y}, ${x + 0.5} ${y + 0.5}, ${x} ${y + 0.5}, ${x} ${y}))`;
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86_400_000).toISOString().slice(0, 10);
  return `ds-${String(i).padStart(8, '0')},collection-${i % 7},${day},"${wkt}",https://example.com/data/${i}.tif\n`;
}

async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write('dataset_id,collection_name,acquisition_date,geometry_wkt,url\n');
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += row(i);
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

async function child(file: string): Promise<void> {
  const started = process.hrtime.bigint();
  let rows = 0;
  let failures = 0;
  const samplesMb: number[] = [];
  for await (const item of readCsv(file)) {
    if (isFailure(item)) failures += 1;
    else rows += 1;
    if (rows % 125_000 === 0) samplesMb.push(Math.round(process.memoryUsage.rss() / MB));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const report: ChildReport = {
    rows,
    failures,
    seconds,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    samplesMb,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'scm-input-bench-'));
  const self = fileURLToPath(import.meta.url);
  try {
    console.log(`node ${process.version}, readCsv with default options (strings, auto delimiter)\n`);
    console.log('| rows | file size | read time | rows/s | peak RSS | RSS every 125K rows |');
    console.log('| ---: | ---: | ---: | ---: | ---: | --- |');
    const runs: { size: number; nodeFlags: string[]; label: string }[] = SIZES.map((size) => ({
      size,
      nodeFlags: [],
      label: size.toLocaleString('en-US'),
    }));
    // The same 1M-row file with the V8 heap capped: it only completes if memory does not grow with rows.
    const largest = SIZES[SIZES.length - 1]!;
    runs.push({
      size: largest,
      nodeFlags: ['--max-old-space-size=32'],
      label: `${largest.toLocaleString('en-US')}, heap capped at 32 MB`,
    });
    for (const run of runs) {
      const file = join(dir, `rows-${run.size}.csv`);
      if (!(await stat(file).catch(() => undefined))) await writeCsv(file, run.size);
      const { size: bytes } = await stat(file);
      const result = spawnSync(process.execPath, [...run.nodeFlags, self, '--child', file], {
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
      const report = JSON.parse(result.stdout.trim()) as ChildReport;
      if (report.rows !== run.size || report.failures !== 0)
        throw new Error(`unexpected result ${result.stdout}`);
      console.log(
        `| ${run.label} | ${(bytes / MB).toFixed(1)} MB | ${report.seconds.toFixed(2)} s | ` +
          `${Math.round(report.rows / report.seconds).toLocaleString('en-US')} | ${report.maxRssMb} MB | ` +
          `${report.samplesMb.join(', ')} MB |`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else await main();
