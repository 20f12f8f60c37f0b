import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  blockLineText,
  type LineBlock,
  parseJsonText,
  ScmError,
  type ScmErrorCode,
  ScmErrorCodes,
  type ValidationReport,
} from '@scm/core';
import { DigestSet } from '@scm/core/id-set';
import type { LineVerdict } from './lines.js';
import type { ValidatorOptions } from './options.js';
import { duplicateIssue, report } from './validator.js';
import type { WorkerInit, WorkerLinesTask, WorkerMessage, WorkerTask } from './worker-protocol.js';

/** Options of {@link createValidatorPool}: the validator options plus the pool's own. */
export interface ValidatorPoolOptions extends Omit<ValidatorOptions, 'extensions' | 'logger'> {
  /** Worker threads. Default: `os.availableParallelism()`. */
  workers?: number;
  /**
   * Extensions for the workers, as module specifiers (a path, a file URL or a package name) whose default,
   * `extension` or `extensions` export is an extension or a list of them; functions cannot be sent to a
   * thread, so each worker imports them. Relative paths resolve against the current directory. Default: none.
   */
  extensionModules?: readonly string[];
  /** Items sent to a worker per message. Default: 200. */
  chunkSize?: number;
}

/** A pool of validator threads; see {@link createValidatorPool}. */
export interface ValidatorPool {
  /** Number of worker threads. */
  readonly size: number;
  /**
   * Validates a batch and resolves with one report per item, in order. Pass JSON texts (parsed in the workers,
   * which avoids the cost of copying objects between threads) or plain objects; a batch made only of strings is
   * taken as JSON texts, any other batch as values. Rejects with `SCM_INTERNAL` when a worker dies and
   * `SCM_ABORTED` after {@link ValidatorPool.close}.
   */
  validateBatch(batch: readonly string[] | readonly unknown[]): Promise<ValidationReport[]>;
  /**
   * Validates each non-blank line of a block of NDJSON lines (see `readLineBlocks` in `@scm/core`) as one
   * object, on a worker thread, so this thread neither decodes nor parses the lines. Bytes that fill an
   * `ArrayBuffer` of their own (as `readLineBlocks` gives them) are handed over, not copied: the caller's
   * `block.bytes` is then detached (empty). Resolves with a verdict per line, in order, after the batches
   * and blocks submitted before (the `duplicate_id` rule runs across them all, in submission order).
   */
  validateLines(block: LineBlock): Promise<LineVerdict[]>;
  /** Forgets the ids seen so far (for `duplicate_id`). */
  resetDuplicateIds(): void;
  /** Stops the workers; pending batches reject with `SCM_ABORTED`. */
  close(): Promise<void>;
}

interface Chunk {
  batch: BatchState;
  offset: number;
  items: unknown[];
  /** A block of NDJSON lines instead of items, in a buffer of its own (transferred to the worker). */
  lines?: { bytes: Uint8Array; firstLine: number };
}

interface BatchState {
  texts: boolean;
  reports: ValidationReport[];
  keys: Array<string | undefined>;
  /** Of a block of lines: line number, start and end of each report's line. */
  places?: number[];
  /** Of a block of lines: its bytes, back from the worker. */
  bytes?: Uint8Array;
  /** Of a block of lines: the members each line's parse dropped, by report index, for the lines that had any. */
  dropped?: Record<number, readonly string[]>;
  pending: number;
  done: () => void;
  fail: (error: Error) => void;
  failed: boolean;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy?: { task: number; chunk: Chunk };
}

/**
 * The worker entry. From the built package (dist/index.js) it is dist/worker.js; when this module runs from its
 * TypeScript source (tests), the dev-only ../dev/worker-source.mjs registers a TypeScript loader first and then
 * loads ./worker.ts. dev/ is not published: a source run only happens inside the repository.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../dev/worker-source.mjs', here) : new URL('./worker.js', here);
}

function moduleSpecifier(spec: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(spec)).href;
  return spec;
}

interface PoolSettings {
  size: number;
  chunkSize: number;
  checkDuplicates: boolean;
  init: WorkerInit;
}

/** Splits the options into the pool's own settings and what each worker receives. */
function poolSettings(options: ValidatorPoolOptions): PoolSettings {
  const { workers, extensionModules, chunkSize, checkDuplicateIds, ...validatorOptions } = options;
  return {
    size: Math.max(1, Math.floor(workers ?? availableParallelism())),
    chunkSize: Math.max(1, Math.floor(chunkSize ?? 200)),
    checkDuplicates: checkDuplicateIds ?? true,
    init: { options: validatorOptions, extensionModules: (extensionModules ?? []).map(moduleSpecifier) },
  };
}

