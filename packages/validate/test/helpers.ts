import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidationIssue } from '@scm/core';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const validDir = join(fixturesDir, 'valid');
export const invalidDir = join(fixturesDir, 'invalid');

/** Expected issue: kind and JSON Pointer path. */
export interface ExpectedIssue {
  kind: string;
  path: string;
}

/** Expected outcome at one level. */
export interface ExpectedOutcome {
  valid: boolean;
  errors: ExpectedIssue[];
  warnings: ExpectedIssue[];
}

/** An entry of test/fixtures/valid/manifest.json. */
export interface ValidFixture {
  file: string;
  source: string;
  strict: ExpectedOutcome;
  lenient: ExpectedOutcome;
  /** stac-validator's expected verdict, or `skip:<reason>` when the case is beyond its reach. */
  python: string;
  note?: string;
}

/** An entry of test/fixtures/invalid/manifest.json. */
export interface InvalidCase extends ExpectedOutcome {
  file: string;
  description: string;
  level: 'strict' | 'lenient';
  /** The file holds an array validated in order by one validator; the last report is checked. */
  sequence?: boolean;
  python: string;
  /** The extension package whose `checkObject` reports the case; @scm/validate alone finds it valid. */
  checkedBy?: string;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const validManifest = (): ValidFixture[] => readJson(join(validDir, 'manifest.json'));
export const invalidManifest = (): InvalidCase[] => readJson(join(invalidDir, 'manifest.json'));
export const fixture = <T = Record<string, unknown>>(name: string): T => readJson<T>(join(validDir, name));

/** `kind path` strings, sorted, for order-independent comparison. */
export function shape(issues: readonly (ValidationIssue | ExpectedIssue)[]): string[] {
  return issues.map((i) => `${i.kind} ${i.path}`).sort();
}

/** A deep copy. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
