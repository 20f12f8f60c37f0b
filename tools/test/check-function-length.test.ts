import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const script = new URL('../check-function-length.mjs', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A function of exactly `lines` lines (its first and last line included). */
function fn(header: string, lines: number): string {
  const body = Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`);
  return [`${header} {`, ...body, '}'].join('\n');
}

/** A repository-shaped folder with `files` (relative path to text). */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-fn-length-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function check(dir: string) {
  return spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
}

describe('check-function-length', () => {
  it('passes functions of 80 lines and ignores tests and code outside src', () => {
    const dir = workspace({
      'packages/a/src/ok.ts': `${fn('export function atLimit()', 80)}\n`,
      'packages/a/test/long.test.ts': `${fn('function longTest()', 200)}\n`,
      'packages/a/scripts/long.ts': `${fn('function longScript()', 200)}\n`,
    });
    const run = check(dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('lists each function, method and arrow over 80 lines with file:line, name and length', () => {
    const method = fn('  run()', 90).replace(/\n/g, '\n  ');
    const dir = workspace({
      'packages/a/src/long.ts': [
        '// a comment',
        fn('export function tooLong()', 81),
        fn('export const arrow = () =>', 100),
        `export class Runner {\n${method}\n}`,
      ].join('\n'),
    });
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('packages/a/src/long.ts:2: tooLong is 81 lines (limit 80)');
    expect(run.stderr).toContain('packages/a/src/long.ts:83: arrow is 100 lines (limit 80)');
    expect(run.stderr).toMatch(/packages\/a\/src\/long\.ts:\d+: run is 90 lines/);
    expect(run.stderr).toContain('3 problem(s)');
  });
});
