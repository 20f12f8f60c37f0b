import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  type AnyIterable,
  createFailure,
  type Failure,
  isScmError,
  ScmError,
  type Sink,
  type SinkResult,
  type StacCollection,
  type StacItem,
} from '@scm/core';
import {
  type ParquetPartitioning,
  partitionFileName,
  partitionOfFileName,
  partitionOfItem,
} from './partition.js';
import { observerThreadAfterByDefault } from './observer-thread.js';
import { type ReplayLine, ReplayPassOne } from './replay-pass-one.js';
import { nonEmptyLines } from './spill.js';
import { type GeoParquetWriteOptions, PartsWriter } from './writer.js';

/** Options of {@link writeCollectionsParquet}. */
export interface CollectionsParquetOptions extends GeoParquetWriteOptions {
  /** Output folder; each collection gets `<root>/<encoded id>/`. */
  root: string;
  /**
   * Known collections (array or by id). Each gets a `collection.json` beside
   * its items, seeds the schema with its `item_assets`, and is stored in the
   * file metadata. Default: none (items are still written, without `collection.json`).
   */
  collections?: StacCollection[] | Record<string, StacCollection>;
  /** Most rows per file; a larger collection is split into `part-00000.parquet`, … (default 1 000 000). */
  maxRowsPerFile?: number;
  /** How each collection is cut into files (default `none`: one `items.parquet`). */
  partitionBy?: ParquetPartitioning;
  /**
   * Rewrite these partitions only (keys as {@link partitionOfItem} gives them): the files of other
   * partitions are left as they are, and a listed partition that gets no rows loses its files. The items
   * given must be every item of these partitions. Default: every partition (files of this layout that the
   * run did not write are removed).
   */
  onlyPartitions?: ReadonlySet<string>;
  /**
   * Folder (a safe name, relative to `root`) for items without `collection`.
   * Default: such items are reported as failures.
   */
  uncollected?: string;
}

/** What was written for one collection. */
export interface CollectionParquetOutput {
  /** Collection id. */
  id: string;
  /** Its folder, relative to `root`. */
  dir: string;
  /** Rows written. */
  rows: number;
  /** Parquet files, relative to `root`. */
  files: string[];
  /** `collection.json`, relative to `root`, when the collection was known. */
  collectionJson?: string;
}

/** What {@link writeCollectionsParquet} reports. */
export interface CollectionsParquetResult extends SinkResult {
  /** Items written (same as `written`). */
  rows: number;
  /** Total bytes of the Parquet files. */
  bytes: number;
  /** One entry per collection folder written. */
  collections: CollectionParquetOutput[];
  /** Widened columns, prefixed with the collection id. */
  widened: string[];
  /** Items that could not be written. */
  reported: Failure[];
}

const SAFE_CHAR = /[A-Za-z0-9._-]/;
const MAX_NAME_BYTES = 255;

/**
 * A file-system-safe folder name for a collection id: every character outside
 * `[A-Za-z0-9._-]` becomes `%XX` (its UTF-8 bytes), so distinct ids give
 * distinct names. Throws `SCM_OUTPUT_PATH` for ids that cannot be a folder
 * (empty, `.`, `..`, longer than 255 bytes once encoded).
 */
