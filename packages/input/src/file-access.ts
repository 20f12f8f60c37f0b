import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import {
  createFailure,
  errorMessage,
  type Failure,
  fileSystemError,
  isPlainObject,
  type JsonObject,
  ScmError,
  type SourceRecord,
  type ParsedJsonText,
  parseJsonText,
} from '@scm/core';

/** Throws `SCM_ABORTED` once the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'reading was aborted', { cause: signal.reason });
}

/** Maps a Node file-system error to the matching fatal {@link ScmError} (see `fileSystemError` in core). */
export function fileError(error: unknown, file: string): ScmError {
  return fileSystemError(error, file, 'read');
}

/** `stat` with errors mapped to {@link ScmError}. */
export async function statInput(file: string): Promise<Stats> {
  try {
    return await stat(file);
  } catch (error) {
    throw fileError(error, file);
  }
}

/** Checks that `file` exists and is a regular file, throwing the right {@link ScmError} otherwise. */
export async function assertReadableFile(file: string): Promise<void> {
  const info = await statInput(file);
  if (info.isDirectory()) {
    throw new ScmError('SCM_INPUT_UNSUPPORTED', `${file} is a directory; use openSource() to read a folder`, {
      location: { file },
    });
  }
}

/** Maps a Node system error (one with a `syscall`) to an {@link ScmError}; anything else is returned unchanged. */
export function asInputError(error: unknown, file: string): unknown {
  const system = error as { code?: unknown; syscall?: unknown } | undefined;
  if (typeof system?.code === 'string' && typeof system.syscall === 'string') return fileError(error, file);
  return error;
}

/** Describes a parsed JSON value for messages: `an array`, `a string`, `null`… */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a ${kind}`;
}

/** Input of {@link readFailure}. */
export interface ReadFailureInput {
  file: string;
  line?: number;
  index?: number;
  message: string;
  sourceData?: unknown;
  details?: unknown;
  field?: string;
}

/** Longest raw text kept in a failure's `source_data`. */
const MAX_SOURCE_CHARS = 1000;

/** Raw text for a failure's `source_data`: as read, cut to 1000 characters with a trailing `…`. */
export function rawSource(text: string): string {
  return text.length > MAX_SOURCE_CHARS ? `${text.slice(0, MAX_SOURCE_CHARS)}…` : text;
}

/**
 * Builds the {@link Failure} a reader yields for a record it cannot read:
 * `error_type: 'parse_error'`, `step: 'read'`, with the file and line, and a
 * message that starts with `<file>:<line>: ` (unless it already names the file).
 */
export function readFailure(input: ReadFailureInput): Failure {
  const where =
    input.line !== undefined ? input.line : input.index !== undefined ? `#${input.index}` : undefined;
  const itemId = where === undefined ? input.file : `${input.file}:${where}`;
  // The message names file and line on its own, so that it stands without its context.
  const message = input.message.startsWith(input.file) ? input.message : `${itemId}: ${input.message}`;
  return createFailure({
    itemId,
    errorType: 'parse_error',
    step: 'read',
    message,
    file: input.file,
    line: input.line,
    sourceData: input.sourceData,
    details: input.details,
    field: input.field,
  });
}

/** Where {@link objectTextRecord} reads its text, and the words of its two failures. */
export interface ObjectTextSource {
  file: string;
  line: number;
  /** Position in a JSON array; carried by the record's origin and its failures. */
  index?: number;
  /** Failure message of text that is not valid JSON, from the parser's reason. */
  notJson: (reason: string) => string;
  /** Failure message of JSON that is not an object, from {@link describeJson} of it. */
  notObject: (described: string) => string;
  /** Told of the members the parse dropped (see {@link warnDropped}). Default: none. */
  onWarning?: DroppedWarning | undefined;
}

/** How a reader is told of members it dropped: the message, and the file, line and JSON Pointers. */
export type DroppedWarning = (
  message: string,
  context: { file: string; line: number; dropped: readonly string[] },
) => void;

/**
 * Says which members of a record the parse dropped (named `__proto__`, `constructor` or `prototype`, which
 * could reach an object's prototype once copied), so that no data goes unread without a word.
 */
export function warnDropped(
  dropped: readonly string[],
  where: { file: string; line: number },
  onWarning: DroppedWarning | undefined,
): void {
  if (dropped.length === 0 || !onWarning) return;
  const members = dropped.length === 1 ? 'member' : 'members';
  onWarning(
    `${where.file}:${where.line}: ${members} ${dropped.join(', ')} not read: members named __proto__, constructor or prototype are never read (they could reach an object's prototype)`,
    { ...where, dropped },
  );
}

/**
 * The record of the JSON text of one object (its `text` kept unless a forbidden member was dropped), or
 * the Failure of text that is not valid JSON or not an object, naming the file and line.
 */
export function objectTextRecord(text: string, source: ObjectTextSource): SourceRecord<JsonObject> | Failure {
  const { file, line, index } = source;
  const position = index === undefined ? {} : { index, details: { index } };
  let parsed: ParsedJsonText;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    const message = source.notJson(errorMessage(error));
    return readFailure({ file, line, ...position, message, sourceData: rawSource(text) });
  }
  const { value, intact } = parsed;
  warnDropped(parsed.dropped, { file, line }, source.onWarning);
  if (!isPlainObject(value)) {
    const message = source.notObject(describeJson(value));
    return readFailure({ file, line, ...position, message, sourceData: value });
  }
  const origin = index === undefined ? { file, line } : { file, line, index };
  const record: SourceRecord<JsonObject> = { value: value as JsonObject, origin };
  if (intact) record.text = text;
  return record;
}
