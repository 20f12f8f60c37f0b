#!/usr/bin/env node
// Benchmark (not a test): the run report of a whole rebuild-catalog run on N generated items (copies
// of the quickstart's NAIP items, moved over the land masses so the map sample is spread, 1 % with a
// broken datetime so the failures section is full). Prints report.html's size, the time to make it
// again with `report --input`, and the time to open it in headless Chromium (load event, then the map
// drawn). No peer tool makes such a report, so there is no side-by-side figure. Needs a build first.
//   npm run bench:report            (100000 items)
//   BENCH_ITEMS=20000 npm run bench:report
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const count = Number(process.env.BENCH_ITEMS ?? 100_000);
const chromiumPath = process.env.SCM_CHROMIUM ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'scm-bench-report-'));
const naip = readFileSync(join(root, 'examples/quickstart/data/items.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .filter((i) => i.collection === 'naip');
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const moved = (item, n) => {
  // A deterministic spread: 60 longitude steps by 20 latitude steps between 50°S and 65°N.
  const dx = ((n * 7) % 60) * 6 - 175 - item.bbox[0];
  const dy = ((n * 13) % 20) * 5.75 - 50 - item.bbox[1];
  const shift = (ring) => ring.map(([x, y]) => [x + dx, y + dy]);
  const geometry = { type: 'Polygon', coordinates: item.geometry.coordinates.map(shift) };
  const bbox = [item.bbox[0] + dx, item.bbox[1] + dy, item.bbox[2] + dx, item.bbox[3] + dy];
  const properties = n % 100 === 0 ? { ...item.properties, datetime: 'not a date' } : item.properties;
  return { ...item, id: `${item.id}-${n}`, geometry, bbox, properties };
};

const out = createWriteStream(join(dir, 'items.ndjson'));
for (let n = 0; n < count; n++) {
  const line = `${JSON.stringify(moved(naip[n % naip.length], n))}\n`;
  if (!out.write(line)) await new Promise((r) => out.once('drain', r));
}
await new Promise((r) => out.end(r));
const itemBytes = Math.round(statSync(join(dir, 'items.ndjson')).size / count);
writeFileSync(
  join(dir, 'config.yaml'),
  'workflow: { name: bench }\nsource: { type: local_files, paths: [items.ndjson] }\noutput: { format: [ndjson], path: out }\n',
);
const cli = (args) => {
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args, '--quiet'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(run.stderr);
  return (performance.now() - started) / 1000;
};
const loadBefore = load();
const rebuildS = cli(['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full']);
const report = join(dir, 'out/report.html');
const bytes = statSync(report).size;
const remakeS = cli(['report', '--input', 'out']);

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
const opens = [];
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage();
  const started = performance.now();
  await page.goto(`file://${report}`, { waitUntil: 'load' });
  await page.waitForSelector('#map[data-footprints]');
  opens.push((performance.now() - started) / 1000);
  await page.close();
}
await browser.close();
const summary = JSON.parse(readFileSync(join(dir, 'out/summary.json'), 'utf8'));
console.log(
  JSON.stringify(
    {
      items: count,
      item_bytes: itemBytes,
      processed: summary.processed,
      failed: summary.failed,
      rebuild_s: Number(rebuildS.toFixed(1)),
      report_bytes: bytes,
      report_mb: Number((bytes / 1e6).toFixed(2)),
      remake_report_s: Number(remakeS.toFixed(2)),
      open_s: opens.map((s) => Number(s.toFixed(2))),
      load_before: loadBefore,
      load_after: load(),
      dir,
    },
    null,
    2,
  ),
);