export function collectionDirName(id: string): string {
  let out = '';
  for (const char of id) {
    if (SAFE_CHAR.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out === '' || out === '.' || out === '..') {
    throw new ScmError(
      'SCM_OUTPUT_PATH',
      `collection id ${JSON.stringify(id)} cannot be used as a folder name`,
      {
        details: { id },
      },
    );
  }
  if (Buffer.byteLength(out) > MAX_NAME_BYTES) {
    throw new ScmError(
      'SCM_OUTPUT_PATH',
      `collection id is too long for a folder name (${out.length} bytes encoded)`,
      {
        details: { id: id.slice(0, 80) },
      },
    );
  }
  return out;
}

/** Resolves `name` under `root`, refusing anything that escapes it (`SCM_OUTPUT_PATH`). */
export function resolveInside(root: string, name: string): string {
  const base = resolve(root);
  const target = resolve(base, name);
  if (target === base || !target.startsWith(base + sep)) {
    throw new ScmError(
      'SCM_OUTPUT_PATH',
      `${JSON.stringify(name)} resolves outside the output folder ${base}`,
      {
        details: { root: base, name },
      },
    );
  }
  return target;
}

/** The writer of one partition of one collection folder. */
interface Slot {
  /** Its key among the output's slots: the collection's key and the partition. */
  key: string;
  id: string;
  dir: string;
  path: string;
  partition: string;
  writer: PartsWriter;
  /** The collection whose `item_assets` seeded the writer's schema. */
  seed: StacCollection | undefined;
  /** The caller's file that pass two reads back (see `replay`), rather than a spill. */
  file?: string;
  /** Pass two's lines, when they do not come from the writer's own spill. */
  source?: () => AsyncIterable<string>;
  /** A writer replaced by one with other seeds: its spill feeds pass two, then it is discarded. */
  retired?: PartsWriter;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  // Hidden, as the Parquet files' own temps: a run killed here leaves nothing a reader of the folder sees.
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/**
 * Removes the Parquet files of an earlier run (`items.parquet`, `part-*.parquet`, `items-<partition>….parquet`)
 * that this run did not write, among the partitions it rewrote (all of them unless `only` names some).
 */
export async function removeStaleParts(
  dir: string,
  keep: ReadonlySet<string>,
  only?: ReadonlySet<string>,
): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const partition = partitionOfFileName(name);
    if (partition === undefined || keep.has(name) || (only && !only.has(partition))) continue;
    await rm(join(dir, name), { force: true });
  }
}

/** Key of the slot of items without `collection` (no collection id can hold a NUL). */
const UNCOLLECTED_KEY = '\u0000uncollected';

