/**
 * An incremental scanner that finds the records of a JSON document without
 * parsing the whole document at once. It understands just enough of the
 * grammar (strings, escapes, nesting) to cut the text of each top-level array
 * element, or of each element of a top-level object's `features` array; each
 * cut is then parsed with `JSON.parse`. Memory is bounded by the largest
 * single record, not by the file.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** A problem that stops the scan. */
export class JsonScanError extends Error {
  constructor(
    message: string,
    /** 1-based line where it was found. */
    readonly line: number,
    /** True when the document is valid so far but has a shape the reader does not handle. */
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** The shape of the document, known after its first non-blank byte (and, for objects, at the end). */
export type JsonDocumentShape = 'array' | 'object';

/** What the scanner found. */
export type JsonScanEvent =
  /** The text of one element of the top-level array or of the `features` array. */
  | { kind: 'element'; text: string; line: number; index: number }
  /** Two separators with nothing between them (`[1,,2]`). */
  | { kind: 'empty'; line: number; index: number }
  /** The whole top-level object (without its `features` array contents), when it had no `features` array. */
  | { kind: 'object'; text: string; line: number };

/** Collects the bytes of one value across chunk boundaries. */
class ByteCapture {
  active = false;
  private paused = false;
  private pieces: Buffer[] = [];
  private size = 0;
  private start = 0;

  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}

  begin(at: number): void {
    this.active = true;
    this.paused = false;
    this.pieces = [];
    this.size = 0;
    this.start = at;
  }

  /** Keeps the rest of the current chunk; called when a chunk ends. */
  carry(chunk: Buffer, line: number): void {
    if (!this.active || this.paused) return;
    this.add(chunk.subarray(this.start), line);
    this.start = 0;
  }

  /** Stops collecting after byte `end` (exclusive) until {@link resume}. */
  pause(chunk: Buffer, end: number, line: number): void {
    this.add(chunk.subarray(this.start, end), line);
    this.paused = true;
  }

  resume(at: number): void {
    this.paused = false;
    this.start = at;
  }

  finish(chunk: Buffer, end: number, line: number): Buffer {
    if (!this.paused) this.add(chunk.subarray(this.start, end), line);
    this.active = false;
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return bytes;
  }

  private add(part: Buffer, line: number): void {
    if (part.length === 0) return;
    this.pieces.push(part);
    this.size += part.length;
    if (this.size > this.limit) {
      throw new JsonScanError(`${this.what} is larger than ${this.limit} bytes`, line);
    }
  }
}

/** Splits a JSON document into records; feed it chunks with {@link push}, then call {@link end}. */
export class TopLevelJsonScanner {
  /** Shape of the document once known. */
  shape: JsonDocumentShape | undefined;
  /** True when a top-level `features` array was found. */
  featuresFound = false;

  private line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private finished = false;
  private elementDepth = -1;
  private elementLine = 0;
  private index = 0;
  private expectKey = false;
  private expectValue = false;
  private lastKey: string | undefined;
  private objectLine = 0;
  private readonly element: ByteCapture;
  private readonly key: ByteCapture;
  private readonly envelope: ByteCapture;

  /**
   * @param maxRecordBytes - largest record accepted.
   * @param recordsKey - name of the top-level member whose array holds the records (default `features`).
   */
  constructor(
    maxRecordBytes: number,
    private readonly recordsKey = 'features',
  ) {
    this.element = new ByteCapture(maxRecordBytes, 'an element');
    this.key = new ByteCapture(maxRecordBytes, 'a member name');
    this.envelope = new ByteCapture(maxRecordBytes, 'the top-level object');
  }