/**
 * The bytes themselves when they fill an `ArrayBuffer` of their own (blocks from `readLineBlocks` do):
 * handed to the worker, they are not copied. Otherwise a copy.
 */
function transferable(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}

/** A promise with its settle functions, for a worker's start-up or a batch's completion. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The error a worker's `fatal` message stands for, keeping its code when it is one of ours. */
function fatalError(message: { message: string; code?: string }): ScmError {
  const code = (ScmErrorCodes as readonly string[]).includes(message.code ?? '')
    ? (message.code as ScmErrorCode)
    : 'SCM_INTERNAL';
  return new ScmError(code, `validator worker could not start: ${message.message}`);
}

/**
 * The state of one batch: reports fill in as its `chunks` come back (`count` of them when known before, as
 * for items; a block of lines has as many as the worker finds).
 */
function newBatch(
  count: number,
  chunks: number,
  texts: boolean,
): { state: BatchState; finished: Promise<void> } {
  const settle = deferred();
  const state: BatchState = {
    texts,
    reports: new Array(count),
    keys: new Array(count),
    pending: chunks,
    done: settle.resolve,
    fail: (error) => {
      if (state.failed) return;
      state.failed = true;
      settle.reject(error);
    },
    failed: false,
  };
  if (chunks === 0) settle.resolve();
  return { state, finished: settle.promise };
}

