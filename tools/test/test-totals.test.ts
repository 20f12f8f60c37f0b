import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = new URL('../test-totals.mjs', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Assertion {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped';
  meta?: Record<string, unknown>;
}

/** One `.vitest-results.json` as vitest's json reporter writes it (the fields the script reads). */
function results(file: string, tests: Assertion[]): object {
  const count = (status: string) => tests.filter((t) => t.status === status).length;
  return {
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped'),
    numTodoTests: 0,
    numFailedTestSuites: 0,
    testResults: [
      {
        name: file,
        assertionResults: tests.map((t) => ({ ...t, fullName: [...t.ancestorTitles, t.title].join(' ') })),
      },
    ],
  };
}

/** A folder laid out like the repository, with one package's results. */
function workspace(tests: Assertion[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-totals-'));
  dirs.push(dir);
  const pkg = join(dir, 'packages', 'demo');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{}');
  const file = join(pkg, 'test', 'demo.test.ts');
  writeFileSync(join(pkg, '.vitest-results.json'), JSON.stringify(results(file, tests)));
  return dir;
}

function totals(dir: string) {
  return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
}

describe('tools/test-totals.mjs', () => {
  it('lists each skipped test and suite with its reason above the closing totals line', () => {
    const dir = workspace([
      { ancestorTitles: [], title: 'maps records', status: 'passed' },
      {
        ancestorTitles: [],
        title: 'agrees with stac-validator [skipped: no stac-validator at /x/.venv]',
        status: 'skipped',
      },
      {
        ancestorTitles: [],
        title: 'loads into pgstac',
        status: 'skipped',
        meta: { skipReason: 'no PostgreSQL on 127.0.0.1:54329' },
      },
      { ancestorTitles: ['independent readers (Python venv missing)'], title: 'a', status: 'skipped' },
      { ancestorTitles: ['independent readers (Python venv missing)'], title: 'b', status: 'skipped' },
      { ancestorTitles: [], title: 'quietly off', status: 'skipped' },
    ]);
    const run = totals(dir);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('tests: 1 passed, 0 failed, 5 skipped');
    const file = 'packages/demo/test/demo.test.ts';
    expect(lines).toContain(
      `  ${file} > agrees with stac-validator [skipped: no stac-validator at /x/.venv]`,
    );
    expect(lines).toContain(`  ${file} > loads into pgstac: no PostgreSQL on 127.0.0.1:54329`);
    expect(lines).toContain(`  ${file} > independent readers (Python venv missing) (2 tests)`);
    expect(lines).toContain(`  ${file} > quietly off (the test gives no reason)`);
  });

  it('prints no skipped list when nothing was skipped, and exits 1 on a failure', () => {
    const run = totals(
      workspace([
        { ancestorTitles: [], title: 'a', status: 'passed' },
        { ancestorTitles: [], title: 'b', status: 'failed' },
      ]),
    );
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/skipped:/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('tests: 1 passed, 1 failed, 0 skipped');
  });
});