  /** Scans one chunk and returns what it completed. */
  push(chunk: Buffer): JsonScanEvent[] {
    const events: JsonScanEvent[] = [];
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.key.active) this.lastKey = decodeKey(this.key.finish(chunk, i + 1, this.line));
        } else if (c === NEWLINE) this.line += 1;
        continue;
      }
      if (c === NEWLINE) {
        this.line += 1;
        continue;
      }
      if (c === SPACE || c === TAB || c === CARRIAGE_RETURN) continue;
      if (this.finished) {
        throw new JsonScanError('unexpected data after the end of the top-level value', this.line);
      }
      if (this.shape === undefined) {
        // A UTF-8 byte-order mark (EF BB BF) before the value is skipped, even when split across chunks.
        if (c === 0xef || c === 0xbb || c === 0xbf) continue;
        this.start(c, i);
        continue;
      }
      if (this.depth === this.elementDepth) {
        if (c === COMMA) {
          this.endElement(chunk, i, events, true);
          continue;
        }
        if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
          this.endElement(chunk, i, events, false);
          this.closeElementContainer(i);
          continue;
        }
        if (!this.element.active) {
          this.element.begin(i);
          this.elementLine = this.line;
        }
      }
      this.structural(chunk, c, i, events);
    }
    this.element.carry(chunk, this.line);
    this.key.carry(chunk, this.line);
    this.envelope.carry(chunk, this.line);
    return events;
  }

  /**
   * Signals the end of input; throws when the document is incomplete. A file
   * with no JSON value at all (empty or blank) is complete: it holds no records.
   */
  end(): void {
    if (this.shape === undefined) return;
    if (!this.finished) {
      const what = this.shape === 'array' ? 'array' : 'object';
      throw new JsonScanError(`unexpected end of file: the top-level ${what} is not closed`, this.line);
    }
  }

  private start(c: number, i: number): void {
    if (c === OPEN_BRACKET) {
      this.shape = 'array';
      this.depth = 1;
      this.elementDepth = 1;
      return;
    }
    if (c === OPEN_BRACE) {
      this.shape = 'object';
      this.depth = 1;
      this.expectKey = true;
      this.objectLine = this.line;
      this.envelope.begin(i);
      return;
    }
    throw new JsonScanError('the top-level JSON value is not an array or an object', this.line, true);
  }

  private structural(chunk: Buffer, c: number, i: number, events: JsonScanEvent[]): void {
    const memberLevel = this.shape === 'object' && this.depth === 1;
    switch (c) {
      case QUOTE:
        this.inString = true;
        if (memberLevel) {
          if (this.expectKey) {
            this.expectKey = false;
            this.key.begin(i);
          } else this.expectValue = false;
        }
        return;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        if (memberLevel && this.expectValue) {
          this.expectValue = false;
          if (c === OPEN_BRACKET && this.lastKey === this.recordsKey && !this.featuresFound) {
            this.featuresFound = true;
            this.envelope.pause(chunk, i + 1, this.line);
            this.depth = 2;
            this.elementDepth = 2;
            return;
          }
        }
        this.depth += 1;
        return;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        this.depth -= 1;
        if (this.depth === 0) {
          this.finished = true;
          const text = this.envelope.finish(chunk, i + 1, this.line);
          if (!this.featuresFound)
            events.push({ kind: 'object', text: text.toString('utf8'), line: this.objectLine });
        }
        return;
      case COMMA:
        if (memberLevel) {
          this.expectKey = true;
          this.expectValue = false;
        }
        return;
      case COLON:
        if (memberLevel) this.expectValue = true;
        return;
      default:
        if (memberLevel) this.expectValue = false;
    }
  }

  private endElement(chunk: Buffer, i: number, events: JsonScanEvent[], separator: boolean): void {
    if (this.element.active) {
      const text = this.element.finish(chunk, i, this.line).toString('utf8');
      events.push({ kind: 'element', text, line: this.elementLine, index: this.index });
      this.index += 1;
    } else if (separator) {
      events.push({ kind: 'empty', line: this.line, index: this.index });
      this.index += 1;
    }
    // A closing bracket right after a separator (`[1,]`) is tolerated.
  }

  private closeElementContainer(i: number): void {
    this.elementDepth = -1;
    this.depth -= 1;
    if (this.depth === 0) {
      this.finished = true;
      return;
    }
    this.envelope.resume(i);
  }
}

function decodeKey(bytes: Buffer): string | undefined {
  try {
    const key: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
