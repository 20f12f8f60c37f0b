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
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  const decoder = new TextDecoder('utf-8');
  let lineNumber = 0;
  const decode = (bytes: Buffer): string => {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 13) end -= 1;
    let text = decoder.decode(bytes.subarray(0, end));
    if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  };
  // The unfinished line is kept as the list of its pieces and joined once, when its newline comes,
  // so a line spread over many chunks costs its length, not its length times the number of chunks.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const takeLine = (last: Buffer): Buffer => {
    if (pendingBytes === 0) return last;
    const whole = Buffer.concat([...pending, last], pendingBytes + last.length);
    pending.length = 0;
    pendingBytes = 0;
    return whole;
  };
  for await (const raw of chunks) {
    const chunk =
      typeof raw === 'string'
        ? Buffer.from(raw, 'utf8')
        : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      lineNumber += 1;
      yield { text: decode(takeLine(chunk.subarray(start, newline))), line: lineNumber };
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      pending.push(Buffer.from(chunk.subarray(start)));
      pendingBytes += chunk.length - start;
    }
    if (pendingBytes > maxLineBytes) {
      throw new ScmError('SCM_INPUT_PARSE', `line ${lineNumber + 1} is longer than ${maxLineBytes} bytes`, {
        location: { file: options.file, line: lineNumber + 1 },
      });
    }
  }
  if (pendingBytes > 0) {
    lineNumber += 1;
    yield { text: decode(takeLine(Buffer.alloc(0))), line: lineNumber };
  }
}

/** Reads a whole stream into an array. For tests and small inputs only. */
export async function collect<T>(source: AnyIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of source) out.push(value);
  return out;
}
