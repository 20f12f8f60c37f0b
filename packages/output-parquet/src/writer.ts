import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type AnyIterable,
  type Failure,
  isScmError,
  ScmError,
  type StacAsset,
  type StacCollection,
  type StacItem,
} from '@scm/core';
import type { KeyValue } from 'hyparquet';
import { ParquetWriter } from 'hyparquet-writer';
import { compressorsFor, type ParquetCodec } from './codec.js';
import { AsyncFileWriter } from './file-writer.js';
import { SchemaBuilder } from './infer.js';
import { type ItemOrigin, ItemObserver } from './item-observer.js';
import { buildGeoMetadata, buildStacGeoParquetMetadata } from './metadata.js';
import {
  collectWidenings,
  type FilePlan,
  planFromInference,
  ROUNDTRIP_METADATA_KEY,
  roundtripMetadataOf,
} from './plan.js';
import type { PropertyTypeHint } from './shape.js';
import { ShredHelper, helperByDefault } from './shred-helper.js';
import {
  closeRowGroup,
  emptyGeometryStats,
  encodeLeaves,
  type EncodeSettings,
  encodeSettingsOf,
  type GeometryStats,
  Layout,
  type LeafShare,
  RowShredder,
  rebaseLeaves,
  splitPoint,
  writeRowGroup,
} from './shred.js';
import { SpillFile } from './spill.js';

/** Declared schema that the writer starts from before any item arrives. */
export interface SchemaHints {
  /**
   * Asset definitions, keyed by asset key (a collection's `item_assets`). Each
   * becomes an asset struct even when no item has it; member types come from
   * the definition's values. Default: the `collection` option's `item_assets`.
   */
  itemAssets?: Record<string, Partial<StacAsset>>;
  /**
   * Property types declared up front, e.g. from extension schemas:
   * `{ 'eo:cloud_cover': 'double', 'proj:code': 'string' }`. Declared columns
   * exist even when no item has them. Data still widens them. Default: none.
   */
  properties?: Record<string, PropertyTypeHint>;
}

/** Options shared by every writer of this package. */
export interface GeoParquetWriteOptions {
  /** Rows per row group; memory is bounded by one row group (default 10 000). */
  rowGroupSize?: number;
  /**
   * A row group also ends once its items' JSON text reaches this length (characters, bytes for ASCII text;
   * default 64 MiB): 10,000 CMR-STAC HLS items of 13 KB would hold 130 MB of values in pass two.
   */
  rowGroupBytes?: number;
  /** Compression codec (default `ZSTD`, level 3, via zstd-wasm). */
  codec?: ParquetCodec;
  /** Codec level for `ZSTD` (default 3) or `GZIP` (default 6); ignored otherwise. */
  compressionLevel?: number;
  /** Declared schema (default: derived from the collection's `item_assets`). */
  schemaHints?: SchemaHints;
  /**
   * Store `assets` as one JSON text column instead of the spec's struct of
   * asset structs: faster to write and read, but not spec-conformant (default false).
   */
  assetsAsJson?: boolean;
  /** Store `links` as one JSON text column instead of list<struct> (default false). */
  linksAsJson?: boolean;
  /** Folder for the temporary NDJSON spill file (default: the output file's folder). */
  tempDir?: string;
  /** Aborts the write; temporary files are removed and `SCM_ABORTED` is thrown. */
  signal?: AbortSignal;
  /**
   * Shred and encode about 60 % of each row group's columns on a second thread. The file is byte for byte
   * the same; memory still holds one row group. Default: when the machine has more than one core and the
   * file gets at least 10,000 rows.
   */
  helperThread?: boolean;
}

/** Options of {@link createGeoParquetWriter}. */
export interface GeoParquetWriterOptions extends GeoParquetWriteOptions {
  /** Output file. Written to a temporary name and renamed when complete. */
  path: string;
  /** The items' collection: stored in the file metadata, and its `item_assets` seed the schema. */
  collection?: StacCollection;
  /** More collections for the file metadata, by id (default: only `collection`). */
  collections?: Record<string, StacCollection>;
}

/** What a finished writer reports. */
export interface GeoParquetWriteResult {
  /** Rows written. */
  rows: number;
  /** The file written (absolute path). */
  file: string;
  /** Size of the file in bytes. */
  bytes: number;
  /** Columns whose type was widened, e.g. `properties.gsd: int → double`. */
  widened: string[];
  /** Items that could not be written, with the reason. */
  reported: Failure[];
}

/** A streaming stac-geoparquet writer. */
export interface GeoParquetWriter {
  /**
   * Adds one item. Resolves to a {@link Failure} when the item cannot be
   * written (it is also listed in `reported`); await each call.
   */
  write(item: StacItem, text?: string): Promise<Failure | undefined>;
  /** Writes the file and removes temporary files. Call once. */
  finish(): Promise<GeoParquetWriteResult>;
  /** Stops without writing and removes temporary files. */
  abort(): Promise<void>;
}

