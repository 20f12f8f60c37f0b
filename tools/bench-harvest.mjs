#!/usr/bin/env node
// Harvest benchmark (a script, not a test): `stac-catalog-manager fetch-items` next to pystac-client
// (`items_as_dicts`) and `rustac search`, against the fake STAC API of @scm/testing playing CMR-STAC
// (100 items per page, ~1 s per page, 10 requests/s allowed) and, with --real-url, against a real server
// (tools/stac-server/start.sh). Each client runs as its own process under /usr/bin/time -v for its peak RSS.
//
//   npm run bench:harvest -- --items 20000 [--peers pystac,rustac] [--real-url http://127.0.0.1:8082 --real-collection X]
//
// The real server defaults to SCM_STAC_API_URL and tools/stac-server's synthetic HLS collection, capped at
// --real-items per client (every client stops there), and its rows add the uvicorn workers' CPU seconds:
// the server shares the machine's cores with the client.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    'latency-ms': { type: 'string', default: '1000' },
    page: { type: 'string', default: '100' },
    rate: { type: 'string', default: '10' },
    // 12, not 10: with 10 requests in flight, 10 a second and 1 s a page both limits are the same, and the few ms
    // a page costs besides its latency lower the rate below both; two more slots leave the rate limiter in charge.
    concurrency: { type: 'string', default: '12' },
    peers: { type: 'string', default: 'pystac,rustac' },
    python: {
      type: 'string',
      default: process.env.SCM_PYTHON_VENV
        ? `${process.env.SCM_PYTHON_VENV}/bin/python`
        : '/work/main/.venv/bin/python',
    },
    'real-url': { type: 'string', default: process.env.SCM_STAC_API_URL },
    'real-collection': { type: 'string', default: 'HLSS30_2.0_synthetic' },
    'real-items': { type: 'string', default: '20000' },
  },
});
const venvBin = join(args.python, '..');
const count = Number(args.items);
const latencyMs = Number(args['latency-ms']);
const page = Number(args.page);
const rate = Number(args.rate);
const concurrency = Number(args.concurrency);

/** Runs a command under /usr/bin/time -v; resolves with wall seconds, peak RSS (MB), stdout and exit code. */
function timed(command, commandArgs) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...commandArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => {
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({
        seconds: (performance.now() - started) / 1000,
        rssMb: rss ? Math.round(Number(rss[1]) / 1024) : Number.NaN,
        stdout,
        stderr,
        code,
      });
    });
  });
}

/** Lines of an NDJSON file, counted as it streams by (100,000 HLS items do not fit in one string). */
async function countLines(file) {
  let lines = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines += 1;
    }
  } catch {
    return 0;
  }
  return lines;
}

/** Mean bytes of an NDJSON line (an item as the client wrote it), or NaN without a file. */
async function meanLineBytes(file) {
  const bytes = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const lines = bytes > 0 ? await countLines(file) : 0;
  return lines > 0 ? bytes / lines : Number.NaN;
}

const PYSTAC = `
import sys
from pystac_client import Client
client = Client.open(sys.argv[1])
search = client.search(collections=[sys.argv[2]], limit=int(sys.argv[3]), max_items=int(sys.argv[4]) or None)
ids = set()
for item in search.items_as_dicts():
    ids.add(item["id"])
print(len(ids))
`;

/** Items each client stops at (0: all); set for the real server, whose collection may hold 100K. */
let maxItems = 0;
const maxItemsArgs = (flag) => (maxItems > 0 ? [flag, String(maxItems)] : []);

