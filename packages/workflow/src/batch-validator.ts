import { availableParallelism } from 'node:os';
import type { LineBlock, ValidationReport } from '@scm/core';
import type { LoadedExtension } from '@scm/extensions';
import {
  createValidator,
  createValidatorPool,
  type LineVerdict,
  parseValidationText,
  type ValidatorExtension,
  type ValidatorPool,
  validateLineBlock,
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
  /**
   * One verdict per non-blank line of a block of NDJSON lines, each line validated as one object, in
   * order with the batches (see `ValidatorPool.validateLines`). `last` as for {@link validate}.
   */
  validateLines(block: LineBlock, last?: boolean): Promise<LineVerdict[]>;
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
    validateLines: async (block) => validateLineBlock(validator, block),
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
  const pick = (last: boolean | undefined): BatchValidator | ValidatorPool => {
    if (!pool && !local && last) local = inThread(options);
    if (local) return local;
    pool ??= createValidatorPool({
      workers,
      level: options.level,
      schemaDirs: options.schemaDirs,
      extensionModules: [builtinsModule(), ...plugins],
    });
    return pool;
  };
  return {
    workers,
    validate(objects, texts, last) {
      const by = pick(last);
      return by === local
        ? local.validate(objects, texts)
        : (by as ValidatorPool).validateBatch(texts ?? objects);
    },
    validateLines: (block, last) => pick(last).validateLines(block),
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

/** Whole NDJSON lines of one file, for {@link validateInBatches} to validate on the threads as they are. */
export class LinesToValidate {
  constructor(
    /** The file the lines are from. */
    readonly file: string,
    readonly block: LineBlock,
  ) {}
}

/**
 * Validates the objects of `entries` in batches and hands each entry to `settle`, in input order, with its
 * report (undefined for an entry `pick` gives nothing to validate, e.g. a record that could not be read).
 * A {@link LinesToValidate} among the entries is validated as it is (its lines are neither decoded nor
 * parsed in this thread): each line's entry is `lineEntry` of its verdict. With workers, up to
 * `workers + 1` batches or blocks are in flight, so this thread reads the next entries while the workers
 * validate.
 */
export async function validateInBatches<T>(
  entries: AsyncIterable<T | LinesToValidate>,
  validator: BatchValidator,
  pick: (entry: T) => BatchObject | undefined,
  settle: (entry: T, report: ValidationReport | undefined) => Promise<void>,
  lineEntry?: (lines: LinesToValidate, verdict: LineVerdict) => T,
): Promise<void> {
  const inFlight: Array<() => Promise<void>> = [];
  const maxInFlight = validator.workers === 0 ? 0 : validator.workers + 1;
  const submit = async (finish: () => Promise<void>) => {
    inFlight.push(finish);
    while (inFlight.length > maxInFlight) await inFlight.shift()!();
  };
  let pending: T[] = [];
  const sendBatch = (last: boolean) => {
    const sent = sendEntries(pending, validator, pick, last);
    pending = [];
    return submit(async () => {
      const { entries: batch, picked, reports } = sent;
      const all = await reports;
      let next = 0;
      for (let i = 0; i < batch.length; i++) await settle(batch[i]!, picked[i] ? all[next++] : undefined);
    });
  };
  // A block is held until the next entry comes, to tell whether it is the last (see BatchValidator.validate).
  let held: LinesToValidate | undefined;
  const sendHeld = (last: boolean) => {
    if (!held) return;
    const lines = held;
    held = undefined;
    const verdicts = validator.validateLines(lines.block, last);
    verdicts.catch(() => undefined); // awaited, in order, below
    return submit(async () => {
      for (const verdict of await verdicts) await settle(lineEntry!(lines, verdict), verdict.report);
    });
  };
  for await (const entry of entries) {
    if (entry instanceof LinesToValidate) {
      if (pending.length > 0) await sendBatch(false);
      await sendHeld(false);
      held = entry;
      continue;
    }
    await sendHeld(false);
    pending.push(entry);
    if (pending.length >= BATCH_SIZE) await sendBatch(false);
  }
  if (held) await sendHeld(true);
  else if (pending.length > 0) await sendBatch(true);
  while (inFlight.length > 0) await inFlight.shift()!();
}

/** Hands a batch of entries to the validator: the reports to come, and which entries have one. */
function sendEntries<T>(
  entries: T[],
  validator: BatchValidator,
  pick: (entry: T) => BatchObject | undefined,
  last: boolean,
): { entries: T[]; picked: boolean[]; reports: Promise<ValidationReport[]> } {
  const chosen: BatchObject[] = [];
  const picked = entries.map((entry) => {
    const one = pick(entry);
    if (one !== undefined) chosen.push(one);
    return one !== undefined;
  });
  const { objects, texts } = batchOf(chosen);
  const reports = validator.validate(objects, texts, last);
  reports.catch(() => undefined); // awaited, in order, by the caller
  return { entries, picked, reports };
}
