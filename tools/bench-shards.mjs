#!/usr/bin/env node
// Sharded rebuild benchmark (a script, not a test): `rebuild-catalog` as one process, next to the same
// rebuild cut into N shards run at once (as a Kubernetes Indexed Job would start them:
// JOB_COMPLETION_INDEX=0..N-1 with --shard-count N) followed by `merge-shards`, against a real STAC API
// (tools/stac-server/, SCM_STAC_API_URL). Each process runs under /usr/bin/time -v for its peak RSS.
//
//   npm run bench:shards -- [--shards 2,4] [--start 2016-01-01 --end 2023-12-31] [--rate-limit 0]
//
// The config writes JSON, NDJSON and stac-geoparquet, like a production rebuild. The figures are printed
// as a Markdown table with the item count, the mean item size and the load average before and after.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'packages/cli/dist/bin.js');
const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.SCM_STAC_API_URL ?? 'http://127.0.0.1:8089' },
    collection: { type: 'string', default: 'HLSS30_2.0_synthetic' },
    shards: { type: 'string', default: '2,4' },
    start: { type: 'string', default: '2016-01-01' },
    end: { type: 'string', default: '2023-12-31' },
    // Requests in flight for the whole rebuild: each of N shards gets this divided by N (at least 1).
    concurrency: { type: 'string', default: '4' },
    // Items per page (source.limit); the server's default page of 1,000 HLS items is 12.5 MB.
    limit: { type: 'string', default: '250' },
    // Requests per second for the whole rebuild (0: none); each shard gets this divided by N.
    'rate-limit': { type: 'string', default: '0' },
  },
});

/** Runs the CLI under /usr/bin/time -v; resolves with wall seconds, peak RSS (MB) and the exit code. */
function timed(cliArgs, cwd, env = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, bin, ...cliArgs, '--quiet'], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      if (code !== 0) console.error(stderr.slice(-2000));
      resolve({
        seconds: (performance.now() - started) / 1000,
        rssMb: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN,
        code,
      });
    });
  });
}

async function writeConfig(dir, name, rateLimit, concurrency) {
  const lines = [
    `workflow: { name: ${name} }`,
    'source:',
    '  type: stac_api',
    `  catalog_url: ${args.url}`,
    `  collections: [${args.collection}]`,
    `  limit: ${args.limit}`,
    `  filters: { temporal: { start_date: "${args.start}", end_date: "${args.end}" } }`,
    `output: { format: [json, ndjson, parquet], path: ${name} }`,
    `processing: { concurrency: ${concurrency}${rateLimit > 0 ? `, rate_limit: ${rateLimit}` : ''} }`,
  ];
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Items and mean item bytes of a catalog's NDJSON. */
async function catalogItems(dir) {
  const text = await readFile(join(dir, 'ndjson', args.collection, 'items.ndjson'), 'utf8').catch(() => '');
  const lines = text.split('\n').filter(Boolean);
  return { items: lines.length, itemBytes: Math.round(Buffer.byteLength(text) / Math.max(1, lines.length)) };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const rate = Number(args['rate-limit']);
const dir = await mkdtemp(join(tmpdir(), 'scm-bench-shards-'));
const rows = [];
const loadBefore = load();

const single = await timed(
  ['rebuild-catalog', '--config', await writeConfig(dir, 'single', rate, Number(args.concurrency))],
  dir,
);
const counted = await catalogItems(join(dir, 'single'));
rows.push({
  label: '1 process (no shards)',
  wall: single.seconds,
  shards: single.seconds,
  merge: 0,
  rss: single.rssMb,
  ...counted,
});

for (const n of args.shards.split(',').map(Number)) {
  const name = `sharded-${n}`;
  const config = await writeConfig(
    dir,
    name,
    rate > 0 ? rate / n : 0,
    Math.max(1, Math.round(Number(args.concurrency) / n)),
  );
  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: n }, (_, k) =>
      timed(['rebuild-catalog', '--config', config, '--shard-count', String(n)], dir, {
        JOB_COMPLETION_INDEX: String(k),
      }),
    ),
  );
  const shardSeconds = (performance.now() - started) / 1000;
  const merge = await timed(['merge-shards', '--output-path', name], dir);
  const failed = [...runs, merge].some((r) => r.code !== 0);
  rows.push({
    label: `${n} shards + merge${failed ? ' (FAILED)' : ''}`,
    wall: shardSeconds + merge.seconds,
    shards: shardSeconds,
    merge: merge.seconds,
    rss: Math.max(...runs.map((r) => r.rssMb)),
    mergeRss: merge.rssMb,
    ...(await catalogItems(join(dir, name))),
  });
}

console.log(
  `\n${args.collection} ${args.start}/${args.end} from ${args.url}; ${args.limit} items a page; concurrency ${args.concurrency} in all, divided among the shards; rate limit ${rate > 0 ? `${rate} req/s in all` : 'none'}`,
);
console.log(
  `load average (1, 5, 15 min) before: ${loadBefore}, after: ${load()}; ${(await import('node:os')).cpus().length} CPUs\n`,
);
console.log(
  '| run | items | mean item (bytes) | wall (s) | shards phase (s) | merge (s) | items/s | peak RSS per shard (MB) | merge RSS (MB) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.label} | ${r.items} | ${r.itemBytes} | ${r.wall.toFixed(1)} | ${r.shards.toFixed(1)} | ${r.merge.toFixed(1)} | ${Math.round(r.items / r.wall)} | ${r.rss} | ${r.mergeRss ?? ''} |`,
  );
}