/** The pool: a queue of chunks, one slot per worker, and the ids seen so far for `duplicate_id`. */
class WorkerPool implements ValidatorPool {
  readonly size: number;
  private readonly queue: Chunk[] = [];
  private readonly slots: Slot[] = [];
  /** Grows with the run: 64-bit digests of the keys, 8 bytes each (see @scm/core/id-set). */
  private readonly seen = new DigestSet();
  private taskIds = 0;
  private closed = false;
  private broken: Error | undefined;
  private order: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: PoolSettings) {
    this.size = settings.size;
    const entry = workerEntry();
    for (let i = 0; i < settings.size; i++) this.slots.push(this.startWorker(entry));
  }

  private startWorker(entry: URL): Slot {
    const worker = new Worker(entry, { workerData: this.settings.init });
    worker.unref();
    const start = deferred();
    start.promise.catch(() => undefined);
    const slot: Slot = { worker, ready: start.promise };
    const fail = (error: Error) => {
      start.reject(error);
      this.failAll(error);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') start.resolve();
      else if (message.type === 'fatal') fail(fatalError(message));
      else this.receive(slot, message);
    });
    worker.on('error', (error) => {
      fail(new ScmError('SCM_INTERNAL', `validator worker crashed: ${error.message}`, { cause: error }));
    });
    worker.on('exit', (code) => {
      if (!this.closed)
        fail(new ScmError('SCM_INTERNAL', `validator worker exited unexpectedly (code ${code})`));
    });
    return slot;
  }

  /** Files a worker's answer for the chunk it was given, then hands it the next one. */
  private receive(slot: Slot, message: Exclude<WorkerMessage, { type: 'ready' } | { type: 'fatal' }>): void {
    const busy = slot.busy;
    if (!busy || busy.task !== message.id) return;
    slot.busy = undefined;
    if (this.queue.length === 0) slot.worker.unref();
    const { batch, offset } = busy.chunk;
    if (message.type === 'failed') {
      batch.fail(new ScmError('SCM_INTERNAL', `validator worker failed: ${message.message}`));
    } else {
      const { reports, ids, types, keys } = message;
      for (let j = 0; j < reports.length; j++) {
        batch.reports[offset + j] = reports[j] ?? report(ids[j], types[j], []);
        batch.keys[offset + j] = keys[j];
      }
      if (message.places) batch.places = message.places;
      if (message.dropped) batch.dropped = message.dropped;
      if (message.bytes) batch.bytes = message.bytes;
      batch.pending -= 1;
      if (batch.pending === 0) batch.done();
    }
    this.pump();
  }

  private failAll(error: Error): void {
    this.broken ??= error;
    for (const chunk of this.queue.splice(0)) chunk.batch.fail(error);
    for (const slot of this.slots) {
      if (slot.busy) slot.busy.chunk.batch.fail(error);
      slot.busy = undefined;
    }
  }

  /** Gives a queued chunk to every idle worker. */
  private pump(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const chunk = this.queue.shift()!;
      const id = ++this.taskIds;
      slot.busy = { task: id, chunk };
      slot.worker.ref();
      slot.ready.then(
        () => {
          if (chunk.lines) {
            const task: WorkerLinesTask = { type: 'lines', id, ...chunk.lines };
            slot.worker.postMessage(task, [chunk.lines.bytes.buffer as ArrayBuffer]);
          } else {
            const task: WorkerTask = { type: 'task', id, items: chunk.items, texts: chunk.batch.texts };
            slot.worker.postMessage(task);
          }
        },
        () => undefined,
      );
    }
  }

  /** Adds `duplicate_id` issues across the whole run, once a batch is complete. */
  private applyDuplicates(state: BatchState, objectAt: (i: number) => unknown): void {
    if (!this.settings.checkDuplicates) return;
    state.keys.forEach((key, i) => {
      if (key === undefined) return;
      if (this.seen.add(key)) return;
      const report = state.reports[i]!;
      report.errors.push(duplicateIssue(objectAt(i) as Record<string, unknown>));
      report.valid = false;
    });
  }

  /** Queues the chunks of a batch; its answer comes once it and every batch submitted before are done. */
  private submit<T>(
    chunks: Chunk[],
    finished: Promise<void>,
    objectAt: (i: number) => unknown,
    answer: () => T,
  ): Promise<T> {
    if (this.closed) return Promise.reject(new ScmError('SCM_ABORTED', 'the validator pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    this.queue.push(...chunks);
    this.pump();
    const state = chunks[0]?.batch;
    // Duplicates are decided in submission order, whatever order the batches finish in.
    const result = this.order
      .then(() => finished)
      .then(() => {
        if (state) this.applyDuplicates(state, objectAt);
        return answer();
      });
    this.order = result.catch(() => undefined);
    return result;
  }

  validateBatch(batch: readonly string[] | readonly unknown[]): Promise<ValidationReport[]> {
    const items = [...batch] as unknown[];
    const { chunkSize } = this.settings;
    const texts = items.length > 0 && items.every((item) => typeof item === 'string');
    const { state, finished } = newBatch(items.length, Math.ceil(items.length / chunkSize), texts);
    const chunks: Chunk[] = [];
    for (let offset = 0; offset < items.length; offset += chunkSize) {
      chunks.push({ batch: state, offset, items: items.slice(offset, offset + chunkSize) });
    }
    const objectAt = (i: number) => (state.texts ? JSON.parse(items[i] as string) : items[i]);
    return this.submit(chunks, finished, objectAt, () => state.reports);
  }

  validateLines(block: LineBlock): Promise<LineVerdict[]> {
    const { state, finished } = newBatch(0, 1, false);
    const lines = { bytes: transferable(block.bytes), firstLine: block.firstLine };
    const lineOf = (i: number) => {
      const places = state.places!;
      return { line: places[3 * i]!, start: places[3 * i + 1]!, end: places[3 * i + 2]! };
    };
    const textOf = (i: number) => blockLineText(state.bytes!, lineOf(i));
    const verdicts = (): LineVerdict[] =>
      state.reports.map((report, i) => {
        const { line, start, end } = lineOf(i);
        const verdict: LineVerdict = report.valid
          ? { line, start, end, report }
          : { line, start, end, report, text: textOf(i) };
        const dropped = state.dropped?.[i];
        if (dropped) verdict.dropped = dropped;
        return verdict;
      });
    const objectAt = (i: number) => parseJsonText(textOf(i)).value;
    return this.submit([{ batch: state, offset: 0, items: [], lines }], finished, objectAt, verdicts);
  }

  resetDuplicateIds(): void {
    this.seen.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new ScmError('SCM_ABORTED', 'the validator pool was closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }
}

/**
 * Starts worker threads that each hold a validator built from `options`, for large runs. The `duplicate_id`
 * rule is applied here, across all workers, in the order batches were submitted. Idle workers do not keep the
 * process alive, but call `close()` when done.
 */
export function createValidatorPool(options: ValidatorPoolOptions = {}): ValidatorPool {
  return new WorkerPool(poolSettings(options));
}
