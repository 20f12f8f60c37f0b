import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Failure, fileSystemError, isPlainObject, readLines, type StacItem } from '@scm/core';
import { createGeoParquetWriter } from '@scm/output-parquet';
import Papa from 'papaparse';

/** Formats a single-file output can take. */
export type FileOutputFormat = 'json' | 'ndjson' | 'csv' | 'parquet';

/** A single output file written record by record, then renamed into place. */
export interface FileOutput {
  /** Writes one record; resolves to a Failure when this output cannot take it (Parquet). */
  write(record: Record<string, unknown>): Promise<Failure | undefined>;
  /** Finishes the file; returns the number of records. */
  close(): Promise<number>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

/** Picks the format from `--output-format`, else from the file extension (default json). */
export function formatFromPath(path: string, explicit?: string): string {
  if (explicit) return explicit;
  const lower = path.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet') || lower.endsWith('.geoparquet')) return 'parquet';
  return 'json';
}

/** A write stream on `path` whose errors name `shownAs` (the user's output path, not a temporary name). */
function openStream(
  path: string,
  shownAs: string,
): {
  stream: WriteStream;
  put(text: string): Promise<void>;
  end(): Promise<void>;
} {
  const stream = createWriteStream(path);
  let failure: unknown;
  stream.on('error', (e) => {
    failure = e;
  });
  return {
    stream,
    async put(text) {
      if (failure) throw fileSystemError(failure, shownAs, 'write');
      if (!stream.write(text)) await new Promise<void>((r) => stream.once('drain', r));
    },
    end: () =>
      new Promise<void>((resolve, reject) =>
        stream.end((e?: Error | null) =>
          e || failure ? reject(fileSystemError(e ?? failure, shownAs, 'write')) : resolve(),
        ),
      ),
  };
}

/** Flattens nested objects to dotted column names; arrays become JSON text. */
export function flattenRecord(
  record: Record<string, unknown>,
  prefix = '',
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(value)) flattenRecord(value, name, out);
    else if (Array.isArray(value)) out[name] = JSON.stringify(value);
    else out[name] = value;
  }
  return out;
}

/**
 * Opens `path` for records. Parquet is stac-geoparquet (items only). JSON is a FeatureCollection when `items` is true
 * (so `validate --input` and STAC tools read it), else a JSON array; NDJSON
 * is one record per line; CSV flattens nested fields to dotted columns and,
 * since the header must list every column, spills rows to a temporary NDJSON
 * file first (memory stays flat). Everything is written beside the target
 * and renamed into place on close.
 */
export async function openFileOutput(
  path: string,
  format: FileOutputFormat,
  options: { items: boolean },
): Promise<FileOutput> {
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw fileSystemError(error, path, 'write');
  });
  if (format === 'parquet') {
    const writer = createGeoParquetWriter({ path });
    let rows = 0;
    return {
      async write(record) {
        const failure = await writer.write(record as StacItem);
        if (!failure) rows += 1;
        return failure;
      },
      async close() {
        await writer.finish();
        return rows;
      },
      abort: () => writer.abort(),
    };
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const out = openStream(format === 'csv' ? `${temp}.rows` : temp, path);
  let count = 0;
  if (format === 'json')
    await out.put(options.items ? '{\n"type": "FeatureCollection",\n"features": [\n' : '[\n');
  const columns = new Set<string>();
  return {
    async write(record) {
      if (format === 'json') await out.put(`${count > 0 ? ',\n' : ''}${JSON.stringify(record, null, 2)}`);
      else if (format === 'ndjson') await out.put(`${JSON.stringify(record)}\n`);
      else {
        const flat = flattenRecord(record);
        for (const key of Object.keys(flat)) columns.add(key);
        await out.put(`${JSON.stringify(flat)}\n`);
      }
      count += 1;
      return undefined;
    },
    async close() {
      if (format === 'json') await out.put(options.items ? '\n]\n}\n' : '\n]\n');
      await out.end();
      if (format === 'csv') {
        const header = [...columns];
        const csv = openStream(temp, path);
        await csv.put(`${Papa.unparse([header])}\r\n`);
        for await (const line of readLines(createReadStream(`${temp}.rows`))) {
          if (!line.text) continue;
          const row = JSON.parse(line.text) as Record<string, unknown>;
          await csv.put(`${Papa.unparse([header.map((c) => row[c] ?? '')])}\r\n`);
        }
        await csv.end();
        await rm(`${temp}.rows`, { force: true });
      }
      await rename(temp, path).catch((error: unknown) => {
        throw fileSystemError(error, path, 'write');
      });
      return count;
    },
    async abort() {
      await out.end().catch(() => undefined);
      await rm(temp, { force: true });
      await rm(`${temp}.rows`, { force: true });
    },
  };
}