/** The three clients, each returning { items, seconds, rssMb }. */
const clients = {
  async ours(url, collection, dir) {
    const out = join(dir, 'ours.ndjson');
    const run = await timed(process.execPath, [
      join(root, 'packages/cli/dist/bin.js'),
      'fetch-items',
      '--catalog-url',
      url,
      '--collection-id',
      collection,
      '--output-path',
      out,
      '--output-format',
      'ndjson',
      '--concurrency',
      String(concurrency),
      '--rate-limit',
      String(rate),
      '--limit',
      String(page),
      '--quiet',
      ...maxItemsArgs('--max-items'),
    ]);
    if (run.code !== 0) console.error(run.stderr.slice(-2000));
    return { ...run, items: await countLines(out), itemBytes: await meanLineBytes(out) };
  },
  async pystac(url, collection) {
    const run = await timed(args.python, ['-c', PYSTAC, url, collection, String(page), String(maxItems)]);
    if (run.code !== 0) console.error(run.stderr.slice(-2000));
    return { ...run, items: Number(run.stdout.trim()) };
  },
  async rustac(url, collection, dir) {
    const out = join(dir, 'rustac.ndjson');
    const run = await timed(join(venvBin, 'rustac'), [
      'search',
      url,
      out,
      '--collections',
      collection,
      '--limit',
      String(page),
      '-o',
      'ndjson',
      ...maxItemsArgs('-n'),
    ]);
    if (run.code !== 0) console.error(run.stderr.slice(-2000));
    return { ...run, items: await countLines(out) };
  },
};

/**
 * CPU seconds (user + system) a process and its live children have used so far, from /proc (uvicorn with
 * `SCM_STAC_WORKERS` above 1 serves from child processes); NaN when unknown.
 */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / 100;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return children.reduce((sum, child) => sum + cpuSeconds(child), own);
  } catch {
    return Number.NaN;
  }
}

/** Runs every client against one server; `requests()` counts the server's requests when it can. */
async function benchServer(label, url, collection, requests, serverPid) {
  const rows = [];
  for (const name of ['ours', ...args.peers.split(',').filter(Boolean)]) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-harvest-'));
    const before = requests?.() ?? 0;
    const cpuBefore = cpuSeconds(serverPid);
    const loadBefore = loadavg()[0];
    const result = await clients[name](url, collection, dir);
    const load = `${loadBefore.toFixed(1)}–${loadavg()[0].toFixed(1)}`;
    const serverCpu = cpuSeconds(serverPid) - cpuBefore;
    await rm(dir, { recursive: true, force: true });
    const itemsPerSecond = result.items / result.seconds;
    rows.push({
      server: label,
      client: name,
      ...result,
      itemsPerSecond,
      requests: requests ? requests() - before : undefined,
      serverCpu,
      load,
    });
    console.error(`${label} ${name}: ${result.items} items in ${result.seconds.toFixed(1)} s`);
  }
  return rows;
}

function table(rows, ceiling) {
  const lines = [
    '| server | client | items | wall s | items/s | requests | peak RSS MB | server CPU s | load avg (1 min, before–after) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.server} | ${r.client} | ${r.items} | ${r.seconds.toFixed(1)} | ${r.itemsPerSecond.toFixed(0)} | ${r.requests ?? '—'} | ${r.rssMb} | ${Number.isNaN(r.serverCpu) ? '—' : r.serverCpu.toFixed(1)} | ${r.load} |`,
    );
  }
  lines.push(
    '',
    `Ceiling on the fake server: min(rate × page, concurrency × page / latency) = ${ceiling.toFixed(0)} items/s.`,
  );
  for (const r of rows.filter((row) => row.itemBytes > 0)) {
    lines.push(
      `${r.server}: ${(r.itemBytes / 1000).toFixed(1)} kB per item as ${r.client} wrote it (NDJSON).`,
    );
  }
  return lines.join('\n');
}

const { startFakeStacApi } = await import(join(root, 'packages/testing/dist/index.js'));
const api = await startFakeStacApi({
  style: 'cmr-stac',
  collections: [{ id: 'HLSS30_2.0', count, start: '2022-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' }],
  latencyMs,
  pageCap: page,
});
const rows = await benchServer(
  'fake CMR-STAC',
  api.apiUrl('LPCLOUD'),
  'HLSS30_2.0',
  () => api.requests.length,
);
await api.close();
if (args['real-url'] && args['real-collection']) {
  maxItems = Number(args['real-items']);
  const port = new URL(args['real-url']).port || '80';
  const pidFile = `/tmp/scm-stac-server-${port}/pid`;
  const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
  rows.push(
    ...(await benchServer('stac-fastapi-pgstac', args['real-url'], args['real-collection'], undefined, pid)),
  );
}
const ceiling = Math.min(rate * page, (concurrency * page) / (latencyMs / 1000));
console.log(table(rows, ceiling));
