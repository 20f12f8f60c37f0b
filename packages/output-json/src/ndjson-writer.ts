import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import {
  errorMessage,
  isStacCollection,
  isStacItem,
  ScmError,
  type Sink,
  type StacCollection,
  type StacItem,
  type StreamOptions,
} from '@scm/core';
import { DigestSet } from '@scm/core/id-set';
import { ndjsonLine, tempPathFor } from './json-text.js';
import { NameRegistry } from './name-registry.js';
import { assertInside, safePathSegment } from './safe-path.js';
import type { DuplicateRecord, WriterResult } from './types.js';
import { writeChunk } from './write-stream.js';

/** Name of the collections file at the root. */
export const COLLECTIONS_NDJSON = 'collections.ndjson';
/** Name of each items file. */
export const ITEMS_NDJSON = 'items.ndjson';

/** Options of {@link createNdjsonWriter}. */
export interface NdjsonWriterOptions {
  /** Output folder; created when missing. Every file is written inside it. */
  root: string;
  /**
   * Most files kept open at once. When more collections are being written,
   * the least recently used file is closed and reopened in append mode when
   * needed. Default 64.
   */
  maxOpenFiles?: number;
  /** Flush every file to disk before renaming it into place. Default false. */
  fsync?: boolean;
}

/** What {@link NdjsonWriter.finish} reports. */
export interface NdjsonResult extends WriterResult {
  /** Lines written per file, keyed by the file's path relative to the root. */
  lines: Record<string, number>;
}

/** Writes NDJSON files ready for `pypgstac load`. */
export interface NdjsonWriter extends Sink<StacItem> {
  /** Absolute output folder. */
  readonly root: string;
  /**
   * Appends a collection to `collections.ndjson` and returns that path. A
   * second collection with the same id is dropped (the first wins) and reported.
   */
  writeCollection(collection: StacCollection): Promise<string>;
  /**
   * Appends an item to `<collection>/items.ndjson` (`items.ndjson` at the
   * root when it has no `collection`) and returns that path. A second item
   * with the same id in the same collection is dropped (the first wins) and
   * reported. Resolves once the line is accepted by the file stream, waiting
   * for it to drain when its buffer is full: await each call. `line`, when given, must be
   * {@link ndjsonLine}`(item)`, already made by the caller (e.g. to send the item to a worker thread), so
   * the item is not serialised twice.
   */
  writeItem(item: StacItem, line?: string): Promise<string>;
  /**
   * The items file of a collection (undefined: items without one, as {@link NdjsonWriter.writeItem} files
   * them): its final absolute path, where it is once `finish()` resolved, and the items it took so far
   * (duplicates dropped are not counted). Undefined while no item of that collection came.
   */
  itemsFile(collection: string | undefined): { path: string; items: number } | undefined;
  /** Closes every file and renames each `*.tmp` to its final name; reports what was written. */
  finish(): Promise<NdjsonResult>;
  /** Closes every file and deletes the temporary files; nothing is left under a final name. */
  abort(): Promise<void>;
  /** Writes every item of `items`, then calls `finish()`. */
  write(items: AsyncIterable<StacItem> | Iterable<StacItem>, options?: StreamOptions): Promise<NdjsonResult>;
}

/**
 * Buffer of each open file's stream. Node's default (16 KiB) is about one line of a 40-asset item, so the
 * writer would wait for the disk after every line; 1 MiB lets lines queue while the last chunk is written
 * (at most `maxOpenFiles` such buffers).
 */
const STREAM_BUFFER_BYTES = 1 << 20;

interface OutputFile {
  /** Path relative to the root, `/` separators. */
  path: string;
  final: string;
  temp: string;
  stream?: WriteStream;
  /** Whether the temporary file exists (then it is reopened in append mode). */
  created: boolean;
  lines: number;
}

interface ItemGroup {
  file: OutputFile;
  /** Grows with the run: 64-bit digests of the ids, 8 bytes each (see @scm/core/id-set). */
  ids: DigestSet;
}

function invalid(message: string): ScmError {
  return new ScmError('SCM_OUTPUT_INVALID', message);
}

function writeError(file: OutputFile, error: unknown): ScmError {
  if (error instanceof ScmError) return error;
  return new ScmError('SCM_OUTPUT_WRITE', `cannot write "${file.final}": ${errorMessage(error)}`, {
    cause: error,
    details: { path: file.final },
  });
}

