import { createReadStream } from 'node:fs';
import {
  countedChunks,
  errorMessage,
  type Failure,
  isPlainObject,
  type JsonObject,
  readLines,
  type SourceRecord,
} from '@scm/core';
import {
  asInputError,
  assertReadableFile,
  describeJson,
  parseJsonText,
  rawSource,
  readFailure,
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
      let parsed: ReturnType<typeof parseJsonText>;
      try {
        parsed = parseJsonText(text);
      } catch (error) {
        yield readFailure({
          file: path,
          line,
          message: `not valid JSON: ${errorMessage(error)}`,
          sourceData: rawSource(text),
        });
        continue;
      }
      const { value, intact } = parsed;
      if (!isPlainObject(value)) {
        yield readFailure({
          file: path,
          line,
          message: `the line holds ${describeJson(value)}, expected a JSON object`,
          sourceData: value,
        });
        continue;
      }
      const record: SourceRecord<JsonObject> = { value: value as JsonObject, origin: { file: path, line } };
      if (intact) record.text = text;
      yield record;
    }
  } catch (error) {
    throw asInputError(error, path);
  } finally {
    stream.destroy();
  }
}
