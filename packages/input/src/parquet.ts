import { type FileHandle, open } from 'node:fs/promises';
import {
  errorMessage,
  type Failure,
  isForbiddenKey,
  type JsonObject,
  type JsonValue,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import type { AsyncBuffer, DecodedArray, FileMetaData, ParquetParsers, parquetScan } from 'hyparquet';
import { assertReadableFile, fileError, readFailure, throwIfAborted } from './file-access.js';
import {
  type BinaryEncoding,
  columnConverter,
  guardedGeometryParsers,
  jsonParsers,
  RowValueError,
} from './parquet-values.js';

/** Options of {@link readParquet}. */
export interface ParquetOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Top-level columns to read, in this order. Default: every column, in file order. */
  columns?: string[];
  /**
   * Most rows decoded at once. A row group larger than this is read in slices
   * (pages outside a slice are skipped when the file has an offset index).
   * Default: one whole row group at a time.
   */
  batchRows?: number;
  /**
   * How plain binary columns (no UTF8/STRING/ENUM/JSON annotation and not a
   * geometry) are rendered: `base64` text, or decoded as `utf8` for files
   * whose writer left strings unannotated. Default `'base64'`.
   */
  binary?: BinaryEncoding;
  /**
   * Decode GeoParquet geometry columns (named in the `geo` file metadata,
   * WKB encoded) and native GEOMETRY/GEOGRAPHY columns to GeoJSON. When
   * false they are rendered as binary. Default `true`.
   */
  geometry?: boolean;
  /**
   * Told, as each slice of rows is decoded, its share of the file's size (the file's bytes times the
   * slice's rows over the rows of the file, from the footer's `num_rows`), for progress. Default: none.
   */
  onBytes?: (bytes: number) => void;
}

const PARQUET_MAGIC = 0x31524150; // "PAR1" read as a little-endian uint32

/**
 * Streams the rows of a Parquet file (hyparquet, all common codecs through
 * hyparquet-compressors). Row groups are decoded one at a time, so memory is
 * bounded by the largest row group (or by `batchRows`), never by the file.
 *
 * Values are converted to plain JSON: INT64 becomes a number when it is a
 * safe integer and a decimal string otherwise; timestamps become RFC 3339 UTC
 * strings; DATE becomes `YYYY-MM-DD`; DECIMAL a number; lists, structs and
 * maps arrays and objects; JSON columns are parsed; GeoParquet geometry
 * columns are decoded from WKB to GeoJSON; other binary is base64. See the
 * README for the full table.
 *
 * `origin.line` is the 1-based row number in the file. A row holding a value
 * that cannot be decoded (bad WKB, bad JSON text) is yielded as a {@link Failure};
 * so is a slice of rows whose pages cannot be decoded (reading goes on with
 * the next slice), and a file that is not Parquet or has a missing or
 * truncated footer (one Failure for the file, `parse_error`).
 *
 * @param path - File to read.
 * @param options - See {@link ParquetOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing; `SCM_CONFIG_INVALID` when `columns` names a column
 * the file does not have or `batchRows` is not a positive integer.
 */
export async function* readParquet(
  path: string,
  options: ParquetOptions = {},
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { signal } = options;
  const batchRows = options.batchRows;
  if (batchRows !== undefined && (!Number.isInteger(batchRows) || batchRows < 1)) {
    throw new ScmError('SCM_CONFIG_INVALID', `batchRows must be a positive integer, got ${batchRows}`, {
      location: { file: path },
    });
  }
  throwIfAborted(signal);
  await assertReadableFile(path);

  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    yield* readOpenParquet(path, handle, options, batchRows);
  } catch (error) {
    if (!(error instanceof UnreadableParquet)) throw error;
    yield readFailure({ file: path, ...(error.row ? { line: error.row } : {}), message: error.message });
  } finally {
    await handle.close();
  }
}

/** Content that cannot be decoded: the reader yields it as a Failure and stops reading this file. */
class UnreadableParquet extends Error {
  constructor(
    message: string,
    readonly row?: number,
  ) {
    super(message);
  }
}

/** What {@link planRead} works out before any row is decoded. */
interface ParquetPlan {
  readable: string[];
  converters: ((value: unknown) => JsonValue)[];
  scan: Awaited<ReturnType<typeof parquetScan>>;
}

/**
 * hyparquet and its codecs, loaded on the first Parquet file: the package's other readers (JSON, NDJSON,
 * CSV) are what most runs use, and these take longer to load than all of them.
 */
async function loadHyparquet() {
  const [reader, codecs, convert] = await Promise.all([
    import('hyparquet'),
    import('hyparquet-compressors'),
    import('hyparquet/src/convert.js'),
  ]);
  return { ...reader, compressors: codecs.compressors, DEFAULT_PARSERS: convert.DEFAULT_PARSERS };
}

