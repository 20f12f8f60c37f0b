import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const repo = new URL('../../../', import.meta.url).pathname;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const SUMMARY_HEAD = 'rebuild-catalog (full):';

/** The quickstart summary a README shows: from its first line to the `output:` line. */
function shownSummary(readme: string): string[] {
  const lines = readFileSync(join(repo, readme), 'utf8').split('\n');
  const first = lines.findIndex((line) => line.startsWith(SUMMARY_HEAD));
  const last = lines.findIndex((line, i) => i > first && line.startsWith('output: '));
  expect(first, `${readme} shows no "${SUMMARY_HEAD}" summary`).toBeGreaterThanOrEqual(0);
  return lines.slice(first, last + 1);
}

/**
 * Runs the quickstart as `npm run quickstart` does (the built binary on
 * examples/quickstart/config.yaml), on a copy so the repository stays clean,
 * and replaces what depends on the machine by `…`, as the READMEs do.
 */
function realQuickstartSummary(): string[] {
  const cwd = tempDir('scm-readme-');
  const copy = join(cwd, 'examples/quickstart');
  mkdirSync(copy, { recursive: true });
  cpSync(join(repo, 'examples/quickstart'), copy, {
    recursive: true,
    filter: (path) => !['output', 'output-logs'].includes(basename(path)),
  });
  const run = spawnSync(
    process.execPath,
    [bin, 'rebuild-catalog', '--config', 'examples/quickstart/config.yaml', '--mode', 'full'],
    { cwd, encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .replace(/, \d+(?:\.\d+)?s, \d+(?:\.\d+)? items\/s$/m, ', …s, … items/s')
    .replaceAll(`${cwd}/`, '…/')
    .trimEnd()
    .split('\n');
}

describe('the quickstart output the READMEs show', () => {
  let real: string[] = [];
  beforeAll(() => {
    real = realQuickstartSummary();
  });

  it.each(['README.md', 'packages/cli/README.md'])(
    '%s shows the real summary, with only duration, items/s and the absolute path elided',
    (readme) => {
      expect(shownSummary(readme)).toEqual(real);
    },
  );

  it('elides only the machine-dependent figures', () => {
    expect(real[0]).toBe(`${SUMMARY_HEAD} processed 24, succeeded 24, failed 0, skipped 0`);
    expect(real[1]).toBe('  4 collection(s), …s, … items/s');
    expect(real.at(-1)).toBe('output: …/examples/quickstart/output');
  });
});
