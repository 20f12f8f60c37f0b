import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';
import {
  countedChunks,
  type Failure,
  isForbiddenKey,
  type JsonObject,
  type JsonValue,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import Papa from 'papaparse';
import { asInputError, assertReadableFile, rawSource, readFailure, throwIfAborted } from './file-access.js';

/** A field delimiter {@link readCsv} understands. */
export type CsvDelimiter = ',' | ';' | '\t';

/** Options of {@link readCsv}. */
export interface CsvOptions {
  /** Stops reading; the generator then throws `SCM_ABORTED`. Default: none. */
  signal?: AbortSignal;
  /** Told the size of each chunk as it is read from the file, for progress. Default: none. */
  onBytes?: (bytes: number) => void;
  /** Bytes read from the file at a time; rows are parsed chunk by chunk. Default 256 KiB. */
  chunkBytes?: number;
  /**
   * Field delimiter. `'auto'` picks whichever of `,` `;` and tab occurs most
   * often outside quotes in the header line (ties go to `,`, then `;`).
   * Default `'auto'`.
   */
  delimiter?: CsvDelimiter | 'auto';
  /** Text encoding, any label `TextDecoder` knows (`utf-8`, `utf-16le`, `latin1`, `windows-1252`…). Default `'utf-8'`. */
  encoding?: string;
  /**
   * Convert `true`/`false` to booleans, plain decimal numbers to numbers and
   * empty fields to `null`. Off by default: values stay strings and typing is
   * left to the field mapping. See the README for the exact rules. Default `false`.
   */
  dynamicTyping?: boolean;
  /** Skip lines that are empty or hold only spaces. Default `true`. */
  skipEmptyLines?: boolean;
  /** Largest record in characters (a quoted field may span many lines); a larger one throws `SCM_INPUT_PARSE`. Default 64 Mi. */
  maxRecordChars?: number;
  /** Receives non-fatal notes about the header (renamed or dropped columns). Default: ignored. */
  onWarning?: (message: string, context: { file: string; line?: number }) => void;
}

const DEFAULT_MAX_RECORD_CHARS = 64 * 1024 * 1024;
const CHUNK_BYTES = 256 * 1024;

interface ParsedRow {
  fields: string[];
  /** Absolute character offset just after the row's terminator. */
  end: number;
  quoteError?: string;
  /** The row's text as read, terminator included, for a failure's `source_data`. */
  raw?: string;
}

/**
 * Streams a CSV file with a header row as one plain object per data row,
 * keyed by the header names.
 *
 * Parsing is done by papaparse's core parser, driven chunk by chunk from a
 * file stream: the next chunk is read only when the consumer has pulled every
 * row of the current one, so memory stays flat whatever the file size.
 * Quoted fields may contain delimiters, quotes (`""`) and line breaks.
 *
 * `origin.line` is the physical line where the row starts (the header is line
 * 1); rows after a multi-line quoted field keep their true line numbers. A
 * row with more or fewer fields than the header, or with broken quoting, is
 * yielded as a {@link Failure} with that line, and reading goes on.
 *
 * @param path - File to read.
 * @param options - See {@link CsvOptions}.
 * @throws `SCM_INPUT_NOT_FOUND` when the file is missing; `SCM_INPUT_UNSUPPORTED` for an unknown encoding;
 * `SCM_INPUT_PARSE` when a record exceeds `maxRecordChars`.
 */
export async function* readCsv(
  path: string,
  options: CsvOptions = {},
): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
  const { signal, dynamicTyping = false, skipEmptyLines = true } = options;
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  throwIfAborted(signal);
  const decoder = createDecoder(options.encoding ?? 'utf-8', path);
  await assertReadableFile(path);

  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? CHUNK_BYTES });
  let parser: Papa.Parser | undefined;
  let collected: ParsedRow[] = [];
  let newlineChar = '\n';
  let pending = '';
  /** Absolute character offset of `pending[0]`. */
  let base = 0;
  /** Absolute offset where the next row starts, and that position's line number. */
  let rowStart = 0;
  let line = 1;
  let header: HeaderColumn[] | undefined;

  const step = (results: Papa.ParseStepResult<string[]>): void => {
    // In step mode `data` holds exactly one row.
    const fields = (results.data as unknown as string[][])[0] ?? [];
    const error = results.errors[0];
    collected.push({ fields, end: results.meta.cursor, quoteError: error?.message });
  };

  /** Parses `text` appended to what is pending and yields what completes. */
  async function* feed(text: string, last: boolean): AsyncGenerator<SourceRecord<JsonObject> | Failure> {
    const aggregate = pending + text;
    if (!parser) {
      const started = startParser(aggregate, last, options.delimiter, step);
      if (!started) {
        pending = aggregate;
        if (pending.length > maxRecordChars) throw tooLong(path, 1, maxRecordChars);
        return;
      }
      ({ parser, newlineChar } = started);
    }
    collected = [];
    parser.parse(aggregate, base, !last);
    const rows = collected;
    collected = [];
    for (const row of rows) {
      const startLine = line;
      row.raw = aggregate.slice(rowStart - base, row.end - base);
      line += countNewlines(aggregate, rowStart - base, row.end - base, newlineChar);
      rowStart = row.end;
      throwIfAborted(signal);
      const blank = row.fields.length === 1 && row.fields[0]!.trim() === '';
      if (blank && (skipEmptyLines || !header)) continue;
      if (!header) {
        header = buildHeader(row.fields, path, startLine, options.onWarning);
        continue;
      }
      yield toRecord(row, header, path, startLine, dynamicTyping);
    }
    pending = aggregate.slice(rowStart - base);
    base = rowStart;
    if (pending.length > maxRecordChars) throw tooLong(path, line, maxRecordChars);
  }

  try {
    for await (const chunk of countedChunks(stream as AsyncIterable<Buffer>, options.onBytes)) {
      yield* feed(decoder.decode(chunk, { stream: true }), false);
    }
    yield* feed(decoder.decode(), true);
  } catch (error) {
    throw asInputError(error, path);
  } finally {
    stream.destroy();
  }
}

