import {
  createFailure,
  type Failure,
  isFailure,
  isForbiddenKey,
  type RecordOrigin,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import { type Audit, enrichmentCounts, noteFailure, touchAudit } from './audit.js';
import { type ApplyOptions, failureItemId, ruleFailure, runRules } from './apply.js';
import { normalizeKey } from './lookup.js';
import type { Mapping } from './mapping.js';
import { DefinitionError, getValue, type KeyPath, parsePath } from './path.js';
import { isObject, safeClone } from './values.js';

/** Options of {@link enrichItems}. */
export interface EnrichOptions {
  /** Mapping applied to the matching sidecar row; `$item.<path>` reads the item, targets are item paths (required). */
  mapping: Mapping;
  /** Key path of the join key in the item (default `id`), e.g. `properties.granule_id`. */
  itemKey?: string;
  /** Key path of the join key in a sidecar row (default: the same as `itemKey`). */
  sidecarKey?: string;
  /** An item without a sidecar row: `keep` yields it unchanged (default), `fail` yields a Failure. */
  onMissing?: 'keep' | 'fail';
  /**
   * Two sidecar rows with the same key: `error` (default) yields a Failure for
   * the repeated row and for every item with that key; `first` or `last` keep
   * one row.
   */
  onDuplicateKey?: 'error' | 'first' | 'last';
  /**
   * Turns a key value into the string the join compares (default: trimmed
   * text, numbers and booleans as their decimal text, so the sidecar's `"123"`
   * matches the item's `123`; other values have no key).
   */
  normalizeKey?: (value: unknown) => string | undefined;
  /** Copy sidecar columns no rule reads (the key column excepted); default: the mapping's `passthrough`. */
  passthrough?: boolean | string[];
  /** Where passed-through columns go (default: the mapping's `passthrough_target`, else `properties`). */
  passthroughTarget?: string;
  /** Audit to count into (default `mapping.audit`); its `enrichment` member gets the join counts. */
  audit?: Audit;
  /** Stops the stream with `ScmError('SCM_ABORTED')`. */
  signal?: AbortSignal;
}

/** Sidecar rows: a stream or array of {@link SourceRecord}s (and Failures), or an array of plain row objects. */
export type SidecarInput =
  | AsyncIterable<SourceRecord | Failure>
  | Iterable<SourceRecord | Failure | Record<string, unknown>>;

type IndexEntry =
  | { kind: 'row'; row: unknown; origin: RecordOrigin; used: boolean }
  | { kind: 'ambiguous'; origins: RecordOrigin[] };

function isSourceRecord(value: unknown): value is SourceRecord {
  return isObject(value) && Object.hasOwn(value, 'value') && isObject(value.origin);
}

function keyPath(text: string, what: string): KeyPath {
  try {
    const path = parsePath(text, 'source');
    if (path.wildcards > 0 || path.hasPattern || path.root !== 'record')
      throw new DefinitionError('it must be a plain key path');
    return path;
  } catch (error) {
    throw new ScmError(
      'SCM_USAGE',
      `${what} "${text}" is not a valid key path: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function where(origin: RecordOrigin): string {
  if (origin.file)
    return `${origin.file}${origin.line !== undefined ? `:${origin.line}` : origin.index !== undefined ? `#${origin.index}` : ''}`;
  if (origin.line !== undefined) return `line ${origin.line}`;
  if (origin.index !== undefined) return `row ${origin.index}`;
  return 'sidecar';
}

function sidecarFailure(
  row: unknown,
  origin: RecordOrigin,
  message: string,
  field: string,
  audit: Audit,
  itemId: string,
): Failure {
  noteFailure(audit, {
    item_id: itemId,
    rule: 'join',
    target: field,
    field,
    message,
    ...(origin.file ? { file: origin.file } : {}),
    ...(origin.line !== undefined ? { line: origin.line } : {}),
  });
  return createFailure({
    itemId,
    errorType: 'transformation_error',
    step: 'transform',
    message,
    sourceData: row,
    file: origin.file,
    line: origin.line,
    field,
    details: { sidecar: true },
  });
}

/**
 * Joins sidecar rows (CSV, JSON or Parquet records) to existing STAC Items
 * by a key, and maps each matching row into its item with `mapping` (e.g.
 * `cloud_cover` → `properties.eo:cloud_cover`, `checksum` →
 * `assets.data.file:checksum`, or `checksum_{$key}` → `assets.*.file:checksum`).
 *
 * The sidecar is read whole into a `Map` before the first item is pulled:
 * about 120 bytes per row for the index on top of the rows themselves
 * (about 360 bytes for a row of three short text columns; see the README). Items are then streamed one at a time and
 * never held. Keys are compared as normalised strings (see
 * {@link EnrichOptions.normalizeKey}). The enriched item is a copy; the input
 * item is not modified. Failures in either input pass through.
 */
export async function* enrichItems(
  items: AsyncIterable<SourceRecord | Failure> | Iterable<SourceRecord | Failure>,
  sidecar: SidecarInput,
  options: EnrichOptions,
): AsyncGenerator<SourceRecord<Record<string, unknown>> | Failure> {
  const join = joinSettings(options);
  const index = new Map<string, IndexEntry>();
  yield* indexSidecar(sidecar, join, index);
  try {
    for await (const entry of items) {
      join.checkAbort();
      if (isFailure(entry)) {
        join.audit.records.passed_through_failures += 1;
        yield entry;
        continue;
      }
      join.counts.items += 1;
      yield joinItem(entry, join, index);
    }
  } finally {
    join.counts.unused_rows = unusedRows(index);
    touchAudit(join.audit);
  }
}

/** The settings of one join, resolved from {@link EnrichOptions} with their defaults. */
interface JoinSettings {
  mapping: Mapping;
  audit: Audit;
  counts: ReturnType<typeof enrichmentCounts>;
  itemKeyText: string;
  sidecarKeyText: string;
  itemKey: KeyPath;
  sidecarKey: KeyPath;
  normalize: (value: unknown) => string | undefined;
  onDuplicate: 'error' | 'first' | 'last';
  onMissing: 'keep' | 'fail';
  /** The sidecar's key column, never passed through. */
  exclude: Set<string>;
  applyOptions: ApplyOptions;
  checkAbort: () => void;
}

function joinSettings(options: EnrichOptions): JoinSettings {
  const audit = options.audit ?? options.mapping.audit;
  const itemKeyText = options.itemKey ?? 'id';
  const sidecarKeyText = options.sidecarKey ?? itemKeyText;
  const sidecarKey = keyPath(sidecarKeyText, 'sidecarKey');
  const first = sidecarKey.segments[0];
  return {
    mapping: options.mapping,
    audit,
    counts: enrichmentCounts(audit),
    itemKeyText,
    sidecarKeyText,
    itemKey: keyPath(itemKeyText, 'itemKey'),
    sidecarKey,
    normalize: options.normalizeKey ?? normalizeKey,
    onDuplicate: options.onDuplicateKey ?? 'error',
    onMissing: options.onMissing ?? 'keep',
    exclude: new Set<string>(first?.kind === 'key' ? [first.key] : []),
    applyOptions: {
      ...(options.passthrough !== undefined ? { passthrough: options.passthrough } : {}),
      ...(options.passthroughTarget !== undefined ? { passthroughTarget: options.passthroughTarget } : {}),
    },
    checkAbort: () => {
      if (options.signal?.aborted)
        throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: options.signal.reason });
    },
  };
}

/**
 * Reads the whole sidecar into `index` by normalised key, yielding the
 * sidecar's own failures, rows without a key and (with `onDuplicateKey:
 * error`) repeated keys as Failures.
 */
async function* indexSidecar(
  sidecar: SidecarInput,
  join: JoinSettings,
  index: Map<string, IndexEntry>,
): AsyncGenerator<Failure> {
  const { audit, counts, sidecarKeyText } = join;
  let position = 0;
  for await (const entry of sidecar as AsyncIterable<SourceRecord | Failure | Record<string, unknown>>) {
    join.checkAbort();
    if (isFailure(entry)) {
      audit.records.passed_through_failures += 1;
      yield entry;
      continue;
    }
    const { row, origin } = isSourceRecord(entry)
      ? { row: entry.value, origin: entry.origin }
      : { row: entry as unknown, origin: { index: position } };
    position += 1;
    counts.sidecar_rows += 1;
    const key = join.normalize(getValue(row, join.sidecarKey.segments));
    if (key === undefined) {
      counts.rows_without_key += 1;
      const message = `sidecar row at ${where(origin)} has no usable key at "${sidecarKeyText}"`;
      yield sidecarFailure(row, origin, message, sidecarKeyText, audit, `sidecar:${where(origin)}`);
      continue;
    }
    const duplicate = indexRow(index, key, row, origin, join);
    if (duplicate) yield duplicate;
  }
}

/** Adds one keyed row; returns the Failure of a repeated key when repeats are errors. */
function indexRow(
  index: Map<string, IndexEntry>,
  key: string,
  row: unknown,
  origin: RecordOrigin,
  join: JoinSettings,
): Failure | undefined {
  const existing = index.get(key);
  if (!existing) {
    index.set(key, { kind: 'row', row, origin, used: false });
    return undefined;
  }
  join.counts.duplicate_keys += 1;
  if (join.onDuplicate === 'first') return undefined;
  if (join.onDuplicate === 'last') {
    index.set(key, { kind: 'row', row, origin, used: false });
    return undefined;
  }
  const origins = existing.kind === 'row' ? [existing.origin, origin] : [...existing.origins, origin];
  index.set(key, { kind: 'ambiguous', origins });
  return sidecarFailure(
    row,
    origin,
    `sidecar key "${key}" at ${where(origin)} was already seen at ${where(origins[0]!)}; set onDuplicateKey to "first" or "last" to pick one`,
    join.sidecarKeyText,
    join.audit,
    key,
  );
}

/** One item joined to its sidecar row and mapped, kept unchanged, or its Failure. */
function joinItem(
  entry: SourceRecord,
  join: JoinSettings,
  index: Map<string, IndexEntry>,
): SourceRecord<Record<string, unknown>> | Failure {
  const { counts, itemKeyText } = join;
  const item = entry.value;
  const itemId = failureItemId(item, undefined, entry.origin);
  const key = join.normalize(getValue(item, join.itemKey.segments));
  const found = key === undefined ? undefined : index.get(key);
  if (!found) {
    counts.unmatched += 1;
    if (join.onMissing === 'keep') return entry as SourceRecord<Record<string, unknown>>;
    counts.failed += 1;
    const message =
      key === undefined
        ? `the item has no usable key at "${itemKeyText}"`
        : `no sidecar row has the key "${key}" (item key "${itemKeyText}")`;
    return joinFailure(entry, itemId, key, message, true, join);
  }
  if (found.kind === 'ambiguous') {
    counts.failed += 1;
    const message = `the sidecar has ${found.origins.length} rows with the key "${key}" (${found.origins.map(where).join(', ')})`;
    return joinFailure(entry, itemId, key, message, false, join);
  }
  if (!isObject(item)) {
    counts.failed += 1;
    return createFailure({
      itemId,
      errorType: 'transformation_error',
      step: 'transform',
      message: 'the item is not an object',
      sourceData: item,
      file: entry.origin.file,
      line: entry.origin.line,
    });
  }
  found.used = true;
  return mapJoined(entry, item, itemId, key, found, join);
}

/** A join that cannot be made: counted in the audit and yielded as this item's failure. */
function joinFailure(
  entry: SourceRecord,
  itemId: string,
  key: string | undefined,
  message: string,
  auditFile: boolean,
  join: JoinSettings,
): Failure {
  noteFailure(join.audit, {
    item_id: itemId,
    rule: 'join',
    target: join.itemKeyText,
    field: join.itemKeyText,
    message,
    ...(auditFile && entry.origin.file ? { file: entry.origin.file } : {}),
  });
  return createFailure({
    itemId,
    errorType: 'transformation_error',
    step: 'transform',
    message,
    sourceData: entry.value,
    file: entry.origin.file,
    line: entry.origin.line,
    field: join.itemKeyText,
    details: { key: key ?? null },
  });
}

/** Maps the matching row into a copy of the item. */
function mapJoined(
  entry: SourceRecord,
  item: Record<string, unknown>,
  itemId: string,
  key: string | undefined,
  found: Extract<IndexEntry, { kind: 'row' }>,
  join: JoinSettings,
): SourceRecord<Record<string, unknown>> | Failure {
  const { audit, counts } = join;
  const out = safeClone(item) as Record<string, unknown>;
  const { errors } = runRules(join.mapping, {
    record: found.row,
    item,
    out,
    audit,
    options: join.applyOptions,
    exclude: join.exclude,
  });
  audit.records.total += 1;
  if (errors.length > 0) {
    audit.records.failed += 1;
    counts.failed += 1;
    const sidecarOrigin: Record<string, unknown> = {};
    if (found.origin.file) sidecarOrigin.file = found.origin.file;
    if (found.origin.line !== undefined) sidecarOrigin.line = found.origin.line;
    if (found.origin.index !== undefined) sidecarOrigin.index = found.origin.index;
    return ruleFailure(errors, itemId, found.row, entry.origin, audit, {
      key: key ?? null,
      sidecar: sidecarOrigin,
    });
  }
  audit.records.mapped += 1;
  counts.matched += 1;
  return { value: out, origin: entry.origin };
}

function unusedRows(index: Map<string, IndexEntry>): number {
  let unused = 0;
  for (const e of index.values()) if (e.kind === 'row' && !e.used) unused += 1;
  return unused;
}

/** Options of {@link keyedRecords}. */
export interface KeyedRecordsOptions {
  /** Name of the member that receives each object's key (default `id`). */
  keyField?: string;
  /** File name put in each record's origin. */
  file?: string;
}

/**
 * Turns a JSON object keyed by id (`{"HLS.S30...": {"cloud_cover": 0}}`, the
 * shape of many sidecar files) into sidecar records `{id, cloud_cover}`.
 * The key overrides a member of the same name. Keys such as `__proto__`
 * are dropped.
 */
export function keyedRecords(
  data: Record<string, unknown>,
  options: KeyedRecordsOptions = {},
): SourceRecord<Record<string, unknown>>[] {
  const keyField = options.keyField ?? 'id';
  if (!isObject(data)) throw new ScmError('SCM_USAGE', 'keyedRecords needs an object keyed by id');
  if (isForbiddenKey(keyField)) throw new ScmError('SCM_USAGE', `"${keyField}" is not allowed as keyField`);
  const out: SourceRecord<Record<string, unknown>>[] = [];
  for (const key of Object.keys(data)) {
    if (isForbiddenKey(key)) continue;
    const value = data[key];
    const row: Record<string, unknown> = isObject(value)
      ? (safeClone(value) as Record<string, unknown>)
      : { value: safeClone(value) };
    row[keyField] = key;
    const origin: RecordOrigin = { index: out.length };
    if (options.file) origin.file = options.file;
    out.push({ value: row, origin });
  }
  return out;
}
