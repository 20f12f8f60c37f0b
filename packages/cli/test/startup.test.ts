import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtures, repoRoot, tempDir } from './helpers.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const tracer = pathToFileURL(join(fixtures, 'module-trace/register.mjs')).href;

/** What one run of the built CLI loaded: module URLs and CommonJS paths. */
interface Traced {
  status: number | null;
  stderr: string;
  modules: string[];
}

/** Runs the built CLI with the module tracer preloaded. */
function traced(args: string[]): Traced {
  const dir = tempDir('scm-startup-');
  const out = join(dir, 'modules.txt');
  const run = spawnSync(process.execPath, ['--import', tracer, bin, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, SCM_MODULE_TRACE: out },
  });
  const modules = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  return { status: run.status, stderr: run.stderr, modules };
}

/** The npm packages among `modules`, by name (an `@scm` package by its folder under packages/ too). */
function packagesOf(modules: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const module of modules) {
    const npm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module);
    if (npm) names.add(npm[1]!);
    const workspace = /\/packages\/([^/]+)\/(?:dist|src)\//.exec(module);
    if (workspace) names.add(`@scm/${workspace[1]}`);
  }
  return names;
}

/** Libraries of the HTTP client and of Parquet reading and writing: starting needs none of them. */
const HEAVY = ['undici', 'hyparquet', 'hyparquet-writer', 'hyparquet-compressors', '@bokuweb/zstd-wasm'];

describe('start-up: what the CLI loads', () => {
  it('--version and --help load no workflow, logger or heavy library', () => {
    for (const args of [['--version'], ['--help'], ['validate', '--help']]) {
      const run = traced(args);
      expect(run.status, run.stderr).toBe(0);
      const loaded = packagesOf(run.modules);
      for (const name of [...HEAVY, '@scm/workflow', '@scm/logging', 'pino', 'cli-progress']) {
        expect(loaded.has(name), `${args.join(' ')} loads ${name}`).toBe(false);
      }
    }
  });

  it('validate of an NDJSON file loads neither the HTTP client nor any Parquet library', () => {
    const items = join(repoRoot, 'examples/quickstart/data/items.ndjson');
    const run = traced(['validate', '--input', items, '--workers', '0', '-q']);
    expect(run.status, run.stderr).toBe(0);
    const loaded = packagesOf(run.modules);
    expect(loaded.has('@scm/workflow')).toBe(true);
    for (const name of [...HEAVY, '@scm/http', '@scm/output-parquet']) {
      expect(loaded.has(name), `validate loads ${name}`).toBe(false);
    }
  });

  it('still sees those libraries when a command needs them (the trace misses nothing)', () => {
    const parquet = traced(['validate', '--input', join(repoRoot, 'examples/scenario4/data.parquet'), '-q']);
    expect([...packagesOf(parquet.modules)]).toEqual(
      expect.arrayContaining(['hyparquet', 'hyparquet-writer', 'hyparquet-compressors']),
    );
    // Nothing listens on port 9 (discard): the client is created, then the request fails at once.
    const api = ['--catalog-url', 'http://127.0.0.1:9/', '--max-attempts', '1', '--timeout', '5'];
    const discover = traced(['discover-collections', ...api]);
    expect([...packagesOf(discover.modules)]).toEqual(expect.arrayContaining(['@scm/http', 'undici']));
  });
});
