#!/usr/bin/env node
// Sums the per-project vitest JSON results into one closing line that CI
// systems read: "tests: N passed, N failed, N skipped". Nx hides the output of
// passing tasks, so the skipped tests and why they were skipped are listed
// here, above that line.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Folders holding a `.vitest-results.json` after `npm test`: each package, and tools/. */
function projectDirs(base) {
  const packages = readdirSync(join(base, 'packages'))
    .sort()
    .map((dir) => join(base, 'packages', dir))
    .filter((dir) => existsSync(join(dir, 'package.json')));
  return existsSync(join(base, 'tools', 'project.json')) ? [...packages, join(base, 'tools')] : packages;
}

/** Words by which a title says why its test may be skipped ("needs <venv> with pystac", "without ../shared"). */
const SAYS_WHY = /skip|need|without|missing|requir|unavailable|not found/i;

/**
 * Why a test was skipped: its `meta.skipReason` when it sets one, else its
 * title and its suites' titles, which by convention name what is missing.
 */
function reasonOf(test, title) {
  if (typeof test.meta?.skipReason === 'string') return `: ${test.meta.skipReason}`;
  return SAYS_WHY.test(title) ? '' : ' (the test gives no reason)';
}

/** Tests grouped by their suite path, in order of appearance. */
function bySuite(tests) {
  const groups = new Map();
  for (const test of tests) {
    const suite = (test.ancestorTitles ?? []).join(' > ');
    groups.set(suite, [...(groups.get(suite) ?? []), test]);
  }
  return groups;
}

/**
 * The skipped tests of one results file, one line each, except that a suite
 * skipped as a whole is one line: `<file> > <suite> > <test>[: <reason>]`.
 */
function skippedLines(results, base) {
  const lines = [];
  for (const file of results.testResults ?? []) {
    const name = relative(base, file.name ?? '');
    for (const [suite, tests] of bySuite(file.assertionResults ?? [])) {
      const skipped = tests.filter((t) => ['skipped', 'pending', 'todo'].includes(t.status));
      if (suite !== '' && skipped.length > 1 && skipped.length === tests.length) {
        lines.push(`${name} > ${suite} (${skipped.length} tests)${reasonOf(skipped[0], suite)}`);
        continue;
      }
      for (const test of skipped) {
        const title = test.fullName ?? test.title;
        lines.push(`${name} > ${title}${reasonOf(test, title)}`);
      }
    }
  }
  return lines;
}

/** Reads every project's results and prints a line per project, the skipped tests, and the totals. */
function main(base) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const missing = [];
  const skipped = [];
  for (const dir of projectDirs(base)) {
    const name = relative(join(base, 'packages'), dir).replace(/^\.\.\//, '');
    const file = join(dir, '.vitest-results.json');
    if (!existsSync(file)) {
      missing.push(name);
      continue;
    }
    const results = JSON.parse(readFileSync(file, 'utf8'));
    const p = results.numPassedTests ?? 0;
    const f = (results.numFailedTests ?? 0) + (results.numFailedTestSuites ?? 0);
    const s = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
    totals.passed += p;
    totals.failed += f;
    totals.skipped += s;
    skipped.push(...skippedLines(results, base));
    console.log(`${name.padEnd(28)} ${p} passed, ${f} failed, ${s} skipped`);
  }
  if (missing.length > 0) {
    console.log(`no test results for: ${missing.join(', ')}`);
    totals.failed += missing.length;
  }
  if (skipped.length > 0) console.log(`skipped:\n${skipped.map((line) => `  ${line}`).join('\n')}`);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return totals.failed > 0 || totals.passed === 0 ? 1 : 0;
}

// A folder laid out like the repository can be given instead, e.g. by tests.
process.exitCode = main(process.argv[2] ?? root);
