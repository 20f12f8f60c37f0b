// Reads a stac-geoparquet file with @scm/output-parquet (the built dist) and writes its Items as NDJSON, the
// work of `scm output --input x.parquet --output-format ndjson` without the CLI around it.
// Usage: node bench/read-ours.mjs <in.parquet> <out.ndjson> [rowsPerBatch]
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readGeoParquet } from '../dist/index.js';

const [input, output, batch] = process.argv.slice(2);
const options = batch ? { rowsPerBatch: Number(batch) } : {};
const out = createWriteStream(output);
let rows = 0;
for await (const item of readGeoParquet(input, options)) {
  rows += 1;
  if (!out.write(`${JSON.stringify(item)}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
console.log(JSON.stringify({ rows }));
