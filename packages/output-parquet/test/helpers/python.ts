import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (packages/output-parquet/test/helpers → ../../../..). */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
/** Folder of the Python helper scripts. */
export const PYTHON_DIR = resolve(import.meta.dirname, '..', 'python');

/** Where the Python tools live: `SCM_PYTHON_VENV`, default `<repo>/.venv`. */
export function venvPath(): string {
  return process.env.SCM_PYTHON_VENV ? resolve(process.env.SCM_PYTHON_VENV) : join(REPO_ROOT, '.venv');
}

/** Whether the venv has everything; `reason` says what is missing. */
export function pythonTools(): { available: boolean; python: string; reason: string } {
  const python = join(venvPath(), 'bin', 'python');
  if (!existsSync(python)) {
    return { available: false, python, reason: `no Python venv at ${venvPath()} (set SCM_PYTHON_VENV)` };
  }
  const check = spawnSync(python, [join(PYTHON_DIR, 'check_env.py')], { encoding: 'utf8', timeout: 60_000 });
  if (check.status !== 0) {
    return {
      available: false,
      python,
      reason: `the venv at ${venvPath()} lacks packages: ${(check.stdout + check.stderr).trim()}`,
    };
  }
  return { available: true, python, reason: '' };
}

/** One line of `read_parquet.py` output. */
export interface ReaderResult {
  file: string;
  error?: string;
  items?: Record<string, unknown>[];
  pyarrow?: Record<string, string>;
  duckdb?: Record<string, string>;
  rows?: number;
  metadata_keys?: string[];
}

/** Runs `read_parquet.py <reader> <files…>` and returns its results by file. */
export function runReader(
  python: string,
  reader: 'stac-geoparquet' | 'rustac' | 'types',
  files: string[],
): Map<string, ReaderResult> {
  const run = spawnSync(python, [join(PYTHON_DIR, 'read_parquet.py'), reader, ...files], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`read_parquet.py ${reader} failed: ${run.stderr}`);
  const out = new Map<string, ReaderResult>();
  for (const line of run.stdout.split('\n')) {
    if (!line.trim()) continue;
    const result = JSON.parse(line) as ReaderResult;
    out.set(result.file, result);
  }
  return out;
}

/** Writes NDJSON items as stac-geoparquet with a peer implementation; returns an error message or undefined. */
export function writeWithPeer(
  python: string,
  writer: 'stac-geoparquet' | 'rustac',
  input: string,
  output: string,
): string | undefined {
  const run = spawnSync(python, [join(PYTHON_DIR, 'read_parquet.py'), `write-${writer}`, input, output], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (run.status !== 0) return `read_parquet.py write-${writer} failed: ${run.stderr}`;
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { error?: string };
  return result.error;
}
