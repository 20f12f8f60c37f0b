/**
 * Issue 13's acceptance against the real STAC API (stac-fastapi-pgstac, see
 * tools/stac-server/): four `rebuild-catalog` processes started the way a
 * Kubernetes Indexed Job starts its pods (`JOB_COMPLETION_INDEX=0..3` with
 * `--shard-count 4`), then `merge-shards`: the catalog equals a
 * single-process rebuild item for item in every format (JSON tree, NDJSON,
 * stac-geoparquet read back by pyarrow). A shard killed with SIGKILL and run
 * again, then merged again, gives the same catalog.
 *
 * To keep the suite to a few minutes on a loaded machine, the harvest is
 * limited to half a year of the synthetic HLS collection (about 1,400 items).
 * Runs the built CLI (dist/bin.js); without the server the suite is skipped
 * with its reason, and under SCM_REQUIRE_INTEGRATION=1 that is a failure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrationGate } from '@scm/testing/gate';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir, venvPython } from './helpers.js';

const bin = join(repoRoot, 'packages/cli/dist/bin.js');
const serverUrl = process.env.SCM_STAC_API_URL?.replace(/\/+$/, '');
const BIG = process.env.SCM_STAC_BIG_COLLECTION ?? 'HLSS30_2.0_synthetic';
const TIMEOUT_MS = 900_000;
const COUNT = 4;

function unavailable(): string | undefined {
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

const gate = integrationGate('real STAC API sharding suite', unavailable);

function writeConfig(dir: string, out: string): string {
  const path = join(dir, `${out}.yaml`);
  const yaml = [
    'workflow: { name: sharded }',
    'source:',
    '  type: stac_api',
    `  catalog_url: ${serverUrl}`,
    `  collections: [${BIG}]`,
    '  filters: { temporal: { start_date: "2020-01-01", end_date: "2020-06-30" } }',
    `output: { format: [json, ndjson, parquet], path: ${out} }`,
    'processing: { concurrency: 4 }',
  ].join('\n');
  writeFileSync(path, `${yaml}\n`);
  return path;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the built CLI in a child process; `killWhen` is polled, and when true the child is SIGKILLed. */
function run(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
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
function catalogItems(out: string): Record<'ndjson' | 'tree' | 'parquet', string[]> {
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

/** Bytes the shard's checkpointed harvest has written so far. */
function harvested(out: string, index: number): number {
  const file = join(out, 'shards', `.${index}.harvest`, 'items.ndjson');
  return existsSync(file) ? statSync(file).size : 0;
}

describe('sharded rebuild against a real STAC API', () => {
  describe.skipIf(gate.skip)(gate.title(`at ${serverUrl}`), () => {
    it(
      'four Indexed-Job shards merge into the single-process catalog; a killed shard re-run merges the same',
      async () => {
        const dir = tempDir('scm-shards-real-');
        const single = await run(['rebuild-catalog', '--config', writeConfig(dir, 'single')], dir);
        expect(single.code, single.stderr).toBe(0);
        const config = writeConfig(dir, 'sharded');
        const shards = await Promise.all(
          [0, 1, 2, 3].map((k) =>
            run(['rebuild-catalog', '--config', config, '--shard-count', String(COUNT)], dir, {
              JOB_COMPLETION_INDEX: String(k),
            }),
          ),
        );
        for (const shard of shards) expect(shard.code, shard.stderr).toBe(0);
        const merged = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(merged.code, merged.stderr).toBe(0);

        const expected = catalogItems(join(dir, 'single'));
        expect(expected.ndjson.length).toBeGreaterThan(1000);
        const first = catalogItems(join(dir, 'sharded'));
        expect(first).toEqual(expected);
        const summary = JSON.parse(readFileSync(join(dir, 'sharded', 'summary.json'), 'utf8'));
        expect(summary.succeeded).toBe(expected.ndjson.length);

        // Shard 2 again, killed once its harvest has written some items, then run to the end with --resume.
        const out = join(dir, 'sharded');
        rmSync(join(out, 'shards', '2', 'shard.json'));
        const killed = await run(
          ['rebuild-catalog', '--config', config, '--shard', `2/${COUNT}`],
          dir,
          {},
          () => harvested(out, 2) > 0,
        );
        expect(killed.signal, killed.stderr).toBe('SIGKILL');
        const refused = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/missing \(not finished\): 2 of 4 shards/);
        const resumed = await run(
          ['rebuild-catalog', '--config', config, '--shard', `2/${COUNT}`, '--resume'],
          dir,
        );
        expect(resumed.code, resumed.stderr).toBe(0);
        const again = await run(['merge-shards', '--output-path', 'sharded'], dir);
        expect(again.code, again.stderr).toBe(0);
        expect(catalogItems(out)).toEqual(expected);
      },
      TIMEOUT_MS,
    );
  });
});
