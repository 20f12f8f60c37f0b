import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('../../', import.meta.url).pathname;

/**
 * A workspace with the repository's own nx.json and tools/test-env.mjs and one
 * project whose `test` target counts its runs, so a cache hit shows as a run
 * that did not happen. Its own cache and workspace data keep it apart from the
 * repository's.
 */
function probeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-nx-cache-'));
  mkdirSync(join(dir, 'tools'));
  mkdirSync(join(dir, 'packages', 'probe'), { recursive: true });
  copyFileSync(join(repo, 'nx.json'), join(dir, 'nx.json'));
  copyFileSync(join(repo, '.gitignore'), join(dir, '.gitignore'));
  copyFileSync(join(repo, 'tools', 'test-env.mjs'), join(dir, 'tools', 'test-env.mjs'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'probe-root', private: true, workspaces: ['packages/*'] }),
  );
  const countRun = `require('fs').appendFileSync('../../runs.log','run\\n');require('fs').writeFileSync('.vitest-results.json','{}')`;
  writeFileSync(
    join(dir, 'packages', 'probe', 'package.json'),
    JSON.stringify({ name: 'probe', version: '0.0.0', scripts: { test: `node -e "${countRun}"` } }),
  );
  return dir;
}

/** Runs the probe's test target through Nx with `env` (and none of the outer Nx task's variables). */
function runTest(dir: string, env: Record<string, string>): number {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('NX_') && !key.startsWith('SCM_')),
  );
  const result = spawnSync(join(dir, 'node_modules', '.bin', 'nx'), ['run', 'probe:test'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...clean,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'workspace-data'),
      ...env,
    },
  });
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length;
}

/** A venv as the test-env script sees one: a python and an installed stac-validator. */
function fakeVenv(dir: string, validatorVersion: string): void {
  const site = join(dir, 'lib', 'python3.12', 'site-packages');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  rmSync(site, { recursive: true, force: true });
  mkdirSync(join(site, `stac_validator-${validatorVersion}.dist-info`), { recursive: true });
  writeFileSync(join(dir, 'bin', 'python'), '');
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the test target cache key includes the test environment', () => {
  it('replays a result only for the same integration gate, venv and tools', { timeout: 300_000 }, () => {
    const dir = probeWorkspace();
    dirs.push(dir);
    const venv = join(dir, 'venv');
    const gated = { SCM_REQUIRE_INTEGRATION: '1', SCM_PYTHON_VENV: venv };

    expect(runTest(dir, gated)).toBe(1);
    // Nothing changed: the cache answers (so the checks below can fail).
    expect(runTest(dir, gated)).toBe(1);
    // The venv appears where SCM_PYTHON_VENV points: the tests run again.
    fakeVenv(venv, '4.1.2');
    expect(runTest(dir, gated)).toBe(2);
    // Another stac-validator version: again.
    fakeVenv(venv, '4.2.0');
    expect(runTest(dir, gated)).toBe(3);
    // The same machine without the integration gate is another key too.
    expect(runTest(dir, { SCM_PYTHON_VENV: venv })).toBe(4);
    expect(runTest(dir, gated)).toBe(4);
  });
});
