/**
 * Scaffolding throughput: 1M synthetic records (a 5-vertex polygon as WKT, a
 * datetime string, 3 custom fields, 1 asset), through scaffoldItem in a loop
 * and through the scaffoldItems stream. Prints records/s and peak RSS.
 *
 *   npm run bench            (in packages/scaffold)
 *   BENCH_RECORDS=200000 npm run bench
 */
import type { SourceRecord } from '@scm/core';
import { scaffoldItem, scaffoldItems } from '../src/index.js';

const TOTAL = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const POOL = 4096;

/** Distinct WKT strings, made once so the timing covers scaffolding only. */
const wkts: string[] = [];
for (let i = 0; i < POOL; i++) {
  const x = -170 + ((i * 7.3) % 340) + 0.123456;
  const y = -80 + ((i * 3.1) % 160) + 0.654321;
  const d = 0.25 + (i % 10) * 0.01;
  wkts.push(
    `POLYGON((${x.toFixed(6)} ${y.toFixed(6)}, ${(x + d).toFixed(6)} ${y.toFixed(6)}, ${(x + d).toFixed(6)} ${(y + d).toFixed(6)}, ${x.toFixed(6)} ${(y + d).toFixed(6)}, ${x.toFixed(6)} ${y.toFixed(6)}))`,
  );
}
const datetimes: string[] = [];
for (let i = 0; i < POOL; i++)
  datetimes.push(new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString().replace('.000Z', 'Z'));

function record(i: number): Record<string, unknown> {
  const k = i % POOL;
  return {
    id: `scene-${i}`,
    collection: 'bench',
    geometry: wkts[k],
    properties: { datetime: datetimes[k], cloud_cover: k % 100, platform: 'sat-1', orbit: i },
    assets: { data: { href: `https://example.com/data/scene-${i}.tif`, type: 'image/tiff' } },
  };
}

let peakRss = 0;
const sampleRss = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
  return rss;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Run {
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds of this process (user + system), which other load on the machine does not inflate. */
  cpu: number;
  ok: number;
  rss: number[];
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

function loop(total: number): Run {
  const rss: number[] = [];
  let ok = 0;
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    const result = scaffoldItem(record(i));
    if (result.ok) ok++;
    if (i % 100_000 === 0) rss.push(sampleRss());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, cpu: cpuSeconds(cpuStart), ok, rss };
}

async function stream(total: number): Promise<Run> {
  async function* source(): AsyncGenerator<SourceRecord> {
    for (let i = 0; i < total; i++) yield { value: record(i), origin: { file: 'bench', line: i + 2 } };
  }
  const rss: number[] = [];
  let ok = 0;
  let n = 0;
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  for await (const out of scaffoldItems(source())) {
    if ('value' in out) ok++;
    if (n++ % 100_000 === 0) rss.push(sampleRss());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, cpu: cpuSeconds(cpuStart), ok, rss };
}

function report(name: string, run: Run): void {
  const rate = (seconds: number) => Math.round(TOTAL / seconds).toLocaleString('en');
  console.log(
    `${name}: ${TOTAL.toLocaleString('en')} records (${run.ok.toLocaleString('en')} ok) in ${run.seconds.toFixed(2)} s wall,` +
      ` ${run.cpu.toFixed(2)} s CPU = ${rate(run.seconds)} records/s wall, ${rate(run.cpu)} records per CPU-second;` +
      ` RSS every 100k: ${run.rss.map(mb).join(', ')}`,
  );
}

/** Footprints with many vertices (a wavy circle, not convex), to show the large-polygon path. */
function largeRecords(count: number, vertices: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const ring: string[] = [];
    for (let i = 0; i < vertices; i++) {
      const angle = (i / vertices) * 2 * Math.PI;
      const radius = 1 + 0.05 * Math.sin(angle * 25 + k);
      ring.push(
        `${(10 + radius * Math.cos(angle)).toFixed(6)} ${(45 + radius * Math.sin(angle)).toFixed(6)}`,
      );
    }
    ring.push(ring[0]!);
    out.push({
      id: `large-${k}`,
      geometry: `POLYGON((${ring.join(', ')}))`,
      properties: { datetime: datetimes[0] },
    });
  }
  return out;
}

console.log(`node ${process.version}, ${TOTAL.toLocaleString('en')} records, sample: ${wkts[0]}`);
scaffoldItem(record(0)); // warm the caches of the modules
loop(50_000);
report('scaffoldItem loop', loop(TOTAL));
report('scaffoldItems stream', await stream(TOTAL));
for (const vertices of [100, 1000]) {
  const count = vertices === 100 ? 20_000 : 2_000;
  const records = largeRecords(count, vertices);
  const cpuStart = process.cpuUsage();
  let ok = 0;
  for (const r of records) if (scaffoldItem(r).ok) ok++;
  const cpu = cpuSeconds(cpuStart);
  console.log(
    `${vertices}-vertex polygons: ${count.toLocaleString('en')} records (${ok.toLocaleString('en')} ok), ` +
      `${Math.round(count / cpu).toLocaleString('en')} records per CPU-second`,
  );
}
console.log(`peak RSS: ${mb(peakRss)}`);
