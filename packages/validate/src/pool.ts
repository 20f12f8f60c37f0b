import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ScmError, type ScmErrorCode, ScmErrorCodes, type ValidationReport } from '@scm/core';
import type { ValidatorOptions } from './options.js';
import { duplicateIssue } from './validator.js';
import type { WorkerInit, WorkerMessage, WorkerTask } from './worker-protocol.js';

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
  /** Forgets the ids seen so far (for `duplicate_id`). */
  resetDuplicateIds(): void;
  /** Stops the workers; pending batches reject with `SCM_ABORTED`. */
  close(): Promise<void>;
}

interface Chunk {
  batch: BatchState;
  offset: number;
  items: unknown[];
}

interface BatchState {
  texts: boolean;
  reports: ValidationReport[];
  keys: Array<string | undefined>;
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

/**
 * Starts worker threads that each hold a validator built from `options`, for large runs. The `duplicate_id`
 * rule is applied here, across all workers, in the order batches were submitted. Idle workers do not keep the
 * process alive, but call `close()` when done.
 */
export function createValidatorPool(options: ValidatorPoolOptions = {}): ValidatorPool {
  const {
    workers: wanted,
    extensionModules,
    chunkSize: wantedChunk,
    checkDuplicateIds,
    ...validatorOptions
  } = options;
  const size = Math.max(1, Math.floor(wanted ?? availableParallelism()));
  const chunkSize = Math.max(1, Math.floor(wantedChunk ?? 200));
  const checkDuplicates = checkDuplicateIds ?? true;
  const init: WorkerInit = {
    options: validatorOptions,
    extensionModules: (extensionModules ?? []).map(moduleSpecifier),
  };
  const entry = workerEntry();
  const queue: Chunk[] = [];
  const slots: Slot[] = [];
  const seen = new Set<string>();
  let taskIds = 0;
  let closed = false;
  let broken: Error | undefined;
  let order: Promise<unknown> = Promise.resolve();

  const failAll = (error: Error) => {
    broken ??= error;
    for (const chunk of queue.splice(0)) chunk.batch.fail(error);
    for (const slot of slots) {
      if (slot.busy) slot.busy.chunk.batch.fail(error);
      slot.busy = undefined;
    }
  };

  const pump = () => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const chunk = queue.shift()!;
      const id = ++taskIds;
      slot.busy = { task: id, chunk };
      slot.worker.ref();
      slot.ready.then(
        () => {
          const task: WorkerTask = { type: 'task', id, items: chunk.items, texts: chunk.batch.texts };
          slot.worker.postMessage(task);
        },
        () => undefined,
      );
    }
  };

  for (let i = 0; i < size; i++) {
    const worker = new Worker(entry, { workerData: init });
    worker.unref();
    let markReady!: () => void;
    let markFailed!: (error: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      markReady = res;
      markFailed = rej;
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, ready };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') return markReady();
      if (message.type === 'fatal') {
        const code = (ScmErrorCodes as readonly string[]).includes(message.code ?? '')
          ? (message.code as ScmErrorCode)
          : 'SCM_INTERNAL';
        const error = new ScmError(code, `validator worker could not start: ${message.message}`);
        markFailed(error);
        return failAll(error);
      }
      const busy = slot.busy;
      if (!busy || busy.task !== message.id) return;
      slot.busy = undefined;
      if (queue.length === 0) worker.unref();
      const batch = busy.chunk.batch;
      if (message.type === 'failed') {
        batch.fail(new ScmError('SCM_INTERNAL', `validator worker failed: ${message.message}`));
      } else {
        for (let j = 0; j < message.reports.length; j++) {
          batch.reports[busy.chunk.offset + j] = message.reports[j]!;
          batch.keys[busy.chunk.offset + j] = message.keys[j];
        }
        batch.pending -= 1;
        if (batch.pending === 0) batch.done();
      }
      pump();
    });
    worker.on('error', (error) => {
      const wrapped = new ScmError('SCM_INTERNAL', `validator worker crashed: ${error.message}`, {
        cause: error,
      });
      markFailed(wrapped);
      failAll(wrapped);
    });
    worker.on('exit', (code) => {
      if (!closed) {
        const error = new ScmError('SCM_INTERNAL', `validator worker exited unexpectedly (code ${code})`);
        markFailed(error);
        failAll(error);
      }
    });
    slots.push(slot);
  }

  const applyDuplicates = (batch: readonly unknown[], state: BatchState): ValidationReport[] => {
    if (!checkDuplicates) return state.reports;
    state.keys.forEach((key, i) => {
      if (key === undefined) return;
      if (!seen.has(key)) {
        seen.add(key);
        return;
      }
      const original = batch[i];
      const object = state.texts ? (JSON.parse(original as string) as Record<string, unknown>) : original;
      const report = state.reports[i]!;
      report.errors.push(duplicateIssue(object as Record<string, unknown>));
      report.valid = false;
    });
    return state.reports;
  };

  return {
    size,
    validateBatch(batch) {
      if (closed) return Promise.reject(new ScmError('SCM_ABORTED', 'the validator pool is closed'));
      if (broken) return Promise.reject(broken);
      const items = [...batch] as unknown[];
      const texts = items.length > 0 && items.every((item) => typeof item === 'string');
      let done!: () => void;
      let fail!: (error: Error) => void;
      const finished = new Promise<void>((res, rej) => {
        done = res;
        fail = rej;
      });
      const state: BatchState = {
        texts,
        reports: new Array(items.length),
        keys: new Array(items.length),
        pending: Math.ceil(items.length / chunkSize),
        done,
        fail: (error) => {
          if (state.failed) return;
          state.failed = true;
          fail(error);
        },
        failed: false,
      };
      if (items.length === 0) done();
      for (let offset = 0; offset < items.length; offset += chunkSize) {
        queue.push({ batch: state, offset, items: items.slice(offset, offset + chunkSize) });
      }
      pump();
      // Duplicates are decided in submission order, whatever order the batches finish in.
      const result = order.then(() => finished).then(() => applyDuplicates(items, state));
      order = result.catch(() => undefined);
      return result;
    },
    resetDuplicateIds() {
      seen.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      failAll(new ScmError('SCM_ABORTED', 'the validator pool was closed'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
