import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readYaml } from '@scm/config';
import type { Failure, SourceRecord } from '@scm/core';
import { parseCsvText } from '@scm/input';
import { readWkt } from '@scm/scaffold';
import { expect } from 'vitest';
import type { ParseMappingOptions } from '../src/index.js';

/**
 * The readers `@scm/workflow` and the CLI pass to a mapping: the workspace's
 * one WKT (`@scm/scaffold`), CSV (`@scm/input`) and YAML (`@scm/config`) readers.
 */
export const readers: ParseMappingOptions = { readWkt, parseCsv: parseCsvText, parseYaml: readYaml };

/** Absolute path of a fixture file. */
export const fixture = (...parts: string[]): string =>
  join(dirname(fileURLToPath(import.meta.url)), 'fixtures', ...parts);

/** Parsed JSON fixture. */
export function readJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixture(...parts), 'utf8')) as T;
}

/**
 * CSV fixture as source records, the way a CSV reader yields them: header
 * names as keys, string values, data rows numbered from line 2.
 */
export function csvRecords(...parts: string[]): SourceRecord<Record<string, string>>[] {
  const file = fixture(...parts);
  const [header, ...rows] = parseCsvText(readFileSync(file, 'utf8'));
  return rows.map((row, i) => ({
    value: Object.fromEntries(header!.map((name, c) => [name, row[c] ?? ''])),
    origin: { file: parts.join('/'), line: i + 2 },
  }));
}

/** Drains an async iterable. */
export async function drain<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}

/** Items of a drained stream, split into records and failures. */
export function split<T>(entries: (SourceRecord<T> | Failure)[]): {
  records: SourceRecord<T>[];
  failures: Failure[];
} {
  const records: SourceRecord<T>[] = [];
  const failures: Failure[] = [];
  for (const e of entries) {
    if ('error_type' in e) failures.push(e);
    else records.push(e);
  }
  return { records, failures };
}

/** An async iterable over values. */
export async function* stream<T>(values: Iterable<T>): AsyncGenerator<T> {
  for (const value of values) yield value;
}

/**
 * Compares `value` with a golden JSON file under fixtures/golden. Run the
 * tests with UPDATE_GOLDEN=1 to rewrite the file after a deliberate change.
 */
export function expectGolden(value: unknown, name: string): void {
  const file = fixture('golden', name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file))
    throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(text, `${name} differs from the golden file`).toBe(readFileSync(file, 'utf8'));
}