/**
 * The papaparse parser for a file whose text starts with `text`, set up from
 * its header line (delimiter and line terminator), or `undefined` while the
 * header line is not complete and more text is coming. Leading blank lines
 * are ignored when looking at the header line.
 */
function startParser(
  text: string,
  last: boolean,
  delimiterOption: CsvOptions['delimiter'],
  step: (results: Papa.ParseStepResult<string[]>) => void,
): { parser: Papa.Parser; newlineChar: string } | undefined {
  const detectFrom = text.trimStart();
  const head = firstLine(detectFrom);
  if (head === undefined && !last) return undefined;
  const delimiter =
    delimiterOption && delimiterOption !== 'auto'
      ? delimiterOption
      : guessDelimiter(head?.text ?? detectFrom);
  const parser = new Papa.Parser({ delimiter, newline: head?.newline ?? '\n', quoteChar: '"', step });
  return { parser, newlineChar: head?.newline === '\r' ? '\r' : '\n' };
}

/**
 * Parses a whole CSV text held in memory (a small lookup table, say) into
 * rows of strings, the header row first, with the same papaparse settings as
 * {@link readCsv}: the same delimiter guess, `"` quoting with `""` escapes,
 * delimiters and line breaks inside quoted fields, a leading BOM ignored and
 * blank lines skipped. Values stay strings.
 *
 * @param text - The CSV text.
 * @throws `SCM_INPUT_PARSE` when a quoted field is not closed or quoting is malformed, naming the line.
 */
export function parseCsvText(text: string): string[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const head = firstLine(body.trimStart());
  const delimiter = guessDelimiter(head?.text ?? body.trimStart());
  const parsed = Papa.parse<string[]>(body, {
    delimiter,
    newline: head?.newline ?? '\n',
    quoteChar: '"',
    skipEmptyLines: 'greedy',
  });
  const error = parsed.errors.find((e) => e.type === 'Quotes');
  if (error) {
    const row = error.row === undefined ? '' : ` in row ${error.row + 1}`;
    throw new ScmError('SCM_INPUT_PARSE', `CSV text has malformed quoting${row}: ${error.message}`);
  }
  return parsed.data;
}

interface HeaderColumn {
  /** Record key, or `undefined` for a dropped column. */
  key: string | undefined;
}

function buildHeader(
  fields: string[],
  file: string,
  line: number,
  onWarning: CsvOptions['onWarning'],
): HeaderColumn[] {
  const used = new Set<string>();
  const counts = new Map<string, number>();
  const warn = (message: string) => onWarning?.(message, { file, line });
  return fields.map((raw, i) => {
    let name = raw.trim();
    if (name === '') {
      name = `column_${i + 1}`;
      warn(`column ${i + 1} has no name in the header; using "${name}"`);
    }
    if (isForbiddenKey(name)) {
      warn(`column ${i + 1} is named "${name}", which is not allowed as a key; the column is ignored`);
      return { key: undefined };
    }
    if (used.has(name)) {
      let n = counts.get(name) ?? 1;
      let renamed = `${name}_${n}`;
      while (used.has(renamed)) {
        n += 1;
        renamed = `${name}_${n}`;
      }
      counts.set(name, n + 1);
      warn(`column ${i + 1} repeats the name "${name}"; using "${renamed}"`);
      name = renamed;
    }
    used.add(name);
    return { key: name };
  });
}

