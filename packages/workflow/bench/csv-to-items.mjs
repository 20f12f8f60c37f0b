// Benchmark (not a test): CSV rows read, mapped and scaffolded into STAC
// Items, the scaffold-items path without writing. Each size runs in its own
// child process so its peak RSS is its own.
//   npm run bench            (sizes 250000,500000,1000000)
//   BENCH_ROWS=100000 npm run bench
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

if (process.argv[2] === 'child') {
  const [, , , csv, mappingFile] = process.argv;
  const { openSource } = await import('@scm/input');
  const { loadMapping, applyMapping } = await import('@scm/transform');
  const { scaffoldItem } = await import('@scm/scaffold');
  const { MAPPING_READERS } = await import('@scm/workflow');
  const mapping = await loadMapping(mappingFile, MAPPING_READERS);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let items = 0;
  let failed = 0;
  for await (const entry of openSource({ path: csv, format: 'csv' }).records()) {
    if (!('value' in entry)) {
      failed += 1;
      continue;
    }
    const mapped = applyMapping(entry.value, mapping, entry.origin);
    if (!mapped.ok) {
      failed += 1;
      continue;
    }
    const result = scaffoldItem(mapped.value, {}, entry.origin);
    if (result.ok) items += 1;
    else failed += 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ items, failed, seconds, cpuSeconds, rssMb }));
  process.exit(0);
}

const sizes = (process.env.BENCH_ROWS ?? '250000,500000,1000000').split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'scm-bench-csv-'));
const mappingFile = join(dir, 'mapping.yaml');
writeFileSync(
  mappingFile,
  `id_template: "{collection_name}-{dataset_id}"
passthrough: [notes]
mappings:
  - { source_field: collection_name, target_field: collection }
  - source_field: acquisition_date
    target_field: properties.datetime
    transform: { type: datetime, formats: [iso, "DD/MM/YYYY HH:mm"] }
  - { source_field: geometry_wkt, target_field: geometry, transform: wkt_geometry }
  - { source_field: url, target_field: assets.data.href }
  - { target_field: assets.data.roles, constant: [data] }
  - { source_field: cloud_cover, target_field: properties.cloud_cover, transform: number }
`,
);

async function makeCsv(rows, file) {
  const out = createWriteStream(file);
  out.write('dataset_id,collection_name,acquisition_date,geometry_wkt,url,cloud_cover,notes\n');
  for (let i = 0; i < rows; i++) {
    const x = -120 + (i % 2400) / 20;
    const y = -60 + (Math.floor(i / 2400) % 2400) / 20;
    const date =
      i % 2 === 0
        ? `2024-0${1 + (i % 9)}-1${i % 10}T10:${String(i % 60).padStart(2, '0')}:00Z`
        : `1${i % 10}/0${1 + (i % 9)}/2024 08:15`;
    const line = `DS${i},campaign-${i % 7},${date},"POLYGON((${x} ${y}, ${x + 0.04} ${y}, ${x + 0.04} ${y + 0.04}, ${x} ${y + 0.04}, ${x} ${y}))",https://data.example.com/${i}.tif,${(i % 1000) / 10},"note ${i}, plain"\n`;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

const results = [];
for (const rows of sizes) {
  const csv = join(dir, `rows-${rows}.csv`);
  await makeCsv(rows, csv);
  const child = spawnSync(process.execPath, [join(here, 'csv-to-items.mjs'), 'child', csv, mappingFile], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(child.stderr);
  const r = JSON.parse(child.stdout);
  results.push({ rows, ...r });
  console.log(
    `${String(rows).padStart(8)} rows: ${Math.round(r.items / r.seconds)} rows/s wall, ${Math.round(r.items / r.cpuSeconds)} rows per CPU-second, peak RSS ${Math.round(r.rssMb)} MB (${r.items} items, ${r.failed} failed)`,
  );
  rmSync(csv);
}
rmSync(dir, { recursive: true, force: true });
const node = execFileSync(process.execPath, ['--version'], { encoding: 'utf8' }).trim();
console.log(`node ${node}, ${results.length} sizes`);
