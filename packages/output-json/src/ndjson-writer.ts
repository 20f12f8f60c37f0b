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
   * for it to drain when its buffer is full: await each call.
   */
  writeItem(item: StacItem): Promise<string>;
  /** Closes every file and renames each `*.tmp` to its final name; reports what was written. */
  finish(): Promise<NdjsonResult>;
  /** Closes every file and deletes the temporary files; nothing is left under a final name. */
  abort(): Promise<void>;
  /** Writes every item of `items`, then calls `finish()`. */
  write(items: AsyncIterable<StacItem> | Iterable<StacItem>, options?: StreamOptions): Promise<NdjsonResult>;
}

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
  ids: Set<string>;
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
  const fsync = options.fsync ?? false;

  const folders = new NameRegistry((id) => safePathSegment(id));
  const files: OutputFile[] = [];
  const openFiles = new Map<OutputFile, true>(); // insertion order = least recently used first
  const collectionIds = new Set<string>();
  const groups = new Map<string | undefined, ItemGroup>();
  const duplicates: DuplicateRecord[] = [];
  let collectionsFile: OutputFile | undefined;
  let itemsWritten = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let failure: unknown;
  let state: 'open' | 'finishing' | 'aborted' = 'open';
  let finishing: Promise<NdjsonResult> | undefined;

  const assertOpen = (): void => {
    if (state !== 'open') throw new ScmError('SCM_USAGE', 'the NDJSON writer is finished; create a new one');
  };

  const newFile = (path: string): OutputFile => {
    const final = assertInside(root, path);
    const file: OutputFile = { path, final, temp: tempPathFor(final), created: false, lines: 0 };
    files.push(file);
    return file;
  };

  /** Runs `task` after every earlier one; after a failure every later task fails with the same error. */
  const enqueue = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      if (failure !== undefined) throw failure;
      try {
        return await task();
      } catch (error) {
        failure = error;
        throw error;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const streamFor = async (file: OutputFile): Promise<WriteStream> => {
    if (file.stream) {
      openFiles.delete(file);
      openFiles.set(file, true);
      return file.stream;
    }
    while (openFiles.size >= maxOpenFiles) {
      const [oldest] = openFiles.keys();
      openFiles.delete(oldest!);
      const stream = oldest!.stream!;
      oldest!.stream = undefined;
      try {
        await closeStream(stream);
      } catch (error) {
        throw writeError(oldest!, error);
      }
    }
    if (!file.created) await mkdir(dirname(file.temp), { recursive: true });
    const stream = createWriteStream(file.temp, { flags: file.created ? 'a' : 'w' });
    stream.on('error', () => undefined); // surfaced by writeChunk / closeStream
    await once(stream, 'ready'); // an open error rejects here, on the call that caused it
    file.created = true;
    file.stream = stream;
    openFiles.set(file, true);
    return stream;
  };

  const append = (file: OutputFile, line: string): Promise<void> =>
    enqueue(async () => {
      try {
        await writeChunk(await streamFor(file), line);
      } catch (error) {
        throw writeError(file, error);
      }
      file.lines += 1;
    });

  const writeCollection = async (collection: StacCollection): Promise<string> => {
    assertOpen();
    if (!isStacCollection(collection)) {
      throw invalid('writeCollection expects a STAC Collection (type "Collection" with a string id)');
    }
    if (collectionIds.has(collection.id)) {
      duplicates.push({ type: 'Collection', id: collection.id });
      return COLLECTIONS_NDJSON;
    }
    collectionIds.add(collection.id);
    const line = ndjsonLine(collection);
    collectionsFile ??= newFile(COLLECTIONS_NDJSON);
    await append(collectionsFile, line);
    return COLLECTIONS_NDJSON;
  };

  const writeItem = async (item: StacItem): Promise<string> => {
    assertOpen();
    if (!isStacItem(item)) throw invalid('writeItem expects a STAC Item (type "Feature" with a string id)');
    const collectionId =
      typeof item.collection === 'string' && item.collection !== '' ? item.collection : undefined;
    let group = groups.get(collectionId);
    if (!group) {
      const path =
        collectionId === undefined ? ITEMS_NDJSON : `${folders.claim(collectionId).name}/${ITEMS_NDJSON}`;
      group = { file: newFile(path), ids: new Set() };
      groups.set(collectionId, group);
    }
    if (group.ids.has(item.id)) {
      const duplicate: DuplicateRecord = { type: 'Feature', id: item.id };
      if (collectionId !== undefined) duplicate.collection = collectionId;
      duplicates.push(duplicate);
      return group.file.path;
    }
    const line = ndjsonLine(item);
    group.ids.add(item.id);
    await append(group.file, line);
    itemsWritten += 1;
    return group.file.path;
  };

  const closeAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const file of openFiles.keys()) {
      const stream = file.stream!;
      file.stream = undefined;
      await closeStream(stream).catch((error: unknown) => errors.push(writeError(file, error)));
    }
    openFiles.clear();
    if (errors.length > 0) throw errors[0];
  };

  const run = async (): Promise<NdjsonResult> => {
    await queue;
    if (failure !== undefined) {
      await abort();
      throw failure;
    }
    try {
      await closeAll();
      const written = files.filter((file) => file.created);
      for (const file of written) {
        if (fsync) {
          const handle = await open(file.temp, 'r+');
          try {
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
        await rename(file.temp, file.final);
      }
      const lines: Record<string, number> = {};
      for (const file of written) lines[file.path] = file.lines;
      return {
        written: itemsWritten,
        collections: collectionsFile?.lines ?? 0,
        files: written.map((file) => file.path),
        duplicatesDropped: duplicates.length,
        duplicates: [...duplicates],
        lines,
      };
    } catch (error) {
      await removeTemps();
      throw error instanceof ScmError
        ? error
        : new ScmError('SCM_OUTPUT_WRITE', `cannot finish the NDJSON files: ${errorMessage(error)}`, {
            cause: error,
          });
    }
  };

  const removeTemps = async (): Promise<void> => {
    for (const file of files) await unlink(file.temp).catch(() => undefined);
  };

  const abort = async (): Promise<void> => {
    if (state === 'aborted') return;
    state = 'aborted';
    await queue;
    await closeAll().catch(() => undefined);
    await removeTemps();
  };

  const finish = (): Promise<NdjsonResult> => {
    if (state === 'aborted' && !finishing) {
      return Promise.reject(new ScmError('SCM_USAGE', 'the NDJSON writer was aborted'));
    }
    if (!finishing) {
      state = 'finishing';
      finishing = run();
    }
    return finishing;
  };

  return {
    name: `ndjson:${root}`,
    root,
    writeCollection,
    writeItem,
    finish,
    abort,
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
