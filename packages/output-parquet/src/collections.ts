import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
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

function partName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.parquet`;
}

interface Slot {
  id: string;
  dir: string;
  path: string;
  writer: PartsWriter;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

/** Removes `items.parquet` and `part-*.parquet` files of an earlier run that this run did not write. */
async function removeStaleParts(dir: string, keep: Set<string>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if ((name === 'items.parquet' || /^part-\d{5,}\.parquet$/.test(name)) && !keep.has(name)) {
      await rm(join(dir, name), { force: true });
    }
  }
}

/**
 * Writes items organised by collection: `<root>/<id>/items.parquet` (or
 * `part-00000.parquet`, … beyond `maxRowsPerFile`) plus `collection.json`
 * beside it when the collection is known. Ids become safe folder names
 * ({@link collectionDirName}). Items are spilled per collection while their
 * schemas are inferred; the collections are then written one after another,
 * so memory holds one row group at a time.
 */
export async function writeCollectionsParquet(
  items: AnyIterable<StacItem>,
  options: CollectionsParquetOptions,
): Promise<CollectionsParquetResult> {
  const root = resolve(options.root);
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

  const slots = new Map<string, Slot>();
  const folded = new Map<string, string>();
  const reported: Failure[] = [];
  const report = (item: StacItem, message: string, code?: string) => {
    reported.push(
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
  };
  const slotFor = (id: string, dirName: string): Slot => {
    let slot = slots.get(id);
    if (slot) return slot;
    const path = resolveInside(root, dirName);
    const lower = dirName.toLowerCase();
    const clash = folded.get(lower);
    if (clash !== undefined && clash !== id) {
      throw new ScmError(
        'SCM_OUTPUT_PATH',
        `collection ${JSON.stringify(id)} and ${JSON.stringify(clash)} differ only in case; their folders would collide`,
      );
    }
    folded.set(lower, id);
    const collection = known.get(id);
    const writer = new PartsWriter({
      ...options,
      maxRowsPerFile,
      schemaHints: {
        ...options.schemaHints,
        itemAssets: options.schemaHints?.itemAssets ?? collection?.item_assets,
      },
      collections: collection ? { [id]: collection } : {},
      spillDir: options.tempDir ? resolve(options.tempDir) : root,
      targets: (parts) =>
        parts === 1
          ? [join(path, 'items.parquet')]
          : Array.from({ length: parts }, (_, i) => join(path, partName(i))),
    });
    slot = { id, dir: dirName, path, writer };
    slots.set(id, slot);
    return slot;
  };

  if (options.tempDir) await mkdir(resolve(options.tempDir), { recursive: true });
  const uncollectedKey = '\u0000uncollected';
  try {
    for await (const item of items) {
      if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the write was aborted');
      const id = (item as { collection?: unknown })?.collection;
      let slot: Slot;
      try {
        if (typeof id === 'string') slot = slotFor(id, collectionDirName(id));
        else if (options.uncollected !== undefined)
          slot = slotFor(uncollectedKey, collectionDirName(options.uncollected));
        else {
          report(item, 'the item has no collection; set the `uncollected` option to keep such items');
          continue;
        }
      } catch (error) {
        if (isScmError(error) && error.code === 'SCM_OUTPUT_PATH') {
          report(item, error.message, error.code);
          continue;
        }
        throw error;
      }
      await slot.writer.write(item);
    }
  } catch (error) {
    for (const slot of slots.values()) await slot.writer.abort().catch(() => undefined);
    throw error;
  }

  const outputs: CollectionParquetOutput[] = [];
  const widened: string[] = [];
  let rows = 0;
  let bytes = 0;
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const pending = [...slots.values()];
  try {
    while (pending.length > 0) {
      const slot = pending.shift()!;
      await mkdir(slot.path, { recursive: true });
      const result = await slot.writer.finish();
      await removeStaleParts(slot.path, new Set(result.files.map((f) => f.path.slice(slot.path.length + 1))));
      const collection = known.get(slot.id);
      const output: CollectionParquetOutput = {
        id: slot.id === uncollectedKey ? '' : slot.id,
        dir: slot.dir,
        rows: result.rows,
        files: result.files.map((f) => rel(f.path)),
      };
      if (collection) {
        const jsonPath = join(slot.path, 'collection.json');
        await writeJsonAtomic(jsonPath, collection);
        output.collectionJson = rel(jsonPath);
      }
      outputs.push(output);
      reported.push(...result.reported);
      widened.push(...result.widened.map((w) => `${output.id || slot.dir}: ${w}`));
      rows += result.rows;
      for (const f of result.files) bytes += f.bytes;
    }
    for (const [id, collection] of known) {
      if (slots.has(id)) continue;
      const dir = collectionDirName(id);
      const path = resolveInside(root, dir);
      await mkdir(path, { recursive: true });
      const jsonPath = join(path, 'collection.json');
      await writeJsonAtomic(jsonPath, collection);
      outputs.push({ id, dir, rows: 0, files: [], collectionJson: rel(jsonPath) });
    }
  } catch (error) {
    for (const slot of pending) await slot.writer.abort().catch(() => undefined);
    if (isScmError(error)) throw error;
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot write collection output: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const files = outputs.flatMap((o) => [...o.files, ...(o.collectionJson ? [o.collectionJson] : [])]);
  return { written: rows, files, rows, bytes, collections: outputs, widened, reported };
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
