// NDJSON → stac-geoparquet with @scm/output-parquet (the built dist).
// Usage: node bench/convert-ours.mjs <in.ndjson> <out.parquet> [codec] [stream]
//   stream: use createGeoParquetWriter (items pushed one by one, spilled) instead of convertNdjsonToGeoParquet.
//   one-thread: convertNdjsonToGeoParquet with pass two on this thread only (helperThread: false).
import { createReadStream } from 'node:fs';
import { readLines } from '@scm/core';
import { convertNdjsonToGeoParquet, createGeoParquetWriter } from '../dist/index.js';

const [input, output, codec = 'ZSTD', mode = 'convert'] = process.argv.slice(2);
let result;
if (mode === 'stream') {
  const writer = createGeoParquetWriter({ path: output, codec });
  for await (const { text } of readLines(createReadStream(input, { highWaterMark: 1 << 20 }))) {
    if (text) await writer.write(JSON.parse(text));
  }
  result = await writer.finish();
} else {
  const helperThread = mode === 'one-thread' ? false : undefined;
  result = await convertNdjsonToGeoParquet(input, { path: output, codec, helperThread });
}
console.log(JSON.stringify({ rows: result.rows, bytes: result.bytes, reported: result.reported.length }));
