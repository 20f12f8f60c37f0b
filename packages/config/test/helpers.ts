import { fileURLToPath } from 'node:url';
import { isScmError, type ScmError } from '@scm/core';
import { expect } from 'vitest';

/** Absolute path of a fixture. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Folder holding the fixtures. */
export const fixturesDir = fileURLToPath(new URL('./fixtures', import.meta.url));

/** Awaits `run` and returns the ScmError it throws; fails when it does not throw one. */
export async function scmErrorOf(run: () => unknown): Promise<ScmError> {
  try {
    await run();
  } catch (error) {
    expect(isScmError(error), `expected an ScmError, got ${String(error)}`).toBe(true);
    return error as ScmError;
  }
  throw new Error('expected an error, none was thrown');
}
