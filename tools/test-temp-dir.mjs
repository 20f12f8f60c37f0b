// Vitest global setup: every temporary folder a test run makes (os.tmpdir() reads TMPDIR) goes under one
// folder of its own, removed when the run ends, so repeated runs do not fill the machine's /tmp (a
// developer's /tmp had 34 GB of `scm-*` folders left by earlier runs). SCM_KEEP_TEST_TEMP=1 keeps it, to
// look at what a failing test wrote; the folder is printed then.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'scm-test-run-'));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.SCM_KEEP_TEST_TEMP === '1') console.error(`test temporary files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