/** Checks the options and creates the output folder; returns the known collections by id. */
async function prepare(
  root: string,
  options: CollectionsParquetOptions,
): Promise<{ known: Map<string, StacCollection>; maxRowsPerFile: number }> {
  const known = new Map<string, StacCollection>();
  const given = options.collections ?? [];
  for (const collection of Array.isArray(given) ? given : Object.values(given)) {
    collectionDirName(collection.id);
    known.set(collection.id, collection);
  }
  if (options.uncollected !== undefined) resolveInside(root, collectionDirName(options.uncollected));
  const maxRowsPerFile = options.maxRowsPerFile ?? 1_000_000;
  if (!Number.isInteger(maxRowsPerFile) || maxRowsPerFile < 1) {
    throw new ScmError('SCM_USAGE', `maxRowsPerFile must be a positive integer, got ${maxRowsPerFile}`);
  }
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot create the output folder ${root}`, { cause: error });
  }
  if (options.tempDir) await mkdir(resolve(options.tempDir), { recursive: true });
  return { known, maxRowsPerFile };
}

/** One {@link PartsWriter} per collection folder, created on the collection's first item. */
class CollectionSlots {
  readonly slots = new Map<string, Slot>();
  readonly reported: Failure[] = [];
  /** Lower-cased folder names, to refuse ids that collide on a case-insensitive file system. */
  private readonly folded = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly known: Map<string, StacCollection>,
    private readonly maxRowsPerFile: number,
    private readonly options: CollectionsParquetOptions,
  ) {}

  /**
   * The slot of `item`, or undefined when the item is reported instead (no collection, unusable id).
   * `whole` gives the item a failure quotes, when `item` may be only an outline.
   */
  forItem(item: StacItem, whole: () => StacItem = () => item): Slot | undefined {
    const id = (item as { collection?: unknown })?.collection;
    const partition = partitionOfItem(item, this.options.partitionBy ?? 'none');
    try {
      if (typeof id === 'string') return this.slotFor(id, collectionDirName(id), partition);
      if (this.options.uncollected !== undefined)
        return this.slotFor(UNCOLLECTED_KEY, collectionDirName(this.options.uncollected), partition);
      this.report(whole(), 'the item has no collection; set the `uncollected` option to keep such items');
      return undefined;
    } catch (error) {
      if (isScmError(error) && error.code === 'SCM_OUTPUT_PATH') {
        this.report(whole(), error.message, error.code);
        return undefined;
      }
      throw error;
    }
  }

  private report(item: StacItem, message: string, code?: string): void {
    this.reported.push(
      createFailure({
        itemId: typeof item?.id === 'string' ? item.id : 'unknown',
        errorType: 'validation_error',
        message,
        step: 'output',
        sourceData: item,
        field: 'collection',
        details: code ? { code } : undefined,
      }),
    );
  }

  private slotFor(id: string, dirName: string, partition: string): Slot {
    const key = `${id}\u0001${partition}`;
    let slot = this.slots.get(key);
    if (slot) return slot;
    const path = resolveInside(this.root, dirName);
    const lower = dirName.toLowerCase();
    const clash = this.folded.get(lower);
    if (clash !== undefined && clash !== id) {
      throw new ScmError(
        'SCM_OUTPUT_PATH',
        `collection ${JSON.stringify(id)} and ${JSON.stringify(clash)} differ only in case; their folders would collide`,
      );
    }
    this.folded.set(lower, id);
    const seed = this.known.get(id);
    const writer = this.writerFor(id, path, partition, seed);
    slot = { key, id, dir: dirName, path, partition, writer, seed };
    this.slots.set(key, slot);
    return slot;
  }

  /** The slots of each collection folder, by collection key. */
  byCollection(): Map<string, Slot[]> {
    const grouped = new Map<string, Slot[]>();
    for (const slot of this.slots.values()) {
      const group = grouped.get(slot.id);
      if (group) group.push(slot);
      else grouped.set(slot.id, [slot]);
    }
    return grouped;
  }

  /** A writer for one partition, its schema seeded with the `item_assets` of `collection`. */
  writerFor(
    id: string,
    path: string,
    partition: string,
    collection: StacCollection | undefined,
  ): PartsWriter {
    const { options } = this;
    return new PartsWriter({
      ...options,
      maxRowsPerFile: this.maxRowsPerFile,
      schemaHints: {
        ...options.schemaHints,
        itemAssets: options.schemaHints?.itemAssets ?? collection?.item_assets,
      },
      collections: collection ? { [id]: collection } : {},
      spillDir: options.tempDir ? resolve(options.tempDir) : this.root,
      targets: (parts) =>
        parts === 1
          ? [join(path, partitionFileName(partition))]
          : Array.from({ length: parts }, (_, i) => join(path, partitionFileName(partition, i))),
    });
  }

  /** Aborts every writer; used when the run fails. */
  async abortAll(slots: Iterable<Slot> = this.slots.values()): Promise<void> {
    for (const slot of slots) {
      await slot.writer.abort().catch(() => undefined);
      await slot.retired?.abort().catch(() => undefined);
    }
  }
}

/** An item with its JSON text (e.g. the NDJSON line it was read from), so it is not serialised again. */
export interface ItemWithText {
  item: StacItem;
  /** Text that parses to `item`; undefined to have the writer serialise the item. */
  text: string | undefined;
}

/** First pass: every item goes to its collection's writer, which spills it while inferring the schema. */
async function spillItems(
  items: AnyIterable<ItemWithText>,
  slots: CollectionSlots,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    for await (const { item, text } of items) {
      if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'the write was aborted');
      const slot = slots.forItem(item);
      if (slot) await slot.writer.write(item, text);
    }
  } catch (error) {
    await slots.abortAll();
    throw error;
  }
}

/** Collects the per-collection results into the run's totals. */
class CollectionsReport {
  readonly outputs: CollectionParquetOutput[] = [];
  readonly widened: string[] = [];
  rows = 0;
  bytes = 0;

  constructor(
    readonly root: string,
    readonly reported: Failure[],
  ) {}

  /** A path relative to the root, with `/` separators. */
  rel(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  result(): CollectionsParquetResult {
    const { outputs, widened, rows, bytes, reported } = this;
    const files = outputs.flatMap((o) => [...o.files, ...(o.collectionJson ? [o.collectionJson] : [])]);
    return { written: rows, files, rows, bytes, collections: outputs, widened, reported };
  }
}

/** Second pass for one partition: writes its Parquet files and adds them to the report. */
async function finishSlot(slot: Slot, output: CollectionParquetOutput, report: CollectionsReport) {
  const result = await slot.writer.finish(slot.source);
  await slot.retired?.abort();
  output.rows += result.rows;
  output.files.push(...result.files.map((f) => report.rel(f.path)));
  report.reported.push(...result.reported);
  report.widened.push(...result.widened.map((w) => `${output.id || slot.dir}: ${w}`));
  report.rows += result.rows;
  for (const f of result.files) report.bytes += f.bytes;
}

/**
 * Writes one collection folder: each of its partitions, then drops the stale files of the partitions
 * rewritten, then its `collection.json` when the collection is known. A known collection that no item named
 * (`slots` empty) still gets its folder and `collection.json`.
 */
async function writeCollection(
  folder: { id: string; dir: string; slots: Slot[] },
  collection: StacCollection | undefined,
  report: CollectionsReport,
  only: ReadonlySet<string> | undefined,
): Promise<void> {
  const path = resolveInside(report.root, folder.dir);
  await mkdir(path, { recursive: true });
  const output: CollectionParquetOutput = { id: folder.id, dir: folder.dir, rows: 0, files: [] };
  for (const slot of folder.slots) await finishSlot(slot, output, report);
  const written = new Set(output.files.map((f) => f.slice(f.lastIndexOf('/') + 1)));
  await removeStaleParts(path, written, only);
  if (collection) {
    const jsonPath = join(path, 'collection.json');
    await writeJsonAtomic(jsonPath, collection);
    output.collectionJson = report.rel(jsonPath);
  }
  report.outputs.push(output);
}

/** Second pass: the collections are written one after another, so memory holds one row group at a time. */
async function writeSlots(
  slots: CollectionSlots,
  known: Map<string, StacCollection>,
  report: CollectionsReport,
  only: ReadonlySet<string> | undefined,
): Promise<void> {
  const groups = slots.byCollection();
  const pending = [...groups];
  try {
    while (pending.length > 0) {
      const [key, group] = pending.shift()!;
      const id = key === UNCOLLECTED_KEY ? '' : key;
      await writeCollection({ id, dir: group[0]!.dir, slots: group }, known.get(key), report, only);
    }
    for (const [id, collection] of known) {
      if (!groups.has(id))
        await writeCollection({ id, dir: collectionDirName(id), slots: [] }, collection, report, only);
    }
  } catch (error) {
    await slots.abortAll(pending.flatMap(([, group]) => group));
    if (isScmError(error)) throw error;
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot write collection output: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Writes items organised by collection: `<root>/<id>/items.parquet` (or
 * `part-00000.parquet`, … beyond `maxRowsPerFile`; one file per year or month
 * with `partitionBy`) plus `collection.json` beside it when the collection is known. Ids become safe folder names
 * ({@link collectionDirName}). Items are spilled per collection while their
 * schemas are inferred; the collections are then written one after another,
 * so memory holds one row group at a time.
 */
export async function writeCollectionsParquet(
  items: AnyIterable<StacItem>,
  options: CollectionsParquetOptions,
): Promise<CollectionsParquetResult> {
  async function* withoutText(): AsyncGenerator<ItemWithText> {
    for await (const item of items) yield { item, text: undefined };
  }
  return writeCollectionsParquetTexts(withoutText(), options);
}

/**
 * {@link writeCollectionsParquet} for items that come with their JSON text (read from NDJSON, say): the
 * text is spilled as it is, so each item is serialised once less. The files written are the same.
 */
export async function writeCollectionsParquetTexts(
  items: AnyIterable<ItemWithText>,
  options: CollectionsParquetOptions,
): Promise<CollectionsParquetResult> {
  const root = resolve(options.root);
  const { known, maxRowsPerFile } = await prepare(root, options);
  const slots = new CollectionSlots(root, known, maxRowsPerFile, options);
  await spillItems(items, slots, options.signal);
  const report = new CollectionsReport(root, slots.reported);
  await writeSlots(slots, known, report, options.onlyPartitions);
  return report.result();
}

/** Settings of {@link openCollectionsParquet}: those of {@link writeCollectionsParquet} but the collections. */
export interface CollectionsParquetStreamOptions extends Omit<CollectionsParquetOptions, 'collections'> {
  /**
   * Pass two reads the items back from the caller's NDJSON files, one file per collection, where
   * `add()` says each item is (without `partitionBy` only; ignored with it): no spill file is written.
   */
  replay?: boolean;
  /**
   * With `replay`: items checked and observed in this thread before the rest go, as their texts, to a
   * thread of their own (see `observer-thread.ts`), which the caller's thread then no longer spends on
   * parsing them. Default: 1,000 on a machine with more than one core; `Infinity` keeps every item here.
   */
  observerThreadAfter?: number;
}

/** {@link writeCollectionsParquet} fed one item at a time, its collections given at the end. */
export interface CollectionsParquetStream {
  /**
   * Checks and observes one item. With `replay`, `at` tells where its text is; otherwise the item is
   * spilled (its `text` when given). When {@link observesText}, `item` may be only its outline (its
   * `collection` and datetimes, which choose its file) when `text` is given.
   */
  add(item: StacItem, text?: string, at?: ReplayLine): Promise<void>;
  /** Whether items are checked and observed from their `text` (see `observerThreadAfter`). */
  readonly observesText: boolean;
  /** Writes every file; `collections` as {@link CollectionsParquetOptions.collections}, now final. */
  finish(collections: readonly StacCollection[]): Promise<CollectionsParquetResult>;
  /** Removes the temporary files; nothing is written. */
  abort(): Promise<void>;
}

function sameSeeds(a: StacCollection | undefined, b: StacCollection | undefined): boolean {
  return JSON.stringify(a?.item_assets) === JSON.stringify(b?.item_assets);
}

/**
 * Readies one slot for pass two once its collection is final: where its lines come from, and its schema
 * seeds. A collection whose `item_assets` were not known on its first item has its lines observed again
 * by a writer seeded with them, so the files are those {@link writeCollectionsParquet} writes.
 */
async function settleSlot(
  slots: CollectionSlots,
  slot: Slot,
  collection: StacCollection | undefined,
  skips: ReadonlyMap<string, ReadonlySet<number>>,
): Promise<void> {
  const file = slot.file;
  if (file !== undefined) slot.source = () => nonEmptyLines(file, skips.get(file) ?? new Set());
  if (!sameSeeds(slot.seed, collection)) {
    const old = slot.writer;
    const lines = slot.source ?? (() => old.spilled());
    const fresh = slots.writerFor(slot.id, slot.path, slot.partition, collection);
    for await (const line of lines()) fresh.observeParsed(JSON.parse(line));
    slot.source = lines;
    slot.retired = old;
    slot.writer = fresh;
    slot.seed = collection;
  }
  slot.writer.useCollections(collection ? { [slot.id]: collection } : {});
}

/**
 * Opens a stac-geoparquet output organised by collection, as {@link writeCollectionsParquet} writes it,
 * that takes items one at a time while the caller produces them and learns the collections at the end.
 * With `replay`, items are only observed as they come (no spill file); pass two reads them back from the
 * caller's NDJSON files.
 */
export async function openCollectionsParquet(
  options: CollectionsParquetStreamOptions,
): Promise<CollectionsParquetStream> {
  const root = resolve(options.root);
  const { known, maxRowsPerFile } = await prepare(root, options);
  const slots = new CollectionSlots(root, known, maxRowsPerFile, options);
  const replay = options.replay === true && (options.partitionBy ?? 'none') === 'none';
  const passOne = new ReplayPassOne(
    replay ? (options.observerThreadAfter ?? observerThreadAfterByDefault()) : Number.POSITIVE_INFINITY,
  );
  return {
    observesText: passOne.observesText,
    async add(item, text, at) {
      if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the write was aborted');
      const slot = slots.forItem(item, () => passOne.whole(item, text));
      if (!replay) {
        if (slot) await slot.writer.write(item, text);
        return;
      }
      if (!at)
        throw new ScmError('SCM_USAGE', 'add() needs the line of the item when pass two replays files');
      await passOne.add(slot, item, text, at);
    },
    async finish(collections) {
      for (const collection of collections) {
        collectionDirName(collection.id);
        known.set(collection.id, collection);
      }
      try {
        await passOne.settle(slots.slots);
        for (const slot of slots.slots.values())
          await settleSlot(slots, slot, known.get(slot.id), passOne.skips);
      } catch (error) {
        await passOne.close();
        await slots.abortAll();
        throw error;
      }
      const report = new CollectionsReport(root, slots.reported);
      await writeSlots(slots, known, report, options.onlyPartitions);
      return report.result();
    },
    async abort() {
      await passOne.close();
      await slots.abortAll();
    },
  };
}

/** A {@link Sink} that writes items with {@link writeCollectionsParquet}. */
export function createCollectionsParquetSink(options: CollectionsParquetOptions): Sink<StacItem> {
  return {
    name: `stac-geoparquet:${options.root}`,
    write(items, streamOptions) {
      return writeCollectionsParquet(items, { ...options, signal: streamOptions?.signal ?? options.signal });
    },
  };
}
