import {
  type Failure,
  isFailure,
  isPlainObject,
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
import { ITEM_DATETIME_PROPERTIES } from '@scm/core/stac-item';
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
import { stampsOf } from './rebuild-state.js';

/** What the batched loop hands back to the run, in source order. */
export interface BatchHandlers {
  /** A record that could not be read, mapped, scaffolded, extended or validated. */
  fail(failure: Failure): Promise<void>;
  /** A valid item, with its source's content hash and its NDJSON line when one was made for the validator. */
  write(item: StacItem, source: KeptSource, line: string | undefined, hash: string): Promise<void>;
  /**
   * Decides about a record before any stage runs (an incremental run keeps what did not change): `process`
   * it with its content hash, or let `settle` keep or leave it out, in source order.
   */
  plan(source: unknown): RecordPlan;
  /** A record the reader could not parse (an incremental run then cannot tell what was deleted). */
  unreadable(): void;
  catalog(catalog: StacCatalog): void;
  collection(collection: StacCollection): void;
  /** Counts a record as processed (read failures included). */
  processed(): void;
  /**
   * Whether {@link write} needs the whole item (see `RunSinks.wholeItems`); when false, an item validated on
   * a thread is written with its line and its {@link itemOutline}, and its line is not parsed again.
   */
  readonly wholeItems: boolean;
}

/** What {@link BatchHandlers.plan} decided about a record. */
export type RecordPlan = { action: 'process'; hash: string } | { action: 'settled'; settle(): void };

/**
 * The source record of an item, as kept while the item waits for its validation: the record itself, or
 * what the state reads of it (`stampsOf`) and its text, parsed again only for a failure that quotes it.
 */
export interface KeptSource {
  value: unknown;
  text?: string;
}

/** The whole source record of a {@link KeptSource}. */
export function wholeSource(source: KeptSource): unknown {
  return source.text === undefined ? source.value : JSON.parse(source.text);
}

/** A record after the stages that run in this thread: a failure, or an item waiting for validation. */
type Entry = { failure: Failure; read: boolean } | { settle(): void } | WaitingItem;

/**
 * An item waiting for its validation. With validation threads it keeps its NDJSON line, not the item, and
 * its source's text when the reader kept it, not the record: the item and the record are a few hundred
 * objects each, which would live through the collector's young-generation passes while their batch is on
 * a thread, copied each time and then promoted. Parsing the line again once validated costs less (100,000
 * HLS items of 13 KB: scavenges 10.0 → 7.0 s; the run 46–47 s against 52–54 s for the build before). When
 * the outputs need no more than the item's outline, it keeps that instead and the line is not parsed again.
 */
interface WaitingItem {
  item: StacItem | undefined;
  source: KeptSource;
  origin: RecordOrigin;
  line: string | undefined;
  hash: string;
}

function waiting(
  item: StacItem,
  record: SourceRecord,
  line: string | undefined,
  hash: string,
  wholeItems: boolean,
): WaitingItem {
  const { origin } = record;
  if (line === undefined) return { item, source: { value: record.value }, origin, line, hash };
  const source =
    record.text === undefined
      ? { value: record.value }
      : { value: stampsOf(record.value), text: record.text };
  return { item: wholeItems ? undefined : itemOutline(item), source, origin, line, hash };
}

/**
 * What the outputs read of an item written with its line when they need no more (`RunSinks.wholeItems`
 * false): the NDJSON writer its type, id and collection, the run's extents and state its bbox and
 * datetimes (kept with the Item's other date-time properties), the run report its geometry. A few objects, where the item is hundreds.
 */
function itemOutline(item: StacItem): StacItem {
  const outline: Record<string, unknown> = { type: item.type, id: item.id };
  if (item.collection !== undefined) outline.collection = item.collection;
  outline.geometry = item.geometry;
  if (item.bbox !== undefined) outline.bbox = item.bbox;
  const properties: Record<string, unknown> = {};
  const source: Record<string, unknown> = isPlainObject(item.properties) ? item.properties : {};
  for (const key of ITEM_DATETIME_PROPERTIES) if (source[key] !== undefined) properties[key] = source[key];
  outline.properties = properties;
  return outline as unknown as StacItem;
}

/** The item of a waiting entry (perhaps its outline), parsed from its line when only that was kept. */
function itemOf(entry: WaitingItem): StacItem {
  return entry.item ?? (JSON.parse(entry.line!) as StacItem);
}

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
      handlers.unreadable();
      yield { failure: entry, read: true };
    } else if (!routeStacObject(entry.value, handlers)) {
      handlers.processed();
      yield prepareEntry(stages, validator, handlers, entry);
    }
  }
}

/** One record planned, then (when it is to be processed) mapped, scaffolded and extended. */
function prepareEntry(
  stages: RecordStages,
  validator: BatchValidator,
  handlers: BatchHandlers,
  entry: SourceRecord,
): Entry {
  const plan = handlers.plan(entry.value);
  if (plan.action === 'settled') return { settle: plan.settle };
  const result = prepareRecord(stages, entry.value, entry.origin);
  if (!result.ok) return { failure: result.failure, read: false };
  const line = validator.workers > 0 ? ndjsonLine(result.value) : undefined;
  return waiting(result.value, entry, line, plan.hash, handlers.wholeItems);
}

/** Writes or fails one entry once its batch is validated. */
async function settle(
  entry: Entry,
  report: ValidationReport | undefined,
  handlers: BatchHandlers,
  progress: Progress,
): Promise<void> {
  if ('settle' in entry) {
    entry.settle();
  } else if ('failure' in entry) {
    await handlers.fail(entry.failure);
    if (entry.read) return; // progress counts records read, as a record-by-record run does
  } else if (report?.valid) {
    await handlers.write(itemOf(entry), entry.source, entry.line, entry.hash);
  } else {
    await handlers.fail(validationFailure(itemOf(entry), report!, wholeSource(entry.source), entry.origin));
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
    // An item with its line is validated from the line: what it keeps may be only its outline.
    (entry) =>
      'hash' in entry
        ? { object: entry.line === undefined ? entry.item : undefined, text: entry.line }
        : undefined,
    async (entry, report) => {
      // Checked here too: a whole batch may be read before the first of its entries is written.
      if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was interrupted');
      await settle(entry, report, handlers, options.progress);
    },
  );
}
