/**
 * `--engine stac-validator`: runs the Python stac-validator CLI on files and turns its JSON output into our
 * reports. Its schema-map option points every bundled schema URL at the copy in this package, so it runs
 * offline for everything we bundle.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ScmError, type ValidationIssue, type ValidationReport } from '@scm/core';
import { toPointer } from '@scm/core/json-pointer';
import { report } from './validator.js';
import { bundledSchemas } from './schema-store.js';

/** Options of {@link runStacValidator}. */
export interface StacValidatorEngineOptions {
  /**
   * Python interpreter that has stac-validator installed. Default: `bin/python` of the virtual environment in
   * env `SCM_PYTHON_VENV`, else `./.venv` under the current directory.
   */
  python?: string;
  /** Extra schema URL → local file mappings; they win over the bundled schemas' mappings. Default: none. */
  schemaMap?: Record<string, string>;
  /** Treat each file as an ItemCollection (FeatureCollection) and report on each feature. Default: false. */
  itemCollection?: boolean;
  /** Files validated at the same time, one Python process each. Default: `os.availableParallelism()`. */
  concurrency?: number;
  /** Stops starting new processes and rejects with `SCM_ABORTED`. */
  signal?: AbortSignal;
}

const BOOT = [
  'import sys',
  'from stac_validator.stac_validator import cli',
  "sys.argv[0] = 'stac-validator'",
  'sys.exit(cli())',
].join('\n');

const INSTALL_HINT =
  'install it with: python3 -m venv .venv && .venv/bin/pip install stac-validator ' +
  '(or set SCM_PYTHON_VENV / the python option to an environment that has it)';

const ASSET_TYPES: Record<string, string> = { ITEM: 'Feature', COLLECTION: 'Collection', CATALOG: 'Catalog' };

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The Python to run: `SCM_PYTHON_VENV`'s, else the nearest `.venv` found
 * walking up from the working folder, else `python3` on the PATH.
 */
function defaultPython(): string {
  if (process.env.SCM_PYTHON_VENV) return join(process.env.SCM_PYTHON_VENV, 'bin', 'python');
  let dir = resolve('.');
  while (true) {
    const candidate = join(dir, '.venv', 'bin', 'python');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return 'python3';
    dir = parent;
  }
}