async function closeStream(stream: WriteStream): Promise<void> {
  const done = finished(stream);
  stream.end();
  await done;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The writer's files and ids; every file operation runs through one queue, in call order. */
class NdjsonOutput {
  private readonly folders = new NameRegistry((id) => safePathSegment(id));
  private readonly files: OutputFile[] = [];
  /** Insertion order = least recently used first. */
  private readonly openFiles = new Map<OutputFile, true>();
  private readonly collectionIds = new Set<string>();
  private readonly groups = new Map<string | undefined, ItemGroup>();
  private readonly duplicates: DuplicateRecord[] = [];
  private collectionsFile: OutputFile | undefined;
  private itemsWritten = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private state: 'open' | 'finishing' | 'aborted' = 'open';
  private finishing: Promise<NdjsonResult> | undefined;

  constructor(
    readonly root: string,
    private readonly maxOpenFiles: number,
    private readonly fsync: boolean,
  ) {}

  private assertOpen(): void {
    if (this.state !== 'open')
      throw new ScmError('SCM_USAGE', 'the NDJSON writer is finished; create a new one');
  }

  private newFile(path: string): OutputFile {
    const final = assertInside(this.root, path);
    const file: OutputFile = { path, final, temp: tempPathFor(final), created: false, lines: 0 };
    this.files.push(file);
    return file;
  }

  /** Runs `task` after every earlier one; after a failure every later task fails with the same error. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        return await task();
      } catch (error) {
        this.failure = error;
        throw error;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Closes the least recently used files until one more may be opened. */
  private async makeRoom(): Promise<void> {
    while (this.openFiles.size >= this.maxOpenFiles) {
      const [oldest] = this.openFiles.keys();
      this.openFiles.delete(oldest!);
      const stream = oldest!.stream!;
      oldest!.stream = undefined;
      try {
        await closeStream(stream);
      } catch (error) {
        throw writeError(oldest!, error);
      }
    }
  }

  private async streamFor(file: OutputFile): Promise<WriteStream> {
    if (file.stream) {
      this.openFiles.delete(file);
      this.openFiles.set(file, true);
      return file.stream;
    }
    await this.makeRoom();
    if (!file.created) await mkdir(dirname(file.temp), { recursive: true });
    const stream = createWriteStream(file.temp, {
      flags: file.created ? 'a' : 'w',
      highWaterMark: STREAM_BUFFER_BYTES,
    });
    stream.on('error', () => undefined); // surfaced by writeChunk / closeStream
    await once(stream, 'ready'); // an open error rejects here, on the call that caused it
    file.created = true;
    file.stream = stream;
    this.openFiles.set(file, true);
    return stream;
  }

  private append(file: OutputFile, line: string): Promise<void> {
    return this.enqueue(async () => {
      try {
        await writeChunk(await this.streamFor(file), line);
      } catch (error) {
        throw writeError(file, error);
      }
      file.lines += 1;
    });
  }

  async writeCollection(collection: StacCollection): Promise<string> {
    this.assertOpen();
    if (!isStacCollection(collection)) {
      throw invalid('writeCollection expects a STAC Collection (type "Collection" with a string id)');
    }
    if (this.collectionIds.has(collection.id)) {
      this.duplicates.push({ type: 'Collection', id: collection.id });
      return COLLECTIONS_NDJSON;
    }
    this.collectionIds.add(collection.id);
    const line = ndjsonLine(collection);
    this.collectionsFile ??= this.newFile(COLLECTIONS_NDJSON);
    await this.append(this.collectionsFile, line);
    return COLLECTIONS_NDJSON;
  }

  /** The items file of a collection (undefined: items without one), created on first use. */
  private groupFor(collectionId: string | undefined): ItemGroup {
    let group = this.groups.get(collectionId);
    if (!group) {
      const path =
        collectionId === undefined
          ? ITEMS_NDJSON
          : `${this.folders.claim(collectionId).name}/${ITEMS_NDJSON}`;
      group = { file: this.newFile(path), ids: new DigestSet() };
      this.groups.set(collectionId, group);
    }
    return group;
  }

  itemsFile(collection: string | undefined): { path: string; items: number } | undefined {
    const group = this.groups.get(collection === '' ? undefined : collection);
    return group && { path: group.file.final, items: group.ids.size };
  }

  async writeItem(item: StacItem, precomputed?: string): Promise<string> {
    this.assertOpen();
    if (!isStacItem(item)) throw invalid('writeItem expects a STAC Item (type "Feature" with a string id)');
    const collectionId =
      typeof item.collection === 'string' && item.collection !== '' ? item.collection : undefined;
    const group = this.groupFor(collectionId);
    if (group.ids.has(item.id)) {
      const duplicate: DuplicateRecord = { type: 'Feature', id: item.id };
      if (collectionId !== undefined) duplicate.collection = collectionId;
      this.duplicates.push(duplicate);
      return group.file.path;
    }
    const line = precomputed ?? ndjsonLine(item);
    group.ids.add(item.id);
    await this.append(group.file, line);
    this.itemsWritten += 1;
    return group.file.path;
  }

  private async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const file of this.openFiles.keys()) {
      const stream = file.stream!;
      file.stream = undefined;
      await closeStream(stream).catch((error: unknown) => errors.push(writeError(file, error)));
    }
    this.openFiles.clear();
    if (errors.length > 0) throw errors[0];
  }

  /** Closes the files and moves each to its final name; returns the files written. */
  private async commitFiles(): Promise<OutputFile[]> {
    await this.closeAll();
    const written = this.files.filter((file) => file.created);
    for (const file of written) {
      if (this.fsync) await syncFile(file.temp);
      await rename(file.temp, file.final);
    }
    return written;
  }

  private async run(): Promise<NdjsonResult> {
    await this.queue;
    if (this.failure !== undefined) {
      await this.abort();
      throw this.failure;
    }
    let written: OutputFile[];
    try {
      written = await this.commitFiles();
    } catch (error) {
      await this.removeTemps();
      throw error instanceof ScmError
        ? error
        : new ScmError('SCM_OUTPUT_WRITE', `cannot finish the NDJSON files: ${errorMessage(error)}`, {
            cause: error,
          });
    }
    const lines: Record<string, number> = {};
    for (const file of written) lines[file.path] = file.lines;
    return {
      written: this.itemsWritten,
      collections: this.collectionsFile?.lines ?? 0,
      files: written.map((file) => file.path),
      duplicatesDropped: this.duplicates.length,
      duplicates: [...this.duplicates],
      lines,
    };
  }

  private async removeTemps(): Promise<void> {
    for (const file of this.files) await unlink(file.temp).catch(() => undefined);
  }

  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    await this.queue;
    await this.closeAll().catch(() => undefined);
    await this.removeTemps();
  }

  finish(): Promise<NdjsonResult> {
    if (this.state === 'aborted' && !this.finishing) {
      return Promise.reject(new ScmError('SCM_USAGE', 'the NDJSON writer was aborted'));
    }
    if (!this.finishing) {
      this.state = 'finishing';
      this.finishing = this.run();
    }
    return this.finishing;
  }
}

