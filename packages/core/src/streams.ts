import { ScmError } from './errors.js';

/** Anything `for await` accepts. */
export type AnyIterable<T> = AsyncIterable<T> | Iterable<T>;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: signal.reason });
}

/** Groups a stream into arrays of at most `size` elements (the last may be shorter). */
export async function* batch<T>(
  source: AnyIterable<T>,
  size: number,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let current: T[] = [];
  for await (const value of source) {
    throwIfAborted(options.signal);
    current.push(value);
    if (current.length >= size) {
      yield current;
      current = [];
    }
  }
  if (current.length > 0) yield current;
}

/** Options of {@link mapConcurrent}. */
export interface MapConcurrentOptions {
  /** Most calls of the mapper in flight at once. */
  concurrency: number;
  /** Keep input order in the output (default true). When false, results come as they finish. */
  ordered?: boolean;
  /** Stops pulling input and rejects pending waits. */
  signal?: AbortSignal;
}

/**
 * Maps a stream with at most `concurrency` calls in flight. It pulls a new
 * input only when a slot is free, so a slow consumer slows the producer
 * (backpressure) and memory stays bounded by `concurrency`. A mapper that
 * throws ends the stream with that error; per-item problems should be
 * returned as values instead.
 */
export async function* mapConcurrent<T, R>(
  source: AnyIterable<T>,
  mapper: (value: T, index: number) => Promise<R> | R,
  options: MapConcurrentOptions,
): AsyncGenerator<R> {
  const { concurrency, ordered = true, signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const iterator = (
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]()
  ) as AsyncIterator<T> | Iterator<T>;
  type Slot = { index: number; promise: Promise<{ index: number; value: R }> };
  const inFlight: Slot[] = [];
  let index = 0;
  let exhausted = false;

  const fill = async (): Promise<void> => {
    while (!exhausted && inFlight.length < concurrency) {
      throwIfAborted(signal);
      const next = await iterator.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const i = index++;
      const promise = Promise.resolve()
        .then(() => mapper(next.value, i))
        .then((value) => ({ index: i, value }));
      // Rejections are observed when the slot is awaited; avoid an unhandled-rejection warning meanwhile.
      promise.catch(() => undefined);
      inFlight.push({ index: i, promise });
    }
  };

  try {
    await fill();
    while (inFlight.length > 0) {
      let settled: { index: number; value: R };
      if (ordered) {
        settled = await inFlight[0]!.promise;
        inFlight.shift();
      } else {
        settled = await Promise.race(inFlight.map((s) => s.promise));
        inFlight.splice(
          inFlight.findIndex((s) => s.index === settled.index),
          1,
        );
      }
      yield settled.value;
      await fill();
    }
  } finally {
    // Whatever ends the run (an abort, a failed mapper, a consumer that stops), no mapper outlives it: the
    // caller may remove or rename the folder they write into as soon as this returns.
    await Promise.allSettled(inFlight.map((slot) => slot.promise));
    if (!exhausted) await iterator.return?.();
  }
}

/**
 * A bounded async queue between a producer and a consumer. `push` waits while
 * the queue is full, which is how backpressure reaches the producer.
 */
export interface Channel<T> extends AsyncIterable<T> {
  /** Adds a value, waiting while the channel holds `capacity` values. */
  push(value: T): Promise<void>;
  /** No more values; the consumer ends after draining. */
  close(): void;
  /** Ends the consumer with an error. */
  fail(error: unknown): void;
  /** Values waiting to be consumed. */
  readonly size: number;
}

/** Creates a {@link Channel} holding at most `capacity` values. */
export function createChannel<T>(capacity: number): Channel<T> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const buffer: T[] = [];
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  const waitingProducers: (() => void)[] = [];

  const notifyConsumer = () => {
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };

  return {
    get size() {
      return buffer.length;
    },
    async push(value: T) {
      if (closed) throw new Error('push on a closed channel');
      while (buffer.length >= capacity && !failure) {
        await new Promise<void>((resolve) => waitingProducers.push(resolve));
      }
      if (failure) throw failure.error;
      buffer.push(value);
      notifyConsumer();
    },
    close() {
      closed = true;
      notifyConsumer();
    },
    fail(error: unknown) {
      failure = { error };
      closed = true;
      notifyConsumer();
      for (const wake of waitingProducers.splice(0)) wake();
    },
    async *[Symbol.asyncIterator]() {
      while (true) {
        if (failure) throw failure.error;
        if (buffer.length > 0) {
          const value = buffer.shift() as T;
          waitingProducers.shift()?.();
          yield value;
          continue;
        }
        if (closed) return;
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
      }
    },
  };
}

/** A line of text with its 1-based line number. */
export interface NumberedLine {
  /** The line without its line terminator (`\n` or `\r\n`). */
  text: string;
  /** 1-based line number. */
  line: number;
}

/**
 * Passes chunks through, telling `onBytes` the size of each as it is read, so a reader can report how
 * far through a file it is without a second pass. Without `onBytes` the chunks are returned as they are.
 */
