import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquet } from '../src/index.js';
import { formatTime, jsonParsers, toJsonValue } from '../src/parquet-values.js';
import { drain, fixture, rejection } from './helpers.js';
import { writeParquetFixtures } from './parquet-fixtures.js';

let dir: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scm-input-parquet-'));
  files = await writeParquetFixtures(dir, fixture('parquet', 'pyarrow-types.parquet'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readParquet with files written by hyparquet-writer', () => {
  it('converts every common type to JSON and numbers rows from 1 across row groups', async () => {
    const file = files.types!;
    const { records, failures } = await drain(readParquet(file));
    expect(failures).toEqual([]);
    expect(records.map((r) => r.origin)).toEqual([1, 2, 3, 4, 5].map((line) => ({ file, line })));
    expect(records.map((r) => r.value)).toEqual([
      {
        i32: 1,
        i64: 1,
        f64: 0.5,
        flag: true,
        name: 'alpha',
        ts_ms: '2024-01-12T13:50:00Z',
        ts_us: '2024-01-12T13:50:00.123456Z',
        day: '2024-01-12',
        tags: ['x', 'y'],
        pair: { a: 1, b: 'one' },
        raw: 'AAEC',
        doc: { k: [1, true] },
      },
      {
        i32: -2147483648,
        i64: '9007199254740993',
        f64: null,
        flag: false,
        name: 'β-é',
        ts_ms: '2024-01-12T13:50:00.500Z',
        ts_us: '2024-01-12T13:50:00Z',
        day: '1969-12-31',
        tags: [],
        pair: { a: null, b: 'two' },
        raw: null,
        doc: null,
      },
      {
        i32: null,
        i64: null,
        f64: null,
        flag: null,
        name: null,
        ts_ms: null,
        ts_us: null,
        day: null,
        tags: null,
        pair: null,
        raw: null,
        doc: null,
      },
      {
        i32: 7,
        i64: -9007199254740991,
        f64: -1e-9,
        flag: true,
        name: '',
        ts_ms: '1970-01-01T00:00:00Z',
        ts_us: '1969-12-31T23:59:59.999999Z',
        day: '1970-01-01',
        tags: ['only'],
        pair: { a: 3, b: null },
        raw: '',
        doc: 'text',
      },
      {
        i32: 0,
        i64: 42,
        f64: 3,
        flag: false,
        name: 'with "quotes", commas',
        ts_ms: '1969-12-31T23:59:59.999Z',
        ts_us: '1970-01-01T00:00:00Z',
        day: '9999-12-31',
        tags: [null, 'z'],
        pair: { a: 5, b: 'five' },
        raw: '/w==',
        doc: [1, 2],
      },
    ]);
    // Records are plain JSON: a round trip changes nothing.
    for (const r of records) expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
  });

  it('reads selected columns in the given order', async () => {
    const { records } = await drain(readParquet(files.types!, { columns: ['name', 'i32'] }));
    expect(Object.keys(records[0]!.value)).toEqual(['name', 'i32']);
    expect(records.map((r) => r.value.i32)).toEqual([1, -2147483648, null, 7, 0]);
  });

  it('gives the same rows when row groups are read in small batches', async () => {
    const whole = await drain(readParquet(files.types!));
    const batched = await drain(readParquet(files.types!, { batchRows: 1 }));
    expect(batched.records).toEqual(whole.records);
  });

  it('decodes GeoParquet WKB geometry columns to GeoJSON, or leaves them binary on request', async () => {
    const { records } = await drain(readParquet(files.geo!));
    expect(records.map((r) => r.value)).toEqual([
      { id: 'p', geometry: { type: 'Point', coordinates: [10.5, -3.25] } },
      {
        id: 'poly',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      },
      { id: 'none', geometry: null },
    ]);
    const raw = await drain(readParquet(files.geo!, { geometry: false }));
    const wkb = Buffer.from(raw.records[0]!.value.geometry as string, 'base64');
    expect(wkb[0]).toBe(1); // little-endian ISO WKB
    expect(wkb.readUInt32LE(1)).toBe(1); // Point
  });

  it('yields a Failure for a row whose geometry is not valid WKB and goes on', async () => {
    const file = files.badValues!;
    const { records, failures } = await drain(readParquet(file));
    expect(records.map((r) => [r.value.id, r.origin.line])).toEqual([
      ['ok', 1],
      ['ok-too', 3],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      item_id: `${file}:2`,
      error_type: 'parse_error',
      error_context: { step: 'read', file, line: 2, field: 'geometry' },
    });
    expect(failures[0]!.error_message).toContain('column "geometry" holds invalid WKB geometry');
  });

  it('yields one parse_error Failure for a truncated footer, a lost footer and a file that is not Parquet', async () => {
    const cases: [string, string][] = [
      [files.truncated!, 'footer is missing or truncated'],
      [files.headless!, 'cannot read the Parquet footer'],
      [files.notParquet!, 'does not start with "PAR1"'],
    ];
    for (const [file, words] of cases) {
      const { records, failures } = await drain(readParquet(file));
      expect(records, file).toEqual([]);
      expect(failures, file).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        item_id: file,
        error_type: 'parse_error',
        error_context: { step: 'read', file },
      });
      expect(failures[0]!.error_message).toContain(file);
      expect(failures[0]!.error_message).toContain(words);
    }
  });

  it('rejects unknown columns and bad batch sizes, and missing files', async () => {
    const column = await rejection(drain(readParquet(files.tiny!, { columns: ['n', 'nope'] })));
    expect(column.code).toBe('SCM_CONFIG_INVALID');
    expect(column.message).toContain('"nope"');
    expect((await rejection(drain(readParquet(files.tiny!, { batchRows: 0 })))).code).toBe(
      'SCM_CONFIG_INVALID',
    );
    expect((await rejection(drain(readParquet(join(dir, 'missing.parquet'))))).code).toBe(
      'SCM_INPUT_NOT_FOUND',
    );
  });

  it('stops with SCM_ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    const error = await rejection(
      (async () => {
        for await (const _ of readParquet(files.types!, { signal: controller.signal })) controller.abort();
      })(),
    );
    expect(error.code).toBe('SCM_ABORTED');
  });
});

