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
import { failureItemId, ruleFailure, runRules } from './apply.js';
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
  const { mapping } = options;
  const audit = options.audit ?? mapping.audit;
  const counts = enrichmentCounts(audit);
  const itemKeyText = options.itemKey ?? 'id';
  const sidecarKeyText = options.sidecarKey ?? itemKeyText;
  const itemKey = keyPath(itemKeyText, 'itemKey');
  const sidecarKey = keyPath(sidecarKeyText, 'sidecarKey');
  const normalize = options.normalizeKey ?? normalizeKey;
  const onDuplicate = options.onDuplicateKey ?? 'error';
  const onMissing = options.onMissing ?? 'keep';
  const first = sidecarKey.segments[0];
  const exclude = new Set<string>(first?.kind === 'key' ? [first.key] : []);
  const checkAbort = () => {
    if (options.signal?.aborted)
      throw new ScmError('SCM_ABORTED', 'the run was aborted', { cause: options.signal.reason });
  };

  const index = new Map<string, IndexEntry>();
  let position = 0;
  for await (const entry of sidecar as AsyncIterable<SourceRecord | Failure | Record<string, unknown>>) {
    checkAbort();
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
    const key = normalize(getValue(row, sidecarKey.segments));
    if (key === undefined) {
      counts.rows_without_key += 1;
      yield sidecarFailure(
        row,
        origin,
        `sidecar row at ${where(origin)} has no usable key at "${sidecarKeyText}"`,
        sidecarKeyText,
        audit,
        `sidecar:${where(origin)}`,
      );
      continue;
    }
    const existing = index.get(key);
    if (!existing) {
      index.set(key, { kind: 'row', row, origin, used: false });
      continue;
    }
    counts.duplicate_keys += 1;
    if (onDuplicate === 'first') continue;
    if (onDuplicate === 'last') {
      index.set(key, { kind: 'row', row, origin, used: false });
      continue;
    }
    const origins = existing.kind === 'row' ? [existing.origin, origin] : [...existing.origins, origin];
    index.set(key, { kind: 'ambiguous', origins });
    yield sidecarFailure(
      row,
      origin,
      `sidecar key "${key}" at ${where(origin)} was already seen at ${where(origins[0]!)}; set onDuplicateKey to "first" or "last" to pick one`,
      sidecarKeyText,
      audit,
      key,
    );
  }

  const applyOptions = {
    ...(options.passthrough !== undefined ? { passthrough: options.passthrough } : {}),
    ...(options.passthroughTarget !== undefined ? { passthroughTarget: options.passthroughTarget } : {}),
  };
  try {
    for await (const entry of items) {
      checkAbort();
      if (isFailure(entry)) {
        audit.records.passed_through_failures += 1;
        yield entry;
        continue;
      }
      counts.items += 1;
      const item = entry.value;
      const itemId = failureItemId(item, undefined, entry.origin);
      const rawKey = getValue(item, itemKey.segments);
      const key = normalize(rawKey);
      const found = key === undefined ? undefined : index.get(key);
      // A join that cannot be made: counted in the audit and yielded as this item's failure.
      const joinFailure = (message: string, auditFile: boolean): Failure => {
        noteFailure(audit, {
          item_id: itemId,
          rule: 'join',
          target: itemKeyText,
          field: itemKeyText,
          message,
          ...(auditFile && entry.origin.file ? { file: entry.origin.file } : {}),
        });
        return createFailure({
          itemId,
          errorType: 'transformation_error',
          step: 'transform',
          message,
          sourceData: item,
          file: entry.origin.file,
          line: entry.origin.line,
          field: itemKeyText,
          details: { key: key ?? null },
        });
      };
      if (!found) {
        counts.unmatched += 1;
        if (onMissing === 'keep') {
          yield entry as SourceRecord<Record<string, unknown>>;
          continue;
        }
        counts.failed += 1;
        const message =
          key === undefined
            ? `the item has no usable key at "${itemKeyText}"`
            : `no sidecar row has the key "${key}" (item key "${itemKeyText}")`;
        yield joinFailure(message, true);
        continue;
      }
      if (found.kind === 'ambiguous') {
        counts.failed += 1;
        const message = `the sidecar has ${found.origins.length} rows with the key "${key}" (${found.origins.map(where).join(', ')})`;
        yield joinFailure(message, false);
        continue;
      }
      if (!isObject(item)) {
        counts.failed += 1;
        yield createFailure({
          itemId,
          errorType: 'transformation_error',
          step: 'transform',
          message: 'the item is not an object',
          sourceData: item,
          file: entry.origin.file,
          line: entry.origin.line,
        });
        continue;
      }
      found.used = true;
      const out = safeClone(item) as Record<string, unknown>;
      const { errors } = runRules(mapping, {
        record: found.row,
        item,
        out,
        audit,
        options: applyOptions,
        exclude,
      });
      audit.records.total += 1;
      if (errors.length > 0) {
        audit.records.failed += 1;
        counts.failed += 1;
        const sidecarOrigin: Record<string, unknown> = {};
        if (found.origin.file) sidecarOrigin.file = found.origin.file;
        if (found.origin.line !== undefined) sidecarOrigin.line = found.origin.line;
        if (found.origin.index !== undefined) sidecarOrigin.index = found.origin.index;
        yield ruleFailure(errors, itemId, found.row, entry.origin, audit, {
          key: key ?? null,
          sidecar: sidecarOrigin,
        });
        continue;
      }
      audit.records.mapped += 1;
      counts.matched += 1;
      yield { value: out, origin: entry.origin };
    }
  } finally {
    let unused = 0;
    for (const e of index.values()) if (e.kind === 'row' && !e.used) unused += 1;
    counts.unused_rows = unused;
    touchAudit(audit);
  }
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