function run(python: string, args: string[], signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONWARNINGS: 'ignore', NO_COLOR: '1' },
      signal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new ScmError('SCM_ABORTED', 'stac-validator run was aborted'));
      else if (error.code === 'ENOENT') {
        reject(
          new ScmError('SCM_ENGINE_MISSING', `Python not found at ${python}; ${INSTALL_HINT}`, {
            cause: error,
          }),
        );
      } else
        reject(new ScmError('SCM_INTERNAL', `could not start ${python}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The JSON array stac-validator prints (indented by 4), found among its other output lines. */
function parseMessages(stdout: string): Array<Record<string, unknown>> | undefined {
  const lines = stdout.split('\n');
  const start = lines.indexOf('[');
  if (start === -1) return undefined;
  const end = lines.indexOf(']', start);
  if (end === -1) return undefined;
  try {
    const parsed = JSON.parse(lines.slice(start, end + 1).join('\n')) as unknown;
    return Array.isArray(parsed) ? (parsed as Array<Record<string, unknown>>) : undefined;
  } catch {
    return undefined;
  }
}

/** "… Error is in properties -> datetime " → `/properties/datetime`. */
function pathOf(message: string): string {
  const match = /Error is in (.+?)\s*$/.exec(message);
  if (!match) return '';
  return toPointer(match[1]!.split(' -> ').map((s) => s.trim()));
}

function toReport(
  message: Record<string, unknown>,
  fallback: { id?: string; type?: string },
  localToUrl: Map<string, string>,
): ValidationReport {
  const type = ASSET_TYPES[String(message.asset_type ?? '')] ?? fallback.type;
  if (message.valid_stac === true) return report(fallback.id, type, []);
  const text = String(message.error_message ?? 'stac-validator reported the object as invalid');
  const errorType = String(message.error_type ?? 'Error');
  const failed = typeof message.failed_schema === 'string' ? message.failed_schema : '';
  const issue: ValidationIssue = {
    path: pathOf(text),
    message: `${errorType}: ${text.trim()}`,
    kind: errorType === 'JSONSchemaValidationError' ? 'schema' : 'engine',
    severity: 'error',
  };
  if (failed) issue.schema = localToUrl.get(failed) ?? failed;
  return report(fallback.id, type, [issue]);
}

async function readIdentity(file: string): Promise<{ id?: string; type?: string }> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const out: { id?: string; type?: string } = {};
    if (typeof value.id === 'string') out.id = value.id;
    if (typeof value.type === 'string') out.type = value.type;
    return out;
  } catch {
    return {};
  }
}

/**
 * Validates files with the Python stac-validator CLI (`validate -sc <map>` per file) and converts its output to
 * our reports: one per file, or one per feature with `itemCollection`. The schema map sends every bundled schema
 * URL (with and without `#`) to this package's copy, so nothing is downloaded for those.
 *
 * stac-validator stops at the first failing schema, so a report carries at most one error.
 * Throws `SCM_ENGINE_MISSING` when Python or stac-validator is not installed.
 */
export async function runStacValidator(
  files: readonly string[],
  options: StacValidatorEngineOptions = {},
): Promise<ValidationReport[]> {
  const python = options.python ?? defaultPython();
  if (python.includes('/') && !existsSync(python)) {
    throw new ScmError(
      'SCM_ENGINE_MISSING',
      `stac-validator engine: no Python at ${python}; ${INSTALL_HINT}`,
      {
        details: { python },
      },
    );
  }
  const probe = await run(python, ['-c', 'import stac_validator.stac_validator'], options.signal);
  if (probe.code !== 0) {
    throw new ScmError(
      'SCM_ENGINE_MISSING',
      `stac-validator is not installed for ${python}; ${INSTALL_HINT}` +
        (probe.stderr ? ` (${probe.stderr.trim().split('\n').pop()})` : ''),
      { details: { python } },
    );
  }

  const schemas: Record<string, string> = {};
  const localToUrl = new Map<string, string>();
  for (const doc of bundledSchemas()) {
    for (const url of [doc.uri, ...doc.aliases]) {
      schemas[url] = doc.origin;
      schemas[`${url}#`] = doc.origin;
    }
    localToUrl.set(doc.origin, doc.uri);
  }
  for (const [url, file] of Object.entries(options.schemaMap ?? {})) {
    schemas[url] = resolve(file);
    localToUrl.set(resolve(file), url);
  }
  const dir = await mkdtemp(join(tmpdir(), 'scm-stac-validator-'));
  const config = join(dir, 'schema-map.json');
  try {
    await writeFile(config, JSON.stringify({ schemas }));
    const results: ValidationReport[][] = new Array(files.length);
    let next = 0;
    const concurrency = Math.max(
      1,
      Math.min(options.concurrency ?? availableParallelism(), files.length || 1),
    );
    const lane = async () => {
      while (next < files.length) {
        if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'stac-validator run was aborted');
        const index = next++;
        results[index] = await validateFile(python, config, files[index]!, options, localToUrl);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return results.flat();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function validateFile(
  python: string,
  config: string,
  file: string,
  options: StacValidatorEngineOptions,
  localToUrl: Map<string, string>,
): Promise<ValidationReport[]> {
  const args = ['-c', BOOT, 'validate', '-sc', config];
  if (options.itemCollection) args.push('--item-collection');
  args.push(file);
  const result = await run(python, args, options.signal);
  const messages = parseMessages(result.stdout);
  if (!messages) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
    return [
      report(undefined, undefined, [
        {
          path: '',
          message: `stac-validator gave no result for ${file} (exit code ${result.code}): ${tail}`,
          kind: 'engine',
          severity: 'error',
        },
      ]),
    ];
  }
  if (options.itemCollection) {
    return messages.map((message) => {
      const path = String(message.path ?? '');
      const id = path.startsWith(`${file}/`) ? path.slice(file.length + 1) : undefined;
      return toReport(message, id === undefined ? {} : { id }, localToUrl);
    });
  }
  const identity = await readIdentity(file);
  return messages.slice(0, 1).map((message) => toReport(message, identity, localToUrl));
}