describe('readParquet with files written by pyarrow (committed fixtures)', () => {
  it('converts pyarrow types, including unsigned, nanosecond, decimal, map, JSON, dictionary and geo columns', async () => {
    const file = fixture('parquet', 'pyarrow-types.parquet');
    const { records, failures } = await drain(readParquet(file));
    expect(failures).toEqual([]);
    expect(records.map((r) => r.origin.line)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.value).toEqual({
      id: 'a',
      i32: 1,
      i64: 1,
      u64: 0,
      f64: 1.5,
      flag: true,
      ts_ms: '2024-01-12T13:50:00Z',
      ts_us: '2024-01-12T13:50:00.123456Z',
      ts_ns: '2024-01-12T13:50:00.123456789Z',
      day: '2024-01-12',
      tod: '13:50:00',
      price: 12.34,
      tags: ['x', 'y'],
      point: { x: 1, y: 2 },
      attrs: { k1: 1, k2: 2 },
      blob: 'AAEC',
      meta: { a: 1, b: [true, null] },
      category: 'red',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
            [0, 0],
          ],
        ],
      },
    });
    expect(records[1]!.value).toMatchObject({
      i64: 9007199254740991,
      u64: '18446744073709551615',
      day: '1969-12-31',
      tod: '00:00:01.250',
      price: -0.05,
      tags: [],
      attrs: {},
      blob: 'aGVsbG8=',
      geometry: { type: 'Point', coordinates: [10.5, -3.25] },
    });
    expect(records[2]!.value).toMatchObject({
      id: 'c',
      i64: '9007199254740993',
      ts_ms: '1969-12-31T23:59:59.500Z',
      point: { x: null, y: 3.5 },
      meta: [],
      geometry: null,
    });
    expect(records[4]!.value).toMatchObject({
      id: null,
      price: 99999999.99,
      tags: ['a', null],
      attrs: { k: null },
    });
  });

  it.each(['snappy', 'gzip', 'brotli', 'lz4', 'none'])('reads the %s codec', async (codec) => {
    const { records } = await drain(readParquet(fixture('parquet', `codec-${codec}.parquet`)));
    expect(records.map((r) => r.value)).toEqual([
      { id: 'r1', value: 1 },
      { id: 'r2', value: 2 },
      { id: 'r3', value: 3 },
    ]);
  });
});

describe('Parquet value conversion', () => {
  it('never lets bigint, typed arrays, Dates or non-finite numbers through', () => {
    expect(toJsonValue(2n ** 60n, 'base64')).toBe('1152921504606846976');
    expect(toJsonValue(-(2n ** 53n) + 1n, 'base64')).toBe(-9007199254740991);
    expect(toJsonValue(new BigInt64Array([1n, 2n ** 62n]), 'base64')).toEqual([1, '4611686018427387904']);
    expect(toJsonValue(new Float32Array([0.5]), 'base64')).toEqual([0.5]);
    expect(toJsonValue(new Date('2024-01-12T13:50:00Z'), 'base64')).toBe('2024-01-12T13:50:00Z');
    expect(toJsonValue(Number.POSITIVE_INFINITY, 'base64')).toBeNull();
    expect(toJsonValue(new TextEncoder().encode('héllo'), 'utf8')).toBe('héllo');
    expect(toJsonValue({ __proto__: null, constructor: 1, ok: undefined }, 'base64')).toEqual({ ok: null });
  });

  it('formats timestamps, times and bad JSON', () => {
    expect(jsonParsers.timestampFromNanoseconds!(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
    expect(jsonParsers.timestampFromMicroseconds!(1_500n)).toBe('1970-01-01T00:00:00.001500Z');
    expect(jsonParsers.timestampFromMilliseconds!(10n ** 17n)).toBe('100000000000000000');
    expect(formatTime(45_296_789n, 'MILLIS')).toBe('12:34:56.789');
    expect(formatTime(1n, 'NANOS')).toBe('00:00:00.000000001');
    const bad = jsonParsers.jsonFromBytes!(new TextEncoder().encode('{oops'));
    expect(() => toJsonValue(bad, 'base64')).toThrow(/invalid JSON/);
  });
});
