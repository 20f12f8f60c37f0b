/** What the sharded-rebuild acceptance tests (local folder and S3) share: the CLI in a child process, the catalog per format. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, venvPython } from './helpers.js';

export const bin = join(repoRoot, 'packages/cli/dist/bin.js');
export const serverUrl = process.env.SCM_STAC_API_URL?.replace(/\/+$/, '');
export const BIG = process.env.SCM_STAC_BIG_COLLECTION ?? 'HLSS30_2.0_synthetic';

/** Why the real STAC API suite cannot run here, or undefined. */
export function stacServerUnavailable(): string | undefined {
  if (!serverUrl) return 'SCM_STAC_API_URL is not set (bash tools/stac-server/start.sh)';
  if (!existsSync(bin)) return `${bin} is not built (npx nx run @scm/cli:build)`;
  if (!existsSync(venvPython)) return `no Python venv at ${venvPython} (set SCM_PYTHON_VENV)`;
  try {
    execFileSync(venvPython, [
      '-c',
      'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)',
      `${serverUrl}/collections/${BIG}`,
    ]);
    return undefined;
  } catch (error) {
    return `the STAC API at ${serverUrl} does not serve ${BIG}: ${String(error).split('\n')[0]}`;
  }
}

/** A config harvesting `BIG` between `start` and `end` into `out` (a folder or an s3:// URL) in every format. */
export function writeConfig(dir: string, name: string, out: string, start: string, end: string): string {
  const path = join(dir, `${name}.yaml`);
  const yaml = [
    'workflow: { name: sharded }',
    'source:',
    '  type: stac_api',
    `  catalog_url: ${serverUrl}`,
    `  collections: [${BIG}]`,
    `  filters: { temporal: { start_date: "${start}", end_date: "${end}" } }`,
    `output: { format: [json, ndjson, parquet], path: ${out} }`,
    'processing: { concurrency: 4 }',
  ].join('\n');
  writeFileSync(path, `${yaml}\n`);
  return path;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the built CLI in a child process; `killWhen` is polled, and when true the child is SIGKILLed. */
export function run(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
  killWhen?: () => boolean,
): Promise<Exit> {
  const child = spawn(process.execPath, [bin, ...args, '--quiet'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = killWhen
    ? setInterval(() => {
        if (killWhen()) child.kill('SIGKILL');
      }, 50)
    : undefined;
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stderr });
    }),
  );
}

/** Every item of a catalog, per format, as sorted canonical JSON (parquet rows read back with pyarrow). */
export function catalogItems(out: string): Record<'ndjson' | 'tree' | 'parquet', string[]> {
  const ndjson = readFileSync(join(out, 'ndjson', BIG, 'items.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const treeDir = join(out, BIG);
  const tree = readdirSync(treeDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => readFileSync(join(treeDir, e.name, `${e.name}.json`), 'utf8'));
  const script = `import json,sys,pyarrow.parquet as pq
for row in pq.read_table(sys.argv[1]).to_pylist(): print(json.dumps(row, sort_keys=True, default=str))`;
  const parquet = execFileSync(venvPython, ['-c', script, join(out, 'parquet', BIG, 'items.parquet')], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
    .split('\n')
    .filter(Boolean);
  const canonical = (lines: string[]) => lines.map((l) => JSON.stringify(sortKeys(JSON.parse(l)))).sort();
  return { ndjson: canonical(ndjson), tree: canonical(tree), parquet: canonical(parquet) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
