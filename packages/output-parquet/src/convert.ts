import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScmError, readLines, ScmError, type StacCollection } from '@scm/core';
import { nonEmptyLines } from './spill.js';
import { type GeoParquetWriterOptions, type GeoParquetWriteResult, PartsWriter } from './writer.js';

/** Options of {@link convertNdjsonToGeoParquet}: the writer's options (see {@link GeoParquetWriterOptions}). */
export interface ConvertNdjsonOptions extends GeoParquetWriterOptions {}

/**
 * Converts an NDJSON file of Items to one stac-geoparquet file. Unlike
 * {@link createGeoParquetWriter} it needs no spill file: pass one reads the
 * input to infer the schema, pass two reads it again to write the rows. The
 * input must not change meanwhile. Lines that are not JSON or not writable
 * Items are reported with their line number.
 */
export async function convertNdjsonToGeoParquet(
  input: string,
  options: ConvertNdjsonOptions,
): Promise<GeoParquetWriteResult> {
  const source = resolve(input);
  try {
    await stat(source);
  } catch (error) {
    throw new ScmError('SCM_INPUT_NOT_FOUND', `${input} does not exist or cannot be read`, {
      cause: error,
      location: { file: input },
    });
  }
  const path = resolve(options.path);
  await mkdir(dirname(path), { recursive: true });
  const collections: Record<string, StacCollection> = { ...(options.collections ?? {}) };
  if (options.collection) collections[options.collection.id] = options.collection;
  const engine = new PartsWriter({
    ...options,
    schemaHints: {
      ...options.schemaHints,
      itemAssets: options.schemaHints?.itemAssets ?? options.collection?.item_assets,
    },
    collections,
    targets: () => [path],
    spillDir: options.tempDir ? resolve(options.tempDir) : dirname(path),
  });
  const skip = new Set<number>();
  const stream = createReadStream(source, { highWaterMark: 1024 * 1024 });
  try {
    for await (const { text, line } of readLines(stream, { file: input })) {
      if (text.trim() === '') continue;
      let item: unknown;
      try {
        item = JSON.parse(text);
      } catch (error) {
        skip.add(line);
        engine.report(text.slice(0, 200), `line is not JSON: ${(error as Error).message}`, undefined, {
          file: input,
          line,
        });
        continue;
      }
      if (engine.observeParsed(item, { file: input, line })) skip.add(line);
    }
  } catch (error) {
    await engine.abort();
    if (isScmError(error)) throw error;
    throw new ScmError('SCM_INPUT_PARSE', `cannot read ${input}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
  const { files, rows, widened, reported } = await engine.finish(() => nonEmptyLines(source, skip));
  const file = files[0]!;
  return { rows, file: file.path, bytes: file.bytes, widened, reported };
}