function toRecord(
  row: ParsedRow,
  header: HeaderColumn[],
  file: string,
  line: number,
  dynamicTyping: boolean,
): SourceRecord<JsonObject> | Failure {
  const { fields } = row;
  if (row.quoteError) {
    return readFailure({
      file,
      line,
      message: `CSV row at line ${line} has malformed quoting: ${row.quoteError}`,
      sourceData: rawRow(row),
    });
  }
  if (fields.length !== header.length) {
    const relation = fields.length > header.length ? 'too many' : 'too few';
    return readFailure({
      file,
      line,
      message: `CSV row at line ${line} has ${relation} fields: ${fields.length} instead of the header's ${header.length}`,
      sourceData: rawRow(row),
      details: { expected: header.length, actual: fields.length },
    });
  }
  const value: JsonObject = {};
  for (let i = 0; i < fields.length; i++) {
    const key = header[i]!.key;
    if (key === undefined) continue;
    value[key] = dynamicTyping ? typeValue(fields[i]!) : fields[i]!;
  }
  return { value, origin: { file, line } };
}

/** The raw text of a row without its line terminator (cut when huge), for a failure. */
function rawRow(row: ParsedRow): string {
  return rawSource((row.raw ?? '').replace(/\r?\n$|\r$/, ''));
}

const NUMBER_PATTERN = /^[-+]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const FRACTION_PATTERN = /^[-+]?\.\d+(?:[eE][-+]?\d+)?$/;

/**
 * The `dynamicTyping` rules: empty → null, `true`/`false` (any case) →
 * boolean, a plain decimal number → number. Integers with leading zeros
 * (`007`, zip codes) and integers beyond 2^53 stay strings, so no identifier
 * loses digits.
 */
export function typeValue(text: string): JsonValue {
  if (text === '') return null;
  const lower = text.length <= 5 ? text.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (NUMBER_PATTERN.test(text) || FRACTION_PATTERN.test(text)) {
    const number = Number(text);
    if (!Number.isFinite(number)) return text;
    if (Number.isInteger(number) && !Number.isSafeInteger(number) && !/[.eE]/.test(text)) return text;
    return number;
  }
  return text;
}

/** Finds the header line: its text and the line terminator, honouring quotes. */
function firstLine(text: string): { text: string; newline: '\n' | '\r\n' | '\r' } | undefined {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) inQuotes = !inQuotes;
    else if (!inQuotes && c === 0x0a) return { text: text.slice(0, i), newline: '\n' };
    else if (!inQuotes && c === 0x0d) {
      if (i + 1 >= text.length) return undefined; // the next chunk decides between \r and \r\n
      return { text: text.slice(0, i), newline: text.charCodeAt(i + 1) === 0x0a ? '\r\n' : '\r' };
    }
  }
  return undefined;
}

/** Picks the delimiter that occurs most often outside quotes in the header line. */
export function guessDelimiter(headerLine: string): CsvDelimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (const char of headerLine) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (char === ',' || char === ';' || char === '\t')) counts[char] += 1;
  }
  let best: CsvDelimiter = ',';
  for (const candidate of [';', '\t'] as const) {
    if (counts[candidate] > counts[best]) best = candidate;
  }
  return best;
}

function countNewlines(text: string, from: number, to: number, newline: string): number {
  let count = 0;
  let at = text.indexOf(newline, from);
  while (at !== -1 && at < to) {
    count += 1;
    at = text.indexOf(newline, at + 1);
  }
  return count;
}

function createDecoder(encoding: string, file: string): TextDecoder {
  try {
    return new TextDecoder(encoding);
  } catch (error) {
    throw new ScmError('SCM_INPUT_UNSUPPORTED', `unknown text encoding "${encoding}" for ${file}`, {
      cause: error,
      location: { file },
    });
  }
}

function tooLong(file: string, line: number, limit: number): ScmError {
  return new ScmError(
    'SCM_INPUT_PARSE',
    `the CSV record starting at line ${line} is longer than ${limit} characters`,
    {
      location: { file, line },
    },
  );
}
