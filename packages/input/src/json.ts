import { createReadStream } from 'node:fs';
import {
  countedChunks,
  errorMessage,
  type Failure,
  type JsonObject,
  type ParsedJsonText,
  parseJsonText,
  type SourceRecord,
} from '@scm/core';
import {
  asInputError,
  assertReadableFile,
  type DroppedWarning,
  objectTextRecord,
  rawSource,
  readFailure,
  throwIfAborted,
  warnDropped,
} from './file-access.js';
import { JsonScanError, type JsonScanEvent, TopLevelJsonScanner } from './json-scanner.js';

/** Options of {@link readJson}. */
export interface JsonOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Told the size of each chunk as it is read from the file, for progress. Default: none. */
  onBytes?: (bytes: number) => void;
  /** Bytes read from the file at a time. Default 1 MiB. */
  chunkBytes?: number;
  /** Told of the members a record's parse dropped (`__proto__`, `constructor`, `prototype`). Default: none. */
  onWarning?: DroppedWarning;
  /**
   * Largest single record (array element, feature, or a lone top-level
   * object) in bytes; a larger one is yielded as a Failure and ends the
   * reading of the file. Default 256 MiB.
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
 * yielded as a {@link Failure} and reading goes on. A document that breaks
 * off (truncated, unbalanced, data after the end, a bare string or number,
 * a record over `maxRecordBytes`) yields what was complete, then one
 * `parse_error` Failure naming the line, and reading of this file stops.
 * An empty or blank file holds no records.
 *
 * @param path - File to read.
 * @param options - See {@link JsonOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing or unreadable.
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
    for await (const chunk of countedChunks(stream as AsyncIterable<Buffer>, options.onBytes)) {
      const events = scanChunk(scanner, chunk);
      for (const event of events) {
        throwIfAborted(signal);
        yield eventRecord(path, event, options.onWarning);
        if (event.kind === 'broken') return;
      }
    }
    const end = scanChunk(scanner, undefined);
    if (end.length > 0) yield eventRecord(path, end[0]!, options.onWarning);
  } catch (error) {
    throw asInputError(error, path);
  } finally {
    stream.destroy();
  }
}

/** A scan error in place of the events, so that the reader can yield it as a Failure. */
type ScanOutcome = JsonScanEvent | { kind: 'broken'; error: JsonScanError };

/** Feeds one chunk (or the end, when `chunk` is undefined); a scan error ends the list. */
function scanChunk(scanner: TopLevelJsonScanner, chunk: Buffer | undefined): ScanOutcome[] {
  try {
    if (chunk === undefined) {
      scanner.end();
      return [];
    }
    return scanner.push(chunk);
  } catch (error) {
    if (!(error instanceof JsonScanError)) throw error;
    return [{ kind: 'broken', error }];
  }
}

function eventRecord(
  file: string,
  event: ScanOutcome,
  onWarning: DroppedWarning | undefined,
): SourceRecord<JsonObject> | Failure {
  switch (event.kind) {
    case 'empty':
      return readFailure({
        file,
        line: event.line,
        index: event.index,
        message: `element ${event.index} (line ${event.line}) is empty`,
        details: { index: event.index },
      });
    case 'element':
      return elementRecord(file, event.text, event.line, event.index, onWarning);
    case 'object':
      return wholeObject(file, event.text, event.line, onWarning);
    case 'broken':
      return readFailure({
        file,
        line: event.error.line,
        message: `${event.error.message}; the rest of the file was not read`,
      });
  }
}
function elementRecord(
  file: string,
  text: string,
  line: number,
  index: number,
  onWarning: DroppedWarning | undefined,
): SourceRecord<JsonObject> | Failure {
  return objectTextRecord(text, {
    file,
    line,
    index,
    onWarning,
    notJson: (reason) => `element ${index} (line ${line}) is not valid JSON: ${reason}`,
    notObject: (described) => `element ${index} (line ${line}) is ${described}, expected a JSON object`,
  });
}

function wholeObject(
  file: string,
  text: string,
  line: number,
  onWarning: DroppedWarning | undefined,
): SourceRecord<JsonObject> | Failure {
  let parsed: ParsedJsonText;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    return readFailure({
      file,
      line,
      message: `${file} is not valid JSON: ${errorMessage(error)}`,
      sourceData: rawSource(text),
    });
  }
  warnDropped(parsed.dropped, { file, line }, onWarning);
  const record: SourceRecord<JsonObject> = {
    value: parsed.value as JsonObject,
    origin: { file, line, index: 0 },
  };
  if (parsed.intact) record.text = text;
  return record;
}
