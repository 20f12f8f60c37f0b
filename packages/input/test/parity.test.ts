import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject, JsonValue } from '@scm/core';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv, readJson, readNdjson, readParquet } from '../src/index.js';
import { drain, fixture } from './helpers.js';

/**
 * The same three records stored as CSV, JSON, NDJSON and Parquet must come out
 * with the same field names in the same order and the same values. The one
 * documented difference: CSV carries no types, so with `dynamicTyping` off
 * (the default) every CSV value is the string as written; with it on, CSV
 * numbers and booleans match the typed formats exactly.
 */
let dir: string;
let parquetFile: string;

async function values(source: AsyncIterable<unknown>): Promise<JsonObject[]> {
  const { records, failures } = await drain(source as Parameters<typeof drain>[0]);
  expect(failures).toEqual([]);
  return records.map((r) => r.value);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scm-input-parity-'));
  parquetFile = join(dir, 'records.parquet');
  const reference = (await values(readJson(fixture('parity', 'records.json')))) as Record<
    string,
    JsonValue
  >[];
  const column = (name: string) => reference.map((r) => r[name]);
  parquetWriteFile({
    filename: parquetFile,
    schema: [
      { name: 'root', num_children: 7 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'title', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'count', type: 'INT64', repetition_type: 'OPTIONAL' },
      { name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'valid', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
      {
        name: 'acquired',
        type: 'INT64',
        repetition_type: 'OPTIONAL',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      },
      { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
    ],
    columnData: [
      { name: 'id', data: column('id') },
      { name: 'title', data: column('title') },
      { name: 'count', data: column('count').map((n) => BigInt(n as number)) },
      { name: 'score', data: column('score') },
      { name: 'valid', data: column('valid') },
      { name: 'acquired', data: column('acquired').map((t) => new Date(t as string)) },
      { name: 'day', data: column('day').map((d) => new Date(`${d as string}T00:00:00Z`)) },
    ],
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the same records from every format', () => {
  it('JSON, NDJSON and Parquet agree exactly: names, order, types and values', async () => {
    const json = await values(readJson(fixture('parity', 'records.json')));
    const ndjson = await values(readNdjson(fixture('parity', 'records.ndjson')));
    const parquet = await values(readParquet(parquetFile));
    expect(json).toHaveLength(3);
    expect(ndjson).toEqual(json);
    expect(parquet).toEqual(json);
    for (const set of [ndjson, parquet]) {
      expect(set.map((r) => Object.keys(r))).toEqual(json.map((r) => Object.keys(r)));
    }
  });

  it('CSV with dynamicTyping matches them too', async () => {
    const json = await values(readJson(fixture('parity', 'records.json')));
    const csv = await values(readCsv(fixture('parity', 'records.csv'), { dynamicTyping: true }));
    expect(csv).toEqual(json);
    expect(csv.map((r) => Object.keys(r))).toEqual(json.map((r) => Object.keys(r)));
  });

  it('CSV without dynamicTyping has the same names and each value as its text', async () => {
    const json = await values(readJson(fixture('parity', 'records.json')));
    const csv = await values(readCsv(fixture('parity', 'records.csv')));
    expect(csv.map((r) => Object.keys(r))).toEqual(json.map((r) => Object.keys(r)));
    json.forEach((typed, i) => {
      for (const [key, value] of Object.entries(typed)) {
        const text = csv[i]![key];
        expect(typeof text, `${key} of record ${i}`).toBe('string');
        if (typeof value === 'number') expect(Number(text)).toBe(value);
        else expect(text).toBe(String(value));
      }
    });
  });
});
