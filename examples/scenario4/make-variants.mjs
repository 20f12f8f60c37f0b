// Writes data.json, data.ndjson and data.parquet with the same records as
// data.csv, typed as a JSON or Parquet source would type them (numbers as
// numbers). Run from this folder: node make-variants.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import Papa from 'papaparse';

const parsed = Papa.parse(readFileSync('data.csv', 'utf8'), { header: true, skipEmptyLines: true });
const records = parsed.data
  .filter((row) => !parsed.errors.some((e) => e.row === parsed.data.indexOf(row)))
  .map((row) => ({
    ...row,
    cloud_cover: row.cloud_cover === '' ? null : Number(row.cloud_cover),
    notes: row.notes || null,
  }));
// The CSV's last row is ragged on purpose (an unquoted WKT); in typed formats it is a truncated WKT instead.
records.push({
  dataset_id: 'DS008',
  collection_name: 'field-survey-2024',
  acquisition_date: '2024-01-18T06:00:00Z',
  geometry_wkt: 'POLYGON((1 2, 3 4',
  url: 'https://data.example.com/survey/DS008.tif',
  platform: 'sentinel-2a',
  cloud_cover: 2,
  notes: 'broken WKT',
});
writeFileSync('data.json', `${JSON.stringify(records, null, 2)}\n`);
writeFileSync('data.ndjson', `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
const column = (name, type) => ({ name, type, data: records.map((r) => r[name]) });
const buffer = parquetWriteBuffer({
  columnData: [
    column('dataset_id', 'STRING'),
    column('collection_name', 'STRING'),
    column('acquisition_date', 'STRING'),
    column('geometry_wkt', 'STRING'),
    column('url', 'STRING'),
    column('platform', 'STRING'),
    column('cloud_cover', 'DOUBLE'),
    column('notes', 'STRING'),
  ],
});
writeFileSync('data.parquet', new Uint8Array(buffer));
console.log(`${records.length} records written as JSON, NDJSON and Parquet`);
