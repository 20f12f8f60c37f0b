// Benchmark: NDJSON → stac-geoparquet with @scm/output-parquet, the Python stac-geoparquet package and rustac,
// side by side on the same HLS-shaped items, then each file read back with @scm/output-parquet (readGeoParquet →
// NDJSON). Not a test. Run with `npm run bench:read` (builds first).
// Settings (environment):
//   BENCH_ITEMS      HLS-shaped items to generate (default 100000; ~13 KB and 40 assets each, see hls.mjs)
//   BENCH_DIR        working folder (default: a new folder in the OS temp dir, removed afterwards)
//   BENCH_KEEP=1     keep the working folder
//   BENCH_WRITERS    comma list of writers (default: ours,stac-geoparquet,rustac)
//   BENCH_BATCH      rowsPerBatch of the reader (default: the reader's default)
//   SCM_PYTHON_VENV  Python venv with stac-geoparquet and rustac (default <repo>/.venv)
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHls } from './hls.mjs';
import { codecOf, run } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const items = Number(process.env.BENCH_ITEMS ?? 100_000);
const keep = process.env.BENCH_KEEP === '1';
const batch = process.env.BENCH_BATCH;
const venv = process.env.SCM_PYTHON_VENV ? resolve(process.env.SCM_PYTHON_VENV) : join(repo, '.venv');
const wanted = new Set((process.env.BENCH_WRITERS ?? 'ours,stac-geoparquet,rustac').split(','));
const dir = process.env.BENCH_DIR
  ? resolve(process.env.BENCH_DIR)
  : mkdtempSync(join(tmpdir(), 'scm-parquet-read-'));
mkdirSync(dir, { recursive: true });
const input = join(dir, 'items.ndjson');
const out = (name) => join(dir, `${name}.parquet`);

const writers = [
  { name: 'ours', cmd: () => [process.execPath, [join(here, 'convert-ours.mjs'), input, out('ours')]] },
  {
    name: 'stac-geoparquet',
    cmd: () => [
      join(venv, 'bin', 'python'),
      [
        '-c',
        'import sys\nfrom stac_geoparquet.arrow import parse_stac_ndjson_to_parquet\nparse_stac_ndjson_to_parquet(sys.argv[1], sys.argv[2])',
        input,
        out('stac-geoparquet'),
      ],
    ],
  },
  { name: 'rustac', cmd: () => [join(venv, 'bin', 'rustac'), ['translate', input, out('rustac')]] },
];

const load = () => loadavg()[0].toFixed(1);

console.log(`generating ${items} HLS-shaped items in ${input} …`);
const bytes = await generateHls(input, items);
console.log(`  ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / items).toFixed(0)} bytes/item`);

const rows = [];
for (const writer of writers) {
  if (!wanted.has(writer.name)) continue;
  const [cmd, args] = writer.cmd();
  if (!existsSync(cmd)) {
    console.log(`${writer.name}: skipped (${cmd} not found)`);
    continue;
  }
  console.log(`${writer.name}: writing …`);
  const writeLoad = load();
  const written = await run(cmd, args);
  const write = {
    seconds: written.seconds,
    cpuSeconds: written.user + written.sys,
    peakRssMb: written.peakMb,
    load: `${writeLoad}–${load()}`,
  };
  if (written.code !== 0) {
    console.log(`  failed: ${written.stderr.split('\n').slice(-4).join(' ')}`);
    continue;
  }
  const file = { ...(await codecOf(out(writer.name))), bytes: statSync(out(writer.name)).size };
  console.log(`  ${JSON.stringify(file)}; reading with ours …`);
  const loadBefore = load();
  const readArgs = [join(here, 'read-ours.mjs'), out(writer.name), join(dir, `${writer.name}.ndjson`)];
  const read = await run(process.execPath, batch ? [...readArgs, batch] : readArgs);
  const entry = {
    writer: writer.name,
    write,
    rowGroups: file.rowGroups,
    fileMb: file.bytes / 1e6,
    seconds: read.seconds,
    cpuSeconds: read.user + read.sys,
    peakRssMb: read.peakMb,
    load: `${loadBefore}–${load()}`,
    status: read.code === 0 ? 'ok' : `failed: ${read.stderr.split('\n').slice(-4).join(' ').slice(0, 200)}`,
  };
  console.log(`  ${JSON.stringify(entry)}`);
  rows.push(entry);
  if (!keep) rmSync(join(dir, `${writer.name}.ndjson`), { force: true });
}

console.log(`\n${items} items, ${(bytes / items / 1000).toFixed(1)} KB each, node ${process.version}\n`);
console.log('| NDJSON → stac-geoparquet with | write wall | CPU | peak RSS | load average |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const { writer, write: w } of rows) {
  console.log(
    `| ${writer} | ${w.seconds.toFixed(1)} s | ${w.cpuSeconds.toFixed(1)} s | ${w.peakRssMb.toFixed(0)} MB | ${w.load} |`,
  );
}
console.log(
  '\n| file written by, read with ours | row groups | file | read wall | CPU | peak RSS | load average |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  console.log(
    `| ${r.writer} | ${r.rowGroups} | ${r.fileMb.toFixed(0)} MB | ${r.seconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(1)} s | ${r.peakRssMb.toFixed(0)} MB | ${r.load} |`,
  );
}
if (!keep) rmSync(dir, { recursive: true, force: true });