/** One file of a multi-part write. */
export interface PartFile {
  /** Absolute path. */
  path: string;
  /** Rows in it. */
  rows: number;
  /** Bytes. */
  bytes: number;
}

/** Internal options of the part-aware writer. */
export interface PartsWriterOptions extends GeoParquetWriteOptions {
  /** Final file paths for a given number of parts. */
  targets: (parts: number) => string[];
  /** Most rows in one file (default unlimited). */
  maxRowsPerFile?: number;
  /** Collections for the `stac-geoparquet` metadata. */
  collections: Record<string, StacCollection>;
  /** Where the spill file goes. */
  spillDir: string;
}

const CREATED_BY = '@scm/output-parquet 0.1.0 (hyparquet-writer 0.17.0)';

function abortError(signal: AbortSignal): ScmError {
  return new ScmError('SCM_ABORTED', 'the write was aborted', { cause: signal.reason });
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ScmError('SCM_USAGE', `${what} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * The engine behind every writer: pass one checks and observes items and
 * spills them as NDJSON; `finish()` decides the schema, then pass two reads
 * the spill back one row group at a time and writes the Parquet file(s).
 */
export class PartsWriter {
  /** Pass one's checks and schema, handed to the observer thread and back in a long replayed run. */
  readonly observer: ItemObserver;
  private readonly spill: SpillFile;
  private readonly rowGroupSize: number;
  private readonly rowGroupBytes: number;
  private readonly maxRowsPerFile: number;
  private state: 'open' | 'finishing' | 'closed' = 'open';
  private collections: Record<string, StacCollection>;

  constructor(private readonly options: PartsWriterOptions) {
    this.collections = options.collections;
    this.rowGroupSize = positiveInteger(options.rowGroupSize, 10_000, 'rowGroupSize');
    this.rowGroupBytes = positiveInteger(options.rowGroupBytes, 64 * 1024 * 1024, 'rowGroupBytes');
    this.maxRowsPerFile = options.maxRowsPerFile ?? Number.POSITIVE_INFINITY;
    const check = { assetsAsJson: options.assetsAsJson ?? false, linksAsJson: options.linksAsJson ?? false };
    const builder = new SchemaBuilder({
      ...check,
      itemAssets: options.schemaHints?.itemAssets,
      properties: options.schemaHints?.properties,
    });
    this.observer = new ItemObserver(builder, check);
    const tag = randomBytes(6).toString('hex');
    this.spill = new SpillFile(join(options.spillDir, `.scm-parquet-spill-${process.pid}-${tag}.ndjson`));
  }

  /** Items accepted so far. */
  get rows(): number {
    return this.observer.builder.items;
  }

  /** Replaces the collections of the file metadata, for a caller that knows them only after the items. */
  useCollections(collections: Record<string, StacCollection>): void {
    this.collections = collections;
  }

  /** The lines spilled so far, in order: another writer observes them again with other schema hints. */
  spilled(): AsyncIterable<string> {
    return this.spill.read();
  }

  /**
   * Checks, observes and spills one item. `text`, when given, is the item's JSON text (any text that parses
   * to `item`, e.g. the NDJSON line it was read from): it is spilled as it is instead of serialising again.
   */
  async write(item: StacItem, text?: string): Promise<Failure | undefined> {
    this.assertOpen();
    const failure = this.observer.admit(item);
    if (failure) return failure;
    let line = text;
    try {
      line ??= JSON.stringify(item);
    } catch (error) {
      return this.observer.report(item, `the item is not JSON-serialisable: ${(error as Error).message}`);
    }
    this.observer.record(item);
    try {
      await this.spill.append(line);
    } catch (error) {
      throw new ScmError('SCM_OUTPUT_WRITE', `cannot write the spill file ${this.spill.path}`, {
        cause: error,
      });
    }
    return undefined;
  }

  /**
   * Checks and observes an item parsed from JSON text without spilling it:
   * the caller replays the same text in pass two (see `finish(source)`).
   */
  observeParsed(item: unknown, origin: ItemOrigin = {}): Failure | undefined {
    this.assertOpen();
    return this.observer.observe(item, origin);
  }

  /** Records a failure for an item that cannot be written. */
  report(item: unknown, message: string, field?: string, origin: ItemOrigin = {}): Failure {
    return this.observer.report(item, message, field, origin);
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new ScmError('SCM_USAGE', 'write() after finish() or abort()');
    const { signal } = this.options;
    if (signal?.aborted) throw abortError(signal);
  }

  /** Removes temporary files. */
  async abort(): Promise<void> {
    this.state = 'closed';
    await this.spill.remove();
  }

  /**
   * Writes the Parquet file(s). Pass two reads the spill file, or `source`
   * when given: the JSON texts of exactly the items observed, in order.
   */
  async finish(
    source?: () => AsyncIterable<string>,
  ): Promise<{ files: PartFile[]; rows: number; widened: string[]; reported: Failure[] }> {
    if (this.state !== 'open') throw new ScmError('SCM_USAGE', 'finish() called twice or after abort()');
    this.state = 'finishing';
    const temporary: string[] = [];
    let lines: AsyncIterator<string> | undefined;
    try {
      const b = this.observer.builder;
      const columns = b.result();
      const plan = planFromInference(
        columns,
        b.items,
        b.foreignMembers || b.reservedProperties || b.inexactGeometry,
      );
      const widened = collectWidenings(columns);
      const parts = Math.max(1, Math.ceil(b.items / this.maxRowsPerFile));
      const targets = this.options.targets(parts).map((p) => resolve(p));
      const files: PartFile[] = [];
      lines = (source ? source() : this.spill.read())[Symbol.asyncIterator]();
      let remaining = b.items;
      for (let part = 0; part < parts; part++) {
        const rows = Math.min(remaining, this.maxRowsPerFile);
        remaining -= rows;
        const target = targets[part]!;
        const temp = join(dirname(target), `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
        temporary.push(temp);
        const bytes = await this.writePart(plan, temp, rows, lines);
        files.push({ path: target, rows, bytes });
      }
      for (let i = 0; i < files.length; i++) {
        await rename(temporary[i]!, files[i]!.path);
      }
      temporary.length = 0;
      return { files, rows: b.items, widened, reported: this.observer.reported };
    } catch (error) {
      if (isScmError(error)) throw error;
      throw new ScmError('SCM_OUTPUT_WRITE', `cannot write stac-geoparquet: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.state = 'closed';
      await lines?.return?.(undefined).catch(() => undefined);
      await this.spill.remove().catch(() => undefined);
      for (const temp of temporary) await rm(temp, { force: true }).catch(() => undefined);
    }
  }

  private async writePart(
    plan: FilePlan,
    path: string,
    rows: number,
    lines: AsyncIterator<string>,
  ): Promise<number> {
    const codec = this.options.codec ?? 'ZSTD';
    const compressors = await compressorsFor(codec, this.options.compressionLevel);
    const stats: GeometryStats = emptyGeometryStats();
    const layout = new Layout(plan);
    const kvMetadata: KeyValue[] = [
      {
        key: 'stac-geoparquet',
        value: JSON.stringify(buildStacGeoParquetMetadata(this.collections)),
      },
      { key: ROUNDTRIP_METADATA_KEY, value: JSON.stringify(roundtripMetadataOf(plan)) },
    ];
    await mkdir(dirname(path), { recursive: true });
    const file = await AsyncFileWriter.create(path);
    let closed = false;
    let helper: SplitShredding | undefined;
    try {
      const writer = new ParquetWriter({
        writer: file,
        schema: layout.schema,
        codec,
        compressors,
        kvMetadata,
        createdBy: CREATED_BY,
      });
      helper = this.splitShredding(plan, layout, rows, writer);
      const shredder = new RowShredder(plan, layout, stats, helper?.share);
      await this.writeRowGroups(writer, layout, shredder, rows, lines, helper);
      layout.reset();
      kvMetadata.push({ key: 'geo', value: JSON.stringify(buildGeoMetadata(plan, stats)) });
      writer.finish();
      closed = true;
      await file.close();
    } finally {
      await helper?.thread.close();
      if (!closed) await file.discard();
    }
    return (await stat(path)).size;
  }

  /** Pass two's row groups of one file: each line parsed and shredded, then the leaves encoded. */
  private async writeRowGroups(
    writer: ParquetWriter,
    layout: Layout,
    shredder: RowShredder,
    rows: number,
    lines: AsyncIterator<string>,
    helper: SplitShredding | undefined,
  ): Promise<void> {
    const { signal } = this.options;
    let written = 0;
    while (written < rows) {
      if (signal?.aborted) throw abortError(signal);
      const most = Math.min(this.rowGroupSize, rows - written);
      layout.reset();
      let size = 0;
      // The row group also ends at rowGroupBytes of JSON text: its values are what pass two holds in memory.
      for (let text = 0; size < most && text < this.rowGroupBytes; size++) {
        const next = await lines.next();
        if (next.done) throw new ScmError('SCM_INTERNAL', 'the item source ended early');
        text += next.value.length;
        helper?.thread.send(next.value);
        shredder.shred(JSON.parse(next.value));
      }
      if (helper) await writeSplitRowGroup(writer, layout, shredder, helper, size);
      else await writeRowGroup(writer, layout, { rows: size });
      written += size;
    }
  }

  /** A helper thread for a file of `rows` rows, when it is asked for (or by default) and the layout splits. */
  private splitShredding(
    plan: FilePlan,
    layout: Layout,
    rows: number,
    writer: ParquetWriter,
  ): SplitShredding | undefined {
    if (!(this.options.helperThread ?? helperByDefault(rows))) return undefined;
    const split = splitPoint(layout, plan);
    if (split === undefined) return undefined;
    const settings = encodeSettingsOf(writer);
    const thread = new ShredHelper({
      plan,
      from: split.at,
      to: split.end,
      codec: this.options.codec ?? 'ZSTD',
      compressionLevel: this.options.compressionLevel,
      statisticsTruncateLength: settings.statisticsTruncateLength,
      pageSize: settings.pageSize,
    });
    return { thread, share: { from: 0, to: split.at, side: true }, helperEnd: split.end, settings };
  }
}

/** Pass two on two threads: this thread's share of the leaves, the helper's, and where the helper's end. */
interface SplitShredding {
  thread: ShredHelper;
  share: LeafShare;
  helperEnd: number;
  /** The file's encoding settings, for this thread's share. */
  settings: EncodeSettings;
}

/**
 * One row group whose leaves two threads shredded: this thread encodes its share while the helper encodes
 * its own, then appends the helper's bytes after its leaves and writes the side column last, with the
 * helper's side records merged in: the same bytes, in the same order, as one thread writes.
 */
async function writeSplitRowGroup(
  writer: ParquetWriter,
  layout: Layout,
  shredder: RowShredder,
  helper: SplitShredding,
  rows: number,
): Promise<void> {
  const out = writer.writer;
  const groupStart = out.offset;
  const theirs = helper.thread.endGroup();
  theirs.catch(() => undefined); // awaited below, after this thread's share
  const { settings } = helper;
  const mine = encodeLeaves(out, layout.leaves.slice(0, helper.share.to), settings);
  const group = await theirs;
  shredder.completeSides(group.sides);
  rebaseLeaves(group.encoded, out.offset);
  out.appendBytes(new Uint8Array(group.bytes));
  const side = encodeLeaves(out, layout.leaves.slice(helper.helperEnd), settings);
  await closeRowGroup(writer, [...mine, ...group.encoded, ...side], groupStart, rows);
}

/**
 * Creates a streaming writer of one stac-geoparquet file. Items are checked
 * and spilled to a temporary NDJSON file while the schema is inferred; the
 * Parquet file is written by `finish()`, one row group at a time, so memory
 * stays bounded by `rowGroupSize` whatever the item count.
 */
export function createGeoParquetWriter(options: GeoParquetWriterOptions): GeoParquetWriter {
  const path = resolve(options.path);
  const collections: Record<string, StacCollection> = { ...(options.collections ?? {}) };
  if (options.collection) collections[options.collection.id] = options.collection;
  const schemaHints: SchemaHints = {
    ...options.schemaHints,
    itemAssets: options.schemaHints?.itemAssets ?? options.collection?.item_assets,
  };
  let engine: PartsWriter | undefined;
  const ensure = (): PartsWriter => {
    if (!engine) {
      engine = new PartsWriter({
        ...options,
        schemaHints,
        collections,
        targets: () => [path],
        spillDir: options.tempDir ? resolve(options.tempDir) : dirname(path),
      });
    }
    return engine;
  };
  let prepared: Promise<void> | undefined;
  const prepare = () => {
    if (!prepared) {
      prepared = mkdir(options.tempDir ? resolve(options.tempDir) : dirname(path), { recursive: true }).then(
        () => undefined,
      );
    }
    return prepared;
  };
  ensure();
  return {
    async write(item) {
      await prepare();
      return ensure().write(item);
    },
    async finish() {
      await prepare();
      const { files, rows, widened, reported } = await ensure().finish();
      const file = files[0]!;
      return { rows, file: file.path, bytes: file.bytes, widened, reported };
    },
    abort() {
      return ensure().abort();
    },
  };
}

/**
 * Writes a stream of items to one stac-geoparquet file (see
 * {@link createGeoParquetWriter}); items that cannot be written are in
 * `reported`.
 */
export async function writeGeoParquet(
  items: AnyIterable<StacItem>,
  options: GeoParquetWriterOptions,
): Promise<GeoParquetWriteResult> {
  const writer = createGeoParquetWriter(options);
  try {
    for await (const item of items) {
      if (options.signal?.aborted) throw abortError(options.signal);
      await writer.write(item);
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.finish();
}
