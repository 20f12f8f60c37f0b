import {
  type Failure,
  isFailure,
  type Progress,
  type RecordOrigin,
  ScmError,
  type SourceRecord,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  stacTypeOf,
  type ValidationReport,
} from '@scm/core';
import { ndjsonLine } from '@scm/output-json';
import { type BatchValidator, validateInBatches } from './batch-validator.js';
import {
  extendItem,
  mapRecord,
  type RecordStages,
  type StageResult,
  scaffoldRecord,
  validationFailure,
} from './rebuild-stages.js';

/** What the batched loop hands back to the run, in source order. */
export interface BatchHandlers {
  /** A record that could not be read, mapped, scaffolded, extended or validated. */
  fail(failure: Failure): Promise<void>;
  /** A valid item, with its NDJSON line when one was made for the validator. */
  write(item: StacItem, source: unknown, line: string | undefined): Promise<void>;
  catalog(catalog: StacCatalog): void;
  collection(collection: StacCollection): void;
  /** Counts a record as processed (read failures included). */
  processed(): void;
}

/** A record after the stages that run in this thread: a failure, or an item waiting for validation. */
type Entry =
  | { failure: Failure; read: boolean }
  | { item: StacItem; source: unknown; origin: RecordOrigin; line: string | undefined };

/** One record through map -> scaffold -> extend, the stages that run in this thread. */
export function prepareRecord(
  stages: RecordStages,
  source: unknown,
  origin: RecordOrigin,
): StageResult<StacItem> {
  const mapped = mapRecord(source, stages.mapping, origin);
  if (!mapped.ok) return mapped;
  const item = scaffoldRecord(mapped.value, source, origin);
  if (!item.ok) return item;
  return extendItem(item.value, stages, origin);
}

/** Keeps the source's catalog and collections aside; false for anything else (a record). */
function routeStacObject(value: unknown, handlers: BatchHandlers): boolean {
  const kind = stacTypeOf(value);
  if (kind === 'Catalog') handlers.catalog(value as StacCatalog);
  else if (kind === 'Collection') handlers.collection(value as StacCollection);
  return kind === 'Catalog' || kind === 'Collection';
}

/**
 * The source's records prepared in this thread. With validation workers, each item is serialised once
 * here as its NDJSON line: the workers parse that line, and the NDJSON writer writes it as it is.
 */
async function* prepared(
  source: AsyncIterable<SourceRecord | Failure>,
  stages: RecordStages,
  validator: BatchValidator,
  handlers: BatchHandlers,
  signal: AbortSignal | undefined,
): AsyncGenerator<Entry> {
  for await (const entry of source) {
    if (signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was interrupted');
    if (isFailure(entry)) {
      handlers.processed();
      yield { failure: entry, read: true };
    } else if (!routeStacObject(entry.value, handlers)) {
      handlers.processed();
      const result = prepareRecord(stages, entry.value, entry.origin);
      if (!result.ok) yield { failure: result.failure, read: false };
      else {
        const line = validator.workers > 0 ? ndjsonLine(result.value) : undefined;
        yield { item: result.value, source: entry.value, origin: entry.origin, line };
      }
    }
  }
}

/** Writes or fails one entry once its batch is validated. */
async function settle(
  entry: Entry,
  report: ValidationReport | undefined,
  handlers: BatchHandlers,
  progress: Progress,
): Promise<void> {
  if ('failure' in entry) {
    await handlers.fail(entry.failure);
    if (entry.read) return; // progress counts records read, as a record-by-record run does
  } else if (report?.valid) {
    await handlers.write(entry.item, entry.source, entry.line);
  } else {
    await handlers.fail(validationFailure(entry.item, report!, entry.source, entry.origin));
  }
  progress.tick();
}

/**
 * Runs the source's records through the stages: map, scaffold and extend in this thread, validation in
 * batches on the validator's threads while the next records are prepared, then writes in source order.
 * Failures, the `duplicate_id` rule and the order of everything written are those of a record-by-record run.
 */
export async function processSourceInBatches(
  source: AsyncIterable<SourceRecord | Failure>,
  stages: RecordStages,
  validator: BatchValidator,
  handlers: BatchHandlers,
  options: { progress: Progress; signal: AbortSignal | undefined },
): Promise<void> {
  await validateInBatches(
    prepared(source, stages, validator, handlers, options.signal),
    validator,
    (entry) => ('failure' in entry ? undefined : { object: entry.item, text: entry.line }),
    (entry, report) => settle(entry, report, handlers, options.progress),
  );
}
