import { createReadStream } from 'node:fs';
import {
  errorMessage,
  type Failure,
  isPlainObject,
  type JsonObject,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import {
  asInputError,
  assertReadableFile,
  describeJson,
  parseJsonSafely,
  readFailure,
  throwIfAborted,
} from './file-access.js';
import { JsonScanError, TopLevelJsonScanner } from './json-scanner.js';

/** Options of {@link readJson}. */
export interface JsonOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Bytes read from the file at a time. Default 1 MiB. */
  chunkBytes?: number;
  /**
   * Largest single record (array element, feature, or a lone top-level
   * object) in bytes; a larger one throws `SCM_INPUT_PARSE`. Default 256 MiB.
   */
  maxRecordBytes?: number;
  /**
   * Name of the top-level member whose array holds the records, for API
   * pages such as `{ "data": [...] }`. Default `features`.
   */
  recordsKey?: string;
}

/** Default of {@link JsonOptions.maxRecordBytes}. */
const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * Streams the records of a JSON document. Four shapes are accepted:
 *
 * - an array of objects: each element is a record;
 * - a GeoJSON `FeatureCollection` or STAC `ItemCollection`, or any object
 *   with a top-level `features` array: each feature is a record;
 * - any other object: the object itself is the single record.
 *
 * The file is scanned incrementally, so a large array or `FeatureCollection`
 * never sits in memory as a whole; only one record at a time is parsed.
 * Origins carry the 0-based `index` of the element and the 1-based `line`
 * where it starts. An element that is not valid JSON or not an object is
 * yielded as a {@link Failure} and reading goes on.
 *
 * @param path - File to read.
 * @param options - See {@link JsonOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing; `SCM_INPUT_PARSE` when the document is truncated,
 * unbalanced, empty, or a lone object is not valid JSON; `SCM_INPUT_UNSUPPORTED` when the top-level value is
 * neither an array nor an object.
 */
export async function* readJson(
  path: string,
  options: JsonOptions = {},
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { signal } = options;
  throwIfAborted(signal);
  await assertReadableFile(path);
  const scanner = new TopLevelJsonScanner(
    options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    options.recordsKey,
  );
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let events: ReturnType<TopLevelJsonScanner['push']>;
      try {
        events = scanner.push(chunk);
      } catch (error) {
        throw scanFailure(error, path);
      }
      for (const event of events) {
        throwIfAborted(signal);
        if (event.kind === 'empty') {
          yield readFailure({
            file: path,
            line: event.line,
            index: event.index,
            message: `element ${event.index} (line ${event.line}) is empty`,
            details: { index: event.index },
          });
        } else if (event.kind === 'element') {
          yield elementRecord(path, event.text, event.line, event.index);
        } else {
          yield wholeObject(path, event.text, event.line);
        }
      }
    }
    try {
      scanner.end();
    } catch (error) {
      throw scanFailure(error, path);
    }
  } catch (error) {
    throw asInputError(error, path);
  } finally {
    stream.destroy();
  }
}

function elementRecord(
  file: string,
  text: string,
  line: number,
  index: number,
): SourceRecord<JsonObject> | Failure {
  let value: unknown;
  try {
    value = parseJsonSafely(text);
  } catch (error) {
    return readFailure({
      file,
      line,
      index,
      message: `element ${index} (line ${line}) is not valid JSON: ${errorMessage(error)}`,
      sourceData: text.length > 1000 ? `${text.slice(0, 1000)}…` : text,
      details: { index },
    });
  }
  if (!isPlainObject(value)) {
    return readFailure({
      file,
      line,
      index,
      message: `element ${index} (line ${line}) is ${describeJson(value)}, expected a JSON object`,
      sourceData: value,
      details: { index },
    });
  }
  return { value: value as JsonObject, origin: { file, line, index } };
}

function wholeObject(file: string, text: string, line: number): SourceRecord<JsonObject> {
  let value: unknown;
  try {
    value = parseJsonSafely(text);
  } catch (error) {
    throw new ScmError('SCM_INPUT_PARSE', `${file} is not valid JSON: ${errorMessage(error)}`, {
      cause: error,
      location: { file, line },
    });
  }
  return { value: value as JsonObject, origin: { file, line, index: 0 } };
}

function scanFailure(error: unknown, file: string): unknown {
  if (!(error instanceof JsonScanError)) return error;
  const code = error.unsupported ? 'SCM_INPUT_UNSUPPORTED' : 'SCM_INPUT_PARSE';
  return new ScmError(code, `${file}:${error.line}: ${error.message}`, {
    location: { file, line: error.line },
  });
}
