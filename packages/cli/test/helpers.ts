import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationGate } from '@scm/testing/gate';
import { type CliIo, runCli } from '../src/index.js';

/** The repository root. */
export const repoRoot = new URL('../../../', import.meta.url).pathname;
/** The interpreter of the Python venv holding the oracles (stac-validator, pystac). */
export const venvPython = join(process.env.SCM_PYTHON_VENV ?? join(repoRoot, '.venv'), 'bin/python');

/** Gate of the tests that ask the Python stac-validator for a second opinion. */
export function stacValidatorOracle() {
  return integrationGate('Python stac-validator oracle', () =>
    existsSync(venvPython) ? undefined : `no Python venv at ${venvPython} (set SCM_PYTHON_VENV)`,
  );
}

/** What one CLI invocation printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function cli(
  argv: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { ...options.env },
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A new empty temp folder. */
export function tempDir(prefix = 'scm-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Folder of this package's fixtures. */
export const fixtures = new URL('./fixtures/', import.meta.url).pathname;
