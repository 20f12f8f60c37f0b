import { open } from 'node:fs/promises';
import {
  countedChunks,
  type Failure,
  isBlankLine,
  type JsonObject,
  type LineBlock,
  linesOfBlock,
  readLineBlocks,
  type SourceRecord,
} from '@scm/core';
import {
  asInputError,
  assertReadableFile,
  type DroppedWarning,
  objectTextRecord,
  throwIfAborted,
} from './file-access.js';

/** Options of {@link readNdjson}. */
export interface NdjsonOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Told the size of each chunk as it is read from the file, for progress. Default: none. */
  onBytes?: (bytes: number) => void;
  /** Bytes read from the file at a time. Default 1 MiB. */
  chunkBytes?: number;
  /** Longest accepted line in bytes; a longer one throws `SCM_INPUT_PARSE`. Default 64 MiB. */
  maxLineBytes?: number;
  /** Told of the members a line's parse dropped (`__proto__`, `constructor`, `prototype`). Default: none. */
  onWarning?: DroppedWarning;
}

/**
 * What {@link readNdjson} yields for one non-blank line: its record, or the Failure of a line that is not
 * valid JSON or not an object (with the file, the 1-based line and the text).
 */
export function ndjsonLineRecord(
  text: string,
  file: string,
  line: number,
  onWarning?: DroppedWarning,
): SourceRecord<JsonObject> | Failure {
  return objectTextRecord(text, {
    file,
    line,
    onWarning,
    notJson: (reason) => `not valid JSON: ${reason}`,
    notObject: (described) => `the line holds ${described}, expected a JSON object`,
  });
}

/**
 * Streams newline-delimited JSON: one JSON object per line. Blank lines are
 * skipped. A line that is not valid JSON, or is valid JSON but not an object,
 * is yielded as a {@link Failure} carrying its 1-based line number, and
 * reading goes on. A UTF-8 byte-order mark and `\r\n` endings are accepted.
 *
 * @param path - File to read.
 * @param options - See {@link NdjsonOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing, `SCM_INPUT_PARSE` when a line exceeds `maxLineBytes`.
 */
export async function* readNdjson(
  path: string,
  options: NdjsonOptions = {},
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  for await (const block of readNdjsonBlocks(path, options)) {
    for (const { text, line } of linesOfBlock(block)) {
      throwIfAborted(options.signal);
      if (!isBlankLine(text)) yield ndjsonLineRecord(text, path, line, options.onWarning);
    }
  }
}

/**
 * Reads an NDJSON file as blocks of whole lines, not decoded, for a consumer that splits and parses them
 * elsewhere (a worker thread): `linesOfBlock` of `@scm/core` splits a block. Read as {@link readNdjson}
 * reads them, the blank lines (`isBlankLine`) are skipped and each other line is {@link ndjsonLineRecord}
 * of its text. The same options and checks on the file as {@link readNdjson}.
 *
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing, `SCM_INPUT_PARSE` when a line exceeds `maxLineBytes`.
 */
export async function* readNdjsonBlocks(
  path: string,
  options: NdjsonOptions = {},
): AsyncGenerator<LineBlock> {
  const { signal } = options;
  throwIfAborted(signal);
  await assertReadableFile(path);
  try {
    const chunks = countedChunks(chunksIntoOneBuffer(path, options.chunkBytes ?? 1 << 20), options.onBytes);
    for await (const block of readLineBlocks(chunks, { file: path, maxLineBytes: options.maxLineBytes })) {
      throwIfAborted(signal);
      yield block;
    }
  } catch (error) {
    throw asInputError(error, path);
  }
}

/**
 * The file's bytes a chunk at a time, each read into the same buffer (a chunk is overwritten by the next):
 * the blocks of lines are copies anyway, and a fresh buffer per chunk would only add garbage.
 */
async function* chunksIntoOneBuffer(path: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafeSlow(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
