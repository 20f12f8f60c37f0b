import { type FileHandle, open as openFile, stat } from 'node:fs/promises';
import {
  isPlainObject,
  ScmError,
  type StacCollection,
  type StacItem,
  type StreamOptions,
  stripForbiddenKeys,
} from '@scm/core';
import {
  asyncBufferFromFile,
  type FileMetaData,
  type ParquetParsers,
  parquetMetadataAsync,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { RowDecoder } from './decode.js';
import type { GeoMetadata, StacGeoParquetMetadata } from './metadata.js';
import { RowGroupReader } from './page-reader.js';
import { planFromParquet, ROUNDTRIP_METADATA_KEY, type RoundtripMetadata } from './plan.js';

/** Options of {@link readGeoParquet}. */
export interface ReadGeoParquetOptions extends StreamOptions {
  /**
   * Rows decoded at once. Memory holds one batch (plus one page per column,
   * kept undecoded). Default 64: a batch of 13 KB items is then short-lived
   * enough to die in V8's young generation; larger batches get promoted and
   * grow the heap with garbage (bench:read: 1024 rows, +50 % peak RSS).
   */
  rowsPerBatch?: number;
  /** Called when a batch has been decoded, before its items are yielded (progress, tests). */
  onBatch?: (batch: GeoParquetBatch) => void;
}

/** What {@link readGeoParquetMetadata} reports about a file. */
export interface GeoParquetFileMetadata {
  /** Rows in the file. */
  rows: number;
  /** Row groups in the file. */
  rowGroups: number;
  /** Column names, in file order. */
  columns: string[];
  /** The writing application (`created_by`). */
  createdBy?: string;
  /** Collections from the `stac-geoparquet` metadata (also the deprecated singular `collection`). */
  collections: Record<string, StacCollection>;
  /** The `stac-geoparquet` metadata as stored. */
  stacGeoparquet?: StacGeoParquetMetadata;
  /** The GeoParquet `geo` metadata. */
  geo?: GeoMetadata;
  /** This package's round-trip metadata, for files it wrote. */
  roundtrip?: RoundtripMetadata;
}

const textDecoder = new TextDecoder();
const FORBIDDEN = /__proto__|constructor|prototype/;

function parseJsonText(text: string): unknown {
  const value = JSON.parse(text);
  return FORBIDDEN.test(text) ? stripForbiddenKeys(value) : value;
}

/** Parsers that keep what the decoder needs exact: timestamps as bigint microseconds, JSON without forbidden keys. */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMicroseconds: (micros: bigint) => micros,
  timestampFromMilliseconds: (millis: bigint) => BigInt(millis) * 1000n,
  timestampFromNanoseconds: (nanos: bigint) => {
    const micros = nanos / 1000n;
    return nanos < 0n && micros * 1000n !== nanos ? micros - 1n : micros;
  },
  jsonFromBytes: (bytes: Uint8Array) => (bytes ? parseJsonText(textDecoder.decode(bytes)) : bytes),
};

async function open(
  path: string,
): Promise<{ file: Awaited<ReturnType<typeof asyncBufferFromFile>>; metadata: FileMetaData }> {
  try {
    await stat(path);
  } catch (error) {
    throw new ScmError('SCM_INPUT_NOT_FOUND', `${path} does not exist or cannot be read`, {
      cause: error,
      location: { file: path },
    });
  }
  const file = await asyncBufferFromFile(path);
  try {
    const metadata = await parquetMetadataAsync(file, { geoparquet: false });
    return { file, metadata };
  } catch (error) {
    throw new ScmError(
      'SCM_INPUT_PARSE',
      `${path} is not a readable Parquet file: ${(error as Error).message}`,
      {
        cause: error,
        location: { file: path },
      },
    );
  }
}

function keyValue(metadata: FileMetaData, key: string): unknown {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === key);
  if (!entry?.value) return undefined;
  try {
    return parseJsonText(entry.value);
  } catch {
    return undefined;
  }
}

function describe(path: string, metadata: FileMetaData): GeoParquetFileMetadata {
  const stacGeoparquet = keyValue(metadata, 'stac-geoparquet');
  const geo = keyValue(metadata, 'geo');
  const roundtrip = keyValue(metadata, ROUNDTRIP_METADATA_KEY);
  const collections: Record<string, StacCollection> = {};
  if (isPlainObject(stacGeoparquet)) {
    const single = stacGeoparquet.collection;
    if (isPlainObject(single) && typeof single.id === 'string')
      collections[single.id] = single as StacCollection;
    if (isPlainObject(stacGeoparquet.collections)) {
      for (const [id, collection] of Object.entries(stacGeoparquet.collections)) {
        if (isPlainObject(collection)) collections[id] = collection as StacCollection;
      }
    }
  }
  void path;
  return {
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    columns: parquetSchema(metadata).children.map((c) => c.element.name),
    createdBy: metadata.created_by,
    collections,
    stacGeoparquet: isPlainObject(stacGeoparquet) ? (stacGeoparquet as StacGeoParquetMetadata) : undefined,
    geo: isPlainObject(geo) ? (geo as GeoMetadata) : undefined,
    roundtrip:
      isPlainObject(roundtrip) && roundtrip.version === 1
        ? (roundtrip as unknown as RoundtripMetadata)
        : undefined,
  };
}

