import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { errorMessage, isForbiddenKey } from '@scm/core';
import { DefinitionError } from './path.js';
import type { CsvRowsReader } from './readers.js';
import { isObject, safeClone } from './values.js';

/** A lookup table: string keys to values. */
export type LookupTable = ReadonlyMap<string, unknown>;

/**
 * Turns a value into a lookup or join key: strings are trimmed, numbers and
 * booleans become their decimal text (`123` and `"123"` are the same key,
 * `1.0` is `"1"`), anything else has no key.
 */
export function normalizeKey(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * A lookup table as written in a mapping: `{ inline: { key: value } }`, or
 * `{ file, key, value }` for a CSV file (key and value columns) or a JSON
 * file (an object, or an array of objects with key and value members). A
 * file path is relative to the mapping file.
 */
export type LookupTableSpec =
  | {
      /** Key -> value pairs. */
      inline: Record<string, unknown>;
    }
  | {
      /** A `.csv` or `.json` file. */
      file: string;
      /** Column (or member) holding the keys; required for CSV and JSON arrays. */
      key?: string;
      /** Column (or member) holding the values; required for CSV and JSON arrays. */
      value?: string;
    };

function fromEntries(entries: Iterable<[unknown, unknown]>, where: string): Map<string, unknown> {
  const table = new Map<string, unknown>();
  for (const [rawKey, value] of entries) {
    const key = normalizeKey(rawKey);
    if (key === undefined) continue;
    if (table.has(key)) throw new DefinitionError(`${where}: the key "${key}" appears twice`);
    table.set(key, safeClone(value));
  }
  return table;
}

/** Rows of a CSV table; the reader's own error becomes a definition error naming the table. */
function csvRows(parseCsv: CsvRowsReader, text: string, where: string): string[][] {
  try {
    return parseCsv(text);
  } catch (error) {
    throw new DefinitionError(`${where}: ${errorMessage(error)}`);
  }
}

/**
 * Builds a lookup table. A file path is resolved against `baseDir` (the
 * mapping file's folder). CSV files, read by `parseCsv` (the workspace's one
 * CSV reader, passed in by the composer), need `key` and `value` columns; JSON
 * files are either an object (`{"S2A": "sentinel-2a"}`) or an array of
 * objects with `key` and `value` members.
 */
export function buildLookupTable(
  name: string,
  spec: LookupTableSpec,
  baseDir: string,
  parseCsv: CsvRowsReader | undefined,
): Map<string, unknown> {
  const where = `lookup table "${name}"`;
  if ('inline' in spec) {
    if (!isObject(spec.inline)) throw new DefinitionError(`${where}: "inline" must be an object`);
    return fromEntries(
      Object.entries(spec.inline).filter(([k]) => !isForbiddenKey(k)),
      where,
    );
  }
  const path = isAbsolute(spec.file) ? spec.file : resolve(baseDir, spec.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DefinitionError(`${where}: cannot read ${spec.file} (${errorMessage(error)})`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') {
    if (!spec.key || !spec.value)
      throw new DefinitionError(`${where}: a CSV table needs "key" and "value" column names`);
    if (!parseCsv)
      throw new DefinitionError(`${where}: a CSV table needs a CSV reader (parseCsv of the mapping options)`);
    const rows = csvRows(parseCsv, text, where);
    const header = rows.shift() ?? [];
    const keyColumn = header.indexOf(spec.key);
    const valueColumn = header.indexOf(spec.value);
    if (keyColumn === -1)
      throw new DefinitionError(
        `${where}: column "${spec.key}" is not in ${spec.file} (columns: ${header.join(', ')})`,
      );
    if (valueColumn === -1)
      throw new DefinitionError(
        `${where}: column "${spec.value}" is not in ${spec.file} (columns: ${header.join(', ')})`,
      );
    return fromEntries(
      rows.map((r) => [r[keyColumn], r[valueColumn]] as [unknown, unknown]),
      where,
    );
  }
  if (extension === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new DefinitionError(`${where}: ${spec.file} is not valid JSON (${errorMessage(error)})`);
    }
    if (Array.isArray(data)) {
      if (!spec.key || !spec.value)
        throw new DefinitionError(`${where}: a JSON array table needs "key" and "value" member names`);
      const key = spec.key;
      const value = spec.value;
      return fromEntries(
        data
          .filter(isObject)
          .map(
            (r) =>
              [
                Object.hasOwn(r, key) ? r[key] : undefined,
                Object.hasOwn(r, value) ? r[value] : undefined,
              ] as [unknown, unknown],
          ),
        where,
      );
    }
    if (isObject(data)) {
      return fromEntries(
        Object.entries(data).filter(([k]) => !isForbiddenKey(k)),
        where,
      );
    }
    throw new DefinitionError(`${where}: ${spec.file} must hold a JSON object or array`);
  }
  throw new DefinitionError(`${where}: ${spec.file} must be a .csv or .json file`);
}