export function countedChunks<T extends Uint8Array | string>(
  chunks: AsyncIterable<T>,
  onBytes: ((bytes: number) => void) | undefined,
): AsyncIterable<T> {
  if (!onBytes) return chunks;
  return (async function* () {
    for await (const chunk of chunks) {
      onBytes(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength);
      yield chunk;
    }
  })();
}

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** Longest line accepted in bytes (default 64 MiB); a longer one throws `SCM_INPUT_PARSE` with its number. */
  maxLineBytes?: number;
  /** File name for error messages. */
  file?: string;
}

/** Whole lines of a byte stream, as {@link readLineBlocks} reads them. */
export interface LineBlock {
  /** One or more whole lines, each with its `\n` but perhaps the last line of the stream. */
  bytes: Uint8Array;
  /** 1-based number of the block's first line. */
  firstLine: number;
}

/** One line of a {@link LineBlock}: its text and number, and where its text lies in the block's bytes. */
export interface BlockLine extends NumberedLine {
  /** Offset of the line's first byte. */
  start: number;
  /** Offset just past the line's text (its `\n` or `\r\n` left out). */
  end: number;
}

const LINE_DECODER = new TextDecoder('utf-8');

function asBuffer(bytes: Uint8Array | string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The pieces joined into a buffer with an `ArrayBuffer` of its own (so it can be transferred to a thread). */
function ownBuffer(pieces: readonly Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const piece of pieces) at += piece.copy(out, at);
  return out;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count += 1;
  return count;
}

/**
 * Cuts a byte stream into blocks of whole lines, one per chunk read (the chunk up to its last `\n`, after
 * what the chunks before left unfinished), without decoding them: for a consumer that splits them
 * elsewhere, such as a worker thread, with {@link linesOfBlock}. Line numbers are kept exact. Each block
 * is a copy with an `ArrayBuffer` of its own, which the consumer may keep or transfer; no chunk is held
 * once the next is asked for, so the source may read every chunk into the same buffer.
 *
 * @throws `SCM_INPUT_PARSE` when a line grows past `maxLineBytes`, with its number.
 */
export async function* readLineBlocks(
  chunks: AsyncIterable<Uint8Array | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<LineBlock> {
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  // The unfinished line is kept as the list of its pieces and joined once, when its newline comes,
  // so a line spread over many chunks costs its length, not its length times the number of chunks.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let firstLine = 1;
  for await (const raw of chunks) {
    const chunk = asBuffer(raw);
    const last = chunk.lastIndexOf(10);
    if (last !== -1) {
      const bytes = ownBuffer([...pending, chunk.subarray(0, last + 1)], pendingBytes + last + 1);
      pending.length = 0;
      pendingBytes = 0;
      yield { bytes, firstLine };
      firstLine += countNewlines(bytes);
    }
    if (last + 1 < chunk.length) {
      pending.push(Buffer.from(chunk.subarray(last + 1)));
      pendingBytes += chunk.length - last - 1;
    }
    if (pendingBytes > maxLineBytes) {
      throw new ScmError('SCM_INPUT_PARSE', `line ${firstLine} is longer than ${maxLineBytes} bytes`, {
        location: { file: options.file, line: firstLine },
      });
    }
  }
  if (pendingBytes > 0) yield { bytes: ownBuffer(pending, pendingBytes), firstLine };
}

/**
 * The text of one line of a block, from where {@link linesOfBlock} found it (the UTF-8 byte-order mark
 * of a stream's first line dropped): for a line read again later.
 */
export function blockLineText(bytes: Uint8Array, at: Omit<BlockLine, 'text'>): string {
  const text = LINE_DECODER.decode(bytes.subarray(at.start, at.end));
  return at.line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Whether a line holds only whitespace: line-oriented readers (NDJSON) skip such lines. */
export function isBlankLine(text: string): boolean {
  return text.trim() === '';
}

/**
 * The lines of a block, decoded: without their `\n` or `\r\n`, and without the UTF-8 byte-order mark
 * of a stream's first line.
 */
export function* linesOfBlock(block: LineBlock): Generator<BlockLine> {
  const bytes = asBuffer(block.bytes);
  let line = block.firstLine;
  let start = 0;
  while (start < bytes.length) {
    let newline = bytes.indexOf(10, start);
    if (newline === -1) newline = bytes.length;
    const end = newline > start && bytes[newline - 1] === 13 ? newline - 1 : newline;
    yield { text: blockLineText(bytes, { line, start, end }), line, start, end };
    start = newline + 1;
    line += 1;
  }
}

/**
 * Splits a byte stream into lines. It searches the raw bytes for `\n` and
 * decodes only whole lines, which is about twice as fast as `node:readline`
 * once parsing is included, and it keeps exact line numbers for error
 * messages. A UTF-8 byte-order mark on the first line is dropped.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array | string>,
  options: ReadLinesOptions = {},
): AsyncGenerator<NumberedLine> {
  for await (const block of readLineBlocks(chunks, options)) {
    for (const { text, line } of linesOfBlock(block)) yield { text, line };
  }
}

/** Reads a whole stream into an array. For tests and small inputs only. */
export async function collect<T>(source: AnyIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}