/** Reads the file-level metadata of a stac-geoparquet file (collections, `geo`, counts). */
export async function readGeoParquetMetadata(path: string): Promise<GeoParquetFileMetadata> {
  const { metadata } = await open(path);
  return describe(path, metadata);
}

/** Rows decoded at once when `rowsPerBatch` is not given: under 1 MB of JSON for 13 KB items, so that a batch's objects die young (bench:read). */
const DEFAULT_ROWS_PER_BATCH = 64;

/** Reports a batch as it is decoded; see {@link ReadGeoParquetOptions.onBatch}. */
export interface GeoParquetBatch {
  /** Index of the row group the batch comes from. */
  rowGroup: number;
  /** Index in the file of the batch's first row. */
  rowStart: number;
  /** Rows in the batch. */
  rows: number;
}

function rowsPerBatchOf(options: ReadGeoParquetOptions): number {
  const rows = options.rowsPerBatch ?? DEFAULT_ROWS_PER_BATCH;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new ScmError('SCM_USAGE', `rowsPerBatch must be a positive integer, got ${rows}`);
  }
  return rows;
}

/** Decodes one row group a batch at a time; each batch's rows are released as they are yielded. */
async function* readRowGroup(
  handle: FileHandle,
  context: { path: string; metadata: FileMetaData; index: number; rowStart: number },
  batchRows: number,
  options: ReadGeoParquetOptions,
): AsyncGenerator<Record<string, unknown>> {
  const { path, metadata, index } = context;
  const group = metadata.row_groups[index]!;
  const groupRows = Number(group.num_rows);
  let reader: RowGroupReader | undefined;
  for (let done = 0; done < groupRows; ) {
    if (options.signal?.aborted) {
      throw new ScmError('SCM_ABORTED', 'the read was aborted', { cause: options.signal.reason });
    }
    const count = Math.min(batchRows, groupRows - done);
    const rowStart = context.rowStart + done;
    let rows: Record<string, unknown>[];
    try {
      reader ??= await RowGroupReader.open(handle, parquetSchema(metadata), group, {
        compressors,
        parsers: PARSERS,
      });
      rows = await reader.read(count);
    } catch (error) {
      throw new ScmError(
        'SCM_INPUT_PARSE',
        `cannot read rows ${rowStart}-${rowStart + count - 1} of ${path}`,
        {
          cause: error,
          location: { file: path },
        },
      );
    }
    options.onBatch?.({ rowGroup: index, rowStart, rows: count });
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      rows[i] = undefined as unknown as Record<string, unknown>;
      yield row;
    }
    done += count;
  }
}

/**
 * Streams the Items of a stac-geoparquet file, `rowsPerBatch` rows at a
 * time: column chunks are read from the file page by page and a page's
 * values are converted only for the rows being taken, so memory holds one
 * batch and one undecoded page (and, while it is used, the dictionary) per
 * column whatever the size of the file or of its row groups. Files written
 * by this package come back exactly as they were written (see the README's
 * round-trip guarantees); files from other
 * writers are read with defaults (Parquet nulls become absent members,
 * except `datetime`).
 */
export async function* readGeoParquet(
  path: string,
  options: ReadGeoParquetOptions = {},
): AsyncGenerator<StacItem> {
  const batchRows = rowsPerBatchOf(options);
  const { metadata } = await open(path);
  const info = describe(path, metadata);
  const geoColumns = new Set(Object.keys(info.geo?.columns ?? {}));
  const plan = planFromParquet(parquetSchema(metadata), info.roundtrip, geoColumns);
  const decoder = new RowDecoder(plan);
  const handle = await openFile(path, 'r');
  try {
    let rowStart = 0;
    for (let index = 0; index < metadata.row_groups.length; index++) {
      const context = { path, metadata, index, rowStart };
      for await (const row of readRowGroup(handle, context, batchRows, options)) yield decoder.decode(row);
      rowStart += Number(metadata.row_groups[index]!.num_rows);
    }
  } finally {
    await handle.close();
  }
}