/** Reads the footer, checks the wanted columns and plans the scan. */
async function planRead(path: string, file: AsyncBuffer, options: ParquetOptions): Promise<ParquetPlan> {
  const { binary = 'base64', geometry = true } = options;
  const { parquetMetadataAsync, parquetSchema, parquetScan, compressors, DEFAULT_PARSERS } =
    await loadHyparquet();
  const parsers: Partial<ParquetParsers> = { ...jsonParsers, ...guardedGeometryParsers(DEFAULT_PARSERS) };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file, { parsers, geoparquet: geometry });
  } catch (error) {
    throw parseError(path, `cannot read the Parquet footer: ${errorMessage(error)}`);
  }
  const schema = parquetSchema(metadata);
  const available = schema.children.map((child) => child.element.name);
  const names = options.columns ?? available;
  const missing = names.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new ScmError(
      'SCM_CONFIG_INVALID',
      `${path} has no column ${missing.map((m) => `"${m}"`).join(', ')}; it has ${available.join(', ')}`,
      { location: { file: path }, details: { missing, available } },
    );
  }
  const readable = names.filter((name) => !isForbiddenKey(name));
  const converters = readable.map((name) => {
    const node = schema.children.find((child) => child.element.name === name)!;
    return columnConverter(node.element, binary);
  });
  try {
    const scan = await parquetScan({
      file,
      metadata,
      columns: readable,
      compressors,
      parsers,
      utf8: binary === 'utf8',
      geoparquet: geometry,
    });
    return { readable, converters, scan };
  } catch (error) {
    throw parseError(path, `cannot plan the read: ${errorMessage(error)}`);
  }
}

/** Decodes the rows slice by slice; a slice that cannot be decoded becomes one Failure and reading goes on. */
async function* readOpenParquet(
  path: string,
  handle: FileHandle,
  options: ParquetOptions,
  batchRows: number | undefined,
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { signal } = options;
  const size = (await handle.stat()).size;
  const file = fileBuffer(handle, size);
  await checkMagic(file, size, path);
  const { readable, converters, scan } = await planRead(path, file, options);

  for (const range of scan.ranges) {
    const step = batchRows ?? range.rowEnd - range.rowStart;
    for (let start = range.rowStart; start < range.rowEnd; start += step) {
      throwIfAborted(signal);
      const end = Math.min(range.rowEnd, start + step);
      let columns: DecodedArray[];
      try {
        columns = await Promise.all(
          readable.map((column) => scan.readColumn({ column, rowStart: start, rowEnd: end })),
        );
      } catch (error) {
        yield readFailure({
          file: path,
          line: start + 1,
          message: `${path}: cannot decode rows ${start + 1}-${end}: ${errorMessage(error)}`,
          details: { rows: [start + 1, end] },
        });
        continue;
      }
      options.onBytes?.((size * (end - start)) / rowsOf(scan.ranges));
      for (let r = 0; r < end - start; r++) {
        throwIfAborted(signal);
        const row = start + r + 1;
        yield buildRow(path, row, readable, converters, columns, r);
      }
    }
  }
}

/** Rows the scan reads, over all its ranges (at least 1). */
function rowsOf(ranges: readonly { rowStart: number; rowEnd: number }[]): number {
  return Math.max(
    1,
    ranges.reduce((sum, range) => sum + range.rowEnd - range.rowStart, 0),
  );
}

function buildRow(
  file: string,
  row: number,
  names: string[],
  converters: ((value: unknown) => JsonValue)[],
  columns: DecodedArray[],
  r: number,
): SourceRecord<JsonObject> | Failure {
  const value: JsonObject = {};
  for (let c = 0; c < names.length; c++) {
    try {
      value[names[c]!] = converters[c]!(columns[c]![r]);
    } catch (error) {
      if (!(error instanceof RowValueError)) throw error;
      return readFailure({
        file,
        line: row,
        message: `Parquet row ${row}: column "${names[c]}" holds ${error.message}`,
        sourceData: value,
        field: names[c],
      });
    }
  }
  return { value, origin: { file, line: row } };
}

/** An AsyncBuffer over an open file handle: each slice is one positioned read into a fresh buffer. */
function fileBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      const bytes = new Uint8Array(length);
      let offset = 0;
      while (offset < length) {
        const { bytesRead } = await handle.read(bytes, offset, length - offset, start + offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

async function checkMagic(file: AsyncBuffer, size: number, path: string): Promise<void> {
  if (size < 12) throw parseError(path, `not a Parquet file: only ${size} bytes`);
  const head = new DataView(await file.slice(0, 4));
  if (head.getUint32(0, true) !== PARQUET_MAGIC) {
    throw parseError(path, 'not a Parquet file: it does not start with "PAR1"');
  }
  const tail = new DataView(await file.slice(size - 4, size));
  if (tail.getUint32(0, true) !== PARQUET_MAGIC) {
    throw parseError(path, 'the Parquet footer is missing or truncated: the file does not end with "PAR1"');
  }
}

function parseError(file: string, message: string): UnreadableParquet {
  return new UnreadableParquet(`${file}: ${message}`);
}
