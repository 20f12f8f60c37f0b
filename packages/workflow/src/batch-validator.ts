import { availableParallelism } from 'node:os';
import type { ValidationReport } from '@scm/core';
import type { LoadedExtension } from '@scm/extensions';
import {
  createValidator,
  createValidatorPool,
  parseValidationText,
  type ValidatorExtension,
  type ValidatorPool,
} from '@scm/validate';
import { builtinExtensions, checkingExtensions } from './builtins.js';

/** Entries per validation batch: enough to keep a worker busy, few enough to bound memory. */
const BATCH_SIZE = 500;

/**
 * Validates objects in batches, on worker threads or in this thread; reports come back in input order and
 * are the same either way (the `duplicate_id` rule runs across the whole run, in input order).
 */
export interface BatchValidator {
  /** Validation threads besides this one (0: validation runs in this thread). */
  readonly workers: number;
  /**
   * One report per object, in order. `texts[i]`, when given, is `objects[i]` as JSON text (e.g. its NDJSON
   * line): the workers parse that instead of receiving a structured clone of the object. `last`: no batch
   * follows this one (a first batch that is also the last is validated in this thread).
   */
  validate(
    objects: readonly unknown[],
    texts?: readonly string[],
    last?: boolean,
  ): Promise<ValidationReport[]>;
  /** Stops the worker threads. */
  close(): Promise<void>;
}

/** Settings of {@link openBatchValidator}. */
export interface BatchValidatorOptions {
  level: 'strict' | 'lenient';
  schemaDirs: string[];
  /** The run's extensions (built-ins and plugins); see {@link checkingExtensions}. */
  loaded: readonly Pick<LoadedExtension, 'extension' | 'origin'>[];
  /** Worker threads; 0 validates in this thread. Default {@link defaultValidationWorkers}. */
  workers?: number | undefined;
}

/**
 * Validation threads when none are asked for: one fewer than the cores (this thread reads, extends and
 * writes meanwhile), at least one.
 */
export function defaultValidationWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * The module a worker imports to get the built-in extensions: ./worker-extensions.js next to the built
 * file, or the .ts source when this module runs from its sources (tests; the pool's dev entry loads .ts).
 */
function builtinsModule(): string {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './worker-extensions.ts' : './worker-extensions.js', here).href;
}

/**
 * Module files for the plugins among `loaded`, or undefined when one of them has none (it was handed over
 * as an object, so a worker thread could not import it): then validation stays in this thread.
 */
function pluginModules(loaded: BatchValidatorOptions['loaded']): string[] | undefined {
  const builtins = new Set(builtinExtensions().map((e) => e.name));
  const plugins = loaded.filter((l) => !builtins.has(l.extension.name));
  const importable = (l: (typeof plugins)[number]) =>
    l.origin.file !== undefined && Array.isArray(l.extension.schemaUris);
  if (!plugins.every(importable)) return undefined;
  return plugins.map((l) => l.origin.file!);
}

function inThread(options: BatchValidatorOptions): BatchValidator {
  const validator = createValidator({
    level: options.level,
    schemaDirs: options.schemaDirs,
    extensions: checkingExtensions(options.loaded.map((l) => l.extension)) as ValidatorExtension[],
  });
  return {
    workers: 0,
    // An object left out for its text (see BatchObject) is parsed here, as a worker would.
    validate: async (objects, texts) =>
      objects.map((object, i) => {
        if (object !== undefined) return validator.validate(object);
        const parsed = parseValidationText(texts![i]!);
        return 'report' in parsed ? parsed.report : validator.validate(parsed.object);
      }),
    close: async () => undefined,
  };
}

/**
 * A validator for a run: a pool of `workers` threads, or this thread when `workers` is 0 or a plugin
 * cannot be loaded in a worker. Each worker builds its own validator with the same schemas and checks.
 * The threads start with the first batch, unless it is also the last: an input smaller than one batch (a
 * single file, say) is validated here rather than paying for threads that compile every schema again.
 */
export function openBatchValidator(options: BatchValidatorOptions): BatchValidator {
  const workers = Math.max(0, Math.floor(options.workers ?? defaultValidationWorkers()));
  const plugins = pluginModules(options.loaded);
  if (workers === 0 || plugins === undefined) return inThread(options);
  let pool: ValidatorPool | undefined;
  let local: BatchValidator | undefined;
  return {
    workers,
    validate(objects, texts, last) {
      if (!pool && !local && last) local = inThread(options);
      if (local) return local.validate(objects, texts);
      pool ??= createValidatorPool({
        workers,
        level: options.level,
        schemaDirs: options.schemaDirs,
        extensionModules: [builtinsModule(), ...plugins],
      });
      return pool.validateBatch(texts ?? objects);
    },
    close: async () => {
      await pool?.close();
    },
  };
}

/**
 * What {@link validateInBatches} validates for one entry: the object, and its JSON text when at hand. The
 * object may be left out (undefined) when the text is given.
 */
export interface BatchObject {
  object: unknown;
  text?: string | undefined;
}

/**
 * The objects of a batch, and their texts when every one has its text (the threads then parse those). An
 * object left out for its text is parsed here when another of the batch has no text; text that does not
 * parse stands as `null` then, which no validator accepts (the caller tells why from the text).
 */
function batchOf(chosen: readonly BatchObject[]): { objects: unknown[]; texts: string[] | undefined } {
  const texts: string[] = [];
  for (const one of chosen) if (one.text !== undefined) texts.push(one.text);
  const complete = texts.length === chosen.length;
  const objects = chosen.map((one) => {
    if (one.object !== undefined || complete || one.text === undefined) return one.object;
    const parsed = parseValidationText(one.text);
    return 'object' in parsed ? parsed.object : null;
  });
  return { objects, texts: complete ? texts : undefined };
}

/**
 * Validates the objects of `entries` in batches and hands each entry to `settle`, in input order, with its
 * report (undefined for an entry `pick` gives nothing to validate, e.g. a record that could not be read).
 * With workers, up to `workers + 1` batches are in flight, so this thread reads and prepares the next
 * entries while the workers validate.
 */
export async function validateInBatches<T>(
  entries: AsyncIterable<T>,
  validator: BatchValidator,
  pick: (entry: T) => BatchObject | undefined,
  settle: (entry: T, report: ValidationReport | undefined) => Promise<void>,
): Promise<void> {
  type Batch = { entries: T[]; picked: boolean[]; reports: Promise<ValidationReport[]> };
  const inFlight: Batch[] = [];
  const maxInFlight = validator.workers === 0 ? 0 : validator.workers + 1;
  const finish = async (batch: Batch) => {
    const reports = await batch.reports;
    let next = 0;
    for (let i = 0; i < batch.entries.length; i++) {
      await settle(batch.entries[i]!, batch.picked[i] ? reports[next++] : undefined);
    }
  };
  let pending: T[] = [];
  const flush = async (last: boolean) => {
    const chosen: BatchObject[] = [];
    const picked = pending.map((entry) => {
      const one = pick(entry);
      if (one !== undefined) chosen.push(one);
      return one !== undefined;
    });
    const { objects, texts } = batchOf(chosen);
    const reports = validator.validate(objects, texts, last);
    reports.catch(() => undefined); // awaited, in order, by finish()
    inFlight.push({ entries: pending, picked, reports });
    pending = [];
    while (inFlight.length > maxInFlight) await finish(inFlight.shift()!);
  };
  for await (const entry of entries) {
    pending.push(entry);
    if (pending.length >= BATCH_SIZE) await flush(false);
  }
  if (pending.length > 0) await flush(true);
  while (inFlight.length > 0) await finish(inFlight.shift()!);
}