/**
 * Creates a writer for pgstac-ready NDJSON: `collections.ndjson` (the input
 * of `pypgstac load collections`) and one `items.ndjson` per collection
 * folder (the input of `pypgstac load items`), one compact JSON record per
 * line, each id at most once per file. Lines go to hidden `*.tmp` files that
 * are renamed at `finish()`, so a crashed run never leaves a half file under
 * a final name. Memory is one set of ids per collection.
 */
export function createNdjsonWriter(options: NdjsonWriterOptions): NdjsonWriter {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new ScmError('SCM_CONFIG_INVALID', 'the NDJSON writer needs a root folder');
  }
  const root = resolve(options.root);
  const maxOpenFiles = options.maxOpenFiles ?? 64;
  if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1) {
    throw new ScmError('SCM_CONFIG_INVALID', `maxOpenFiles must be a positive integer, got ${maxOpenFiles}`);
  }
  const output = new NdjsonOutput(root, maxOpenFiles, options.fsync ?? false);
  const writeItem = (item: StacItem, line?: string): Promise<string> => output.writeItem(item, line);
  const finish = (): Promise<NdjsonResult> => output.finish();
  return {
    name: `ndjson:${root}`,
    root,
    writeCollection: (collection) => output.writeCollection(collection),
    writeItem,
    itemsFile: (collection) => output.itemsFile(collection),
    finish,
    abort: () => output.abort(),
    async write(items, streamOptions = {}) {
      for await (const item of items) {
        if (streamOptions.signal?.aborted) {
          throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: streamOptions.signal.reason });
        }
        await writeItem(item);
      }
      return finish();
    },
  };
}
