import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { geojsonToWkb, parquetWriteFile, type SchemaElement } from 'hyparquet-writer';

/**
 * Writes the Parquet files the tests read, with hyparquet-writer, into `dir`.
 * Generated rather than committed so the schema is visible next to the
 * assertions; the pyarrow-written files are committed (see fixtures/README.md).
 */
export async function writeParquetFixtures(
  dir: string,
  pyarrowFile: string,
): Promise<Record<string, string>> {
  const files = {
    types: join(dir, 'types.parquet'),
    geo: join(dir, 'geo.parquet'),
    badValues: join(dir, 'bad-values.parquet'),
    truncated: join(dir, 'truncated.parquet'),
    headless: join(dir, 'cut-footer.parquet'),
    notParquet: join(dir, 'not-parquet.parquet'),
    tiny: join(dir, 'tiny.parquet'),
  };

  const opt = (name: string, extra: Partial<SchemaElement> = {}): SchemaElement => ({
    name,
    repetition_type: 'OPTIONAL',
    ...extra,
  });
  const typesSchema: SchemaElement[] = [
    { name: 'root', num_children: 12 },
    opt('i32', { type: 'INT32' }),
    opt('i64', { type: 'INT64' }),
    opt('f64', { type: 'DOUBLE' }),
    opt('flag', { type: 'BOOLEAN' }),
    opt('name', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    opt('ts_ms', { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }),
    opt('ts_us', {
      type: 'INT64',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    }),
    opt('day', { type: 'INT32', converted_type: 'DATE' }),
    opt('tags', { converted_type: 'LIST', num_children: 1 }),
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    opt('element', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    opt('pair', { num_children: 2 }),
    opt('a', { type: 'INT32' }),
    opt('b', { type: 'BYTE_ARRAY', converted_type: 'UTF8' }),
    opt('raw', { type: 'BYTE_ARRAY' }),
    opt('doc', { type: 'BYTE_ARRAY', converted_type: 'JSON' }),
  ];
  parquetWriteFile({
    filename: files.types,
    schema: typesSchema,
    rowGroupSize: 2,
    columnData: [
      { name: 'i32', data: [1, -2147483648, null, 7, 0] },
      { name: 'i64', data: [1n, 9007199254740993n, null, -9007199254740991n, 42n] },
      { name: 'f64', data: [0.5, Number.NaN, null, -1e-9, 3] },
      { name: 'flag', data: [true, false, null, true, false] },
      { name: 'name', data: ['alpha', 'β-é', null, '', 'with "quotes", commas'] },
      {
        name: 'ts_ms',
        data: [
          new Date('2024-01-12T13:50:00Z'),
          new Date('2024-01-12T13:50:00.5Z'),
          null,
          new Date(0),
          new Date(-1),
        ],
      },
      { name: 'ts_us', data: [1705067400123456n, 1705067400000000n, null, -1n, 0n] },
      { name: 'day', data: [19734, -1, null, 0, 2932896] },
      { name: 'tags', data: [['x', 'y'], [], null, ['only'], [null, 'z']] },
      {
        name: 'pair',
        data: [{ a: 1, b: 'one' }, { a: null, b: 'two' }, null, { a: 3, b: null }, { a: 5, b: 'five' }],
      },
      {
        name: 'raw',
        data: [new Uint8Array([0, 1, 2]), null, null, new Uint8Array([]), new Uint8Array([255])],
      },
      { name: 'doc', data: [{ k: [1, true] }, null, null, 'text', [1, 2]] },
    ],
  });

  const geo = {
    version: '1.1.0',
    primary_column: 'geometry',
    columns: { geometry: { encoding: 'WKB', geometry_types: ['Point', 'Polygon'] } },
  };
  parquetWriteFile({
    filename: files.geo,
    columnData: [
      { name: 'id', data: ['p', 'poly', 'none'], type: 'STRING' },
      {
        name: 'geometry',
        data: [
          geojsonToWkb({ type: 'Point', coordinates: [10.5, -3.25] }),
          geojsonToWkb({
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 0],
                [1, 1],
                [0, 0],
              ],
            ],
          }),
          null,
        ],
        type: 'BYTE_ARRAY',
      },
    ],
    kvMetadata: [{ key: 'geo', value: JSON.stringify(geo) }],
  });

  parquetWriteFile({
    filename: files.badValues,
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'geometry', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
    ],
    columnData: [
      { name: 'id', data: ['ok', 'bad-wkb', 'ok-too'] },
      {
        name: 'geometry',
        data: [geojsonToWkb({ type: 'Point', coordinates: [1, 2] }), new Uint8Array([1, 99, 0, 0, 0]), null],
      },
    ],
    kvMetadata: [
      {
        key: 'geo',
        value: JSON.stringify({ ...geo, columns: { geometry: { encoding: 'WKB', geometry_types: [] } } }),
      },
    ],
  });

  parquetWriteFile({
    filename: files.tiny,
    columnData: [{ name: 'n', data: [1, 2, 3], type: 'INT32' }],
  });

  const bytes = await readFile(pyarrowFile);
  await writeFile(files.truncated, bytes.subarray(0, bytes.length - 10));
  // Keep the trailing magic but lose the footer: the metadata length then points before the file start.
  await writeFile(files.headless, Buffer.concat([bytes.subarray(0, 200), bytes.subarray(bytes.length - 8)]));
  await copyFile(new URL('./fixtures/csv/wkt.csv', import.meta.url), files.notParquet);
  return files;
}
