import { createReadStream } from 'node:fs';
import { countedChunks, type Failure, type JsonObject, readLines, type SourceRecord } from '@scm/core';
import {
  asInputError,
  assertReadableFile,
  mentionsForbiddenKey,
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
  /**
   * Leave unparsed each line that opens a JSON object and names no forbidden member: its record has the
   * line as `text`, and its `value` is parsed when first read ({@link isUnparsed} tells such a record). For
   * a consumer that hands the text on, to a worker thread, and need not parse it here. Reading `value` of
   * such a line that is not valid JSON throws a `SyntaxError`; {@link ndjsonLineRecord} gives the Failure a
   * reader yields for it. Default false.
   */
  unparsed?: boolean;
}

const unparsedRecords = new WeakSet<object>();

/** Whether `record` came from a line left unparsed (see {@link NdjsonOptions.unparsed}). */
export function isUnparsed(record: object): boolean {
  return unparsedRecords.has(record);
}

/** A record whose value is parsed from `text` when first read. */
function unparsedRecord(text: string, file: string, line: number): SourceRecord<JsonObject> {
  let value: JsonObject | undefined;
  const record = {
    origin: { file, line },
    text,
    get value(): JsonObject {
      value ??= JSON.parse(text) as JsonObject;
      return value;
    },
  };
  unparsedRecords.add(record);
  return record;
}

/**
 * What {@link readNdjson} yields for one non-blank line: its record, or the Failure of a line that is not
 * valid JSON or not an object (with the file, the 1-based line and the text).
 */
export function ndjsonLineRecord(
  text: string,
  file: string,
  line: number,
): SourceRecord<JsonObject> | Failure {
  return objectTextRecord(text, {
    file,
    line,
    notJson: (reason) => `not valid JSON: ${reason}`,
    notObject: (described) => `the line holds ${described}, expected a JSON object`,
  });
}

/** Whether a line may be left unparsed: it opens an object and names no forbidden member. */
function mayStayUnparsed(text: string): boolean {
  return text.trimStart().startsWith('{') && !mentionsForbiddenKey(text);
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
  const { signal } = options;
  throwIfAborted(signal);
  await assertReadableFile(path);
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  try {
    for await (const { text, line } of readLines(countedChunks(stream, options.onBytes), {
      file: path,
      maxLineBytes: options.maxLineBytes,
    })) {
      throwIfAborted(signal);
      if (text.trim() === '') continue;
      if (options.unparsed && mayStayUnparsed(text)) yield unparsedRecord(text, path, line);
      else yield ndjsonLineRecord(text, path, line);
    }
  } catch (error) {
    throw asInputError(error, path);
  } finally {
    stream.destroy();
  }
}
