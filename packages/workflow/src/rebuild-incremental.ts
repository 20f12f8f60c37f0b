import type { WorkflowConfig } from '@scm/config';
import { isPlainObject, ScmError, type StacItem, type SummaryCounter } from '@scm/core';
import { matchesSelection, parseSelection, type Selection } from '@scm/update';
import type { IncrementalSinks } from './incremental-sinks.js';
import { deletesKnown, type ServerDelta } from './incremental-strategy.js';
import {
  type CatalogState,
  configHash,
  contentHash,
  loadState,
  nextState,
  noteStamp,
  recordItem,
  type StateRecord,
} from './rebuild-state.js';
import type { StateLines } from './state-lines.js';

/** The change counts of one collection (or of the whole run). */
export interface ChangeCounts {
  added: number;
  modified: number;
  deleted: number;
  unchanged: number;
}

/** A rebuild mode. */
export type RebuildMode = 'full' | 'incremental' | 'targeted';

/**
 * How a run compares the source with the catalog it updates. `previous` is
 * the catalog's state; entries move out of it as the source shows them, so at
 * the end it holds exactly the items the source did not show again.
 */
export interface Delta {
  /** The mode that runs (an incremental run without a usable state runs `full`). */
  mode: RebuildMode;
  previous: CatalogState | undefined;
  /** The state this run writes; its entries stream to the state folder once the output is open. */
  next: CatalogState<StateLines>;
  /** Targeted mode: whether a source record is one to rebuild. */
  target?: ((record: unknown) => boolean) | undefined;
  /** False once the source reported a record it could not read: then nothing is deleted. */
  listingComplete: boolean;
  /** `collection\0id` of each item written in this run, with its collection (kept only to settle a previous state). */
  written: Map<string, string>;
  perCollection: Map<string, ChangeCounts>;
  /** The strategy line of the summary: what was compared, and why. */
  strategy: string;
  /** Set when a STAC API is asked for changed items only (see incremental-strategy.ts). */
  server?: ServerDelta;
}

/** What to do with one source record. */
export type DeltaAction =
  | { action: 'process'; hash: string }
  | { action: 'keep'; hash: string; record: StateRecord }
  | { action: 'skip'; hash: string };

const keyOf = (collection: string, id: string): string => `${collection}\u0000${id}`;

/** The counts of a collection, created at zero. */
export function countsOf(delta: Delta, collection: string): ChangeCounts {
  let counts = delta.perCollection.get(collection);
  if (!counts) {
    counts = { added: 0, modified: 0, deleted: 0, unchanged: 0 };
    delta.perCollection.set(collection, counts);
  }
  return counts;
}

/** A delta for `mode` over the catalog's state (none: a full rebuild). */
export function createDelta(
  mode: RebuildMode,
  stateHash: string,
  previous: CatalogState | undefined,
  target?: (record: unknown) => boolean,
): Delta {
  const strategy =
    mode === 'full'
      ? 'full: every record rebuilt'
      : mode === 'targeted'
        ? 'targeted: the selected records rebuilt, every other item kept as it is'
        : 'listing compared by content hash: every record listed, only new and changed ones rebuilt';
  const next = nextState(stateHash);
  // A targeted run sees few records: the others keep the marks the state had.
  if (mode === 'targeted' && previous) next.updatedHighWater = new Map(previous.updatedHighWater);
  return {
    mode,
    previous,
    next,
    target,
    listingComplete: true,
    written: new Map(),
    perCollection: new Map(),
    strategy,
  };
}

/** Decides about one source record: rebuild it, keep the item an earlier run made of it, or leave it out. */
export function classify(delta: Delta, value: unknown): DeltaAction {
  const hash = contentHash(value);
  if (delta.mode === 'full' || !delta.previous) return { action: 'process', hash };
  const record = delta.previous.entries.get(hash);
  if (delta.target?.(value)) return { action: 'process', hash };
  if (record) {
    delta.previous.entries.delete(hash);
    delta.next.entries.set(hash, record);
    noteStamp(delta.next, record.collection, value);
    countsOf(delta, record.collection).unchanged += 1;
    return { action: 'keep', hash, record };
  }
  return delta.target ? { action: 'skip', hash } : { action: 'process', hash };
}

/** Records an item written in this run. */
export function noteWritten(delta: Delta, item: StacItem, hash: string, source: unknown): void {
  recordItem(delta.next, item, hash, source);
  // Only settling a previous state reads it: a full rebuild keeps no memory per item.
  if (!delta.previous) return;
  const collection = typeof item.collection === 'string' ? item.collection : '';
  delta.written.set(keyOf(collection, item.id), collection);
}

/**
 * Whether an item the source did not show again is gone: in an incremental
 * run whose listing was complete; with the server filter, only when the
 * ids-only listing finished without it (none when the server's count says
 * nothing was deleted, or when no listing ran).
 */
function isDeleted(delta: Delta, record: StateRecord): boolean {
  if (delta.mode !== 'incremental' || !delta.listingComplete) return false;
  const filtered = delta.server?.collections.get(record.collection);
  if (!filtered) return true;
  if (filtered.noneDeleted) return false;
  return deletesKnown(delta.server!, record.collection) && !filtered.ids?.has(record.id);
}

/**
 * Settles the items the source did not show again: one whose id was written
 * in this run was modified; the others are deleted when {@link isDeleted}
 * says so, else kept as they are.
 */
export async function settleDelta(
  delta: Delta,
  sinks: Partial<Pick<IncrementalSinks, 'keepItem' | 'removeItem'>>,
  onKept: (record: StateRecord) => void,
): Promise<void> {
  await delta.server?.listing;
  const modified = new Set<string>();
  for (const [hash, record] of delta.previous?.entries ?? []) {
    const key = keyOf(record.collection, record.id);
    if (delta.written.has(key)) {
      modified.add(key);
      countsOf(delta, record.collection).modified += 1;
    } else if (isDeleted(delta, record)) {
      await sinks.removeItem?.(record);
      countsOf(delta, record.collection).deleted += 1;
    } else {
      delta.next.entries.set(hash, record);
      sinks.keepItem?.(record);
      onKept(record);
      countsOf(delta, record.collection).unchanged += 1;
    }
  }
  holdMarks(delta);
  // A full rebuild compares with nothing: it counts items written, not changes.
  if (delta.mode === 'full') return;
  for (const [key, collection] of delta.written) {
    if (!modified.has(key)) countsOf(delta, collection).added += 1;
  }
}

/**
 * A run that could not read everything keeps the previous `updated` marks
 * (none on a first run): a change hidden in a failed window must still be
 * after the mark the next run asks the server from.
 */
function holdMarks(delta: Delta): void {
  if (delta.listingComplete) return;
  for (const id of delta.next.updatedHighWater.keys()) {
    delta.next.updatedHighWater.set(id, delta.previous?.updatedHighWater.get(id) ?? null);
  }
}

/** Adds the per-collection counts into the run's totals. */
export function totalChanges(delta: Delta, counter: SummaryCounter): void {
  for (const counts of delta.perCollection.values()) {
    counter.added += counts.added;
    counter.modified += counts.modified;
    counter.deleted += counts.deleted;
    counter.unchanged += counts.unchanged;
  }
  if (delta.mode !== 'full' && !delta.listingComplete && delta.mode === 'incremental') {
    counter.notes.push('the source reported records it could not read: nothing was deleted in this run');
  }
  const server = delta.server;
  const unknown = server ? [...server.collections.keys()].filter((id) => !deletesKnown(server, id)) : [];
  if (unknown.length > 0) {
    counter.notes.push(
      `the ids-only listing did not finish (or the API has no fields extension): nothing was deleted from ${unknown.join(', ')}`,
    );
  }
}

/** The `per_collection` member of `summary.json`, sorted by collection id. */
export function perCollectionSummary(delta: Delta): Record<string, ChangeCounts> {
  const out: Record<string, ChangeCounts> = {};
  for (const id of [...delta.perCollection.keys()].sort()) out[id || '(none)'] = delta.perCollection.get(id)!;
  return out;
}

/** Why an incremental or targeted run cannot compare with the output folder, or undefined when it can. */
function fallbackReason(config: WorkflowConfig, previous: CatalogState | undefined, hash: string) {
  if (!previous) return 'the output folder has no state (a first run, or one written by an older version)';
  if (previous.configHash !== hash)
    return 'the config changed since the output was written (mapping, extensions, validation or output)';
  const formats = new Set(config.output.formats);
  if (formats.has('parquet') && !formats.has('ndjson'))
    return 'parquet output is rebuilt from the NDJSON output: add `ndjson` to output.formats';
  return undefined;
}

/**
 * The selection a run of `mode` rebuilds: the given one, else the config's
 * `targeted` section; undefined for the other modes. Throws `SCM_USAGE` when
 * targeted mode has neither, `SCM_CONFIG_INVALID` for a malformed section.
 */
export function targetSelection(
  config: WorkflowConfig,
  mode: RebuildMode,
  selection?: Selection,
): Selection | undefined {
  if (mode !== 'targeted') return undefined;
  return selection ?? configSelection(config);
}

function configSelection(config: WorkflowConfig): Selection {
  const targeted = config.targeted;
  if (!targeted || Object.keys(targeted).length === 0) {
    throw new ScmError(
      'SCM_USAGE',
      'targeted mode needs a selection: --ids, --collection, --datetime or --bbox, or a `targeted` section in the config',
    );
  }
  return parseSelection(targeted, { label: 'config', where: 'targeted' });
}

/**
 * Plans a run: reads the output folder's state and decides what is compared.
 * An incremental run that cannot compare (no state, another config) runs as
 * a full rebuild and says why in the notes; a targeted one is refused then,
 * since rebuilding a few records needs the catalog they belong to.
 */
export async function planDelta(
  config: WorkflowConfig,
  mode: RebuildMode,
  notes: string[],
  selection?: Selection,
): Promise<Delta> {
  const hash = configHash(config);
  if (mode === 'full') return createDelta('full', hash, undefined);
  const chosen = targetSelection(config, mode, selection);
  const previous = await loadState(config.output.path);
  const reason = fallbackReason(config, previous, hash);
  if (reason && mode === 'targeted') {
    throw new ScmError(
      'SCM_USAGE',
      `targeted mode cannot run on ${config.output.path}: ${reason}; run a full rebuild first`,
    );
  }
  if (reason) {
    notes.push(`incremental ran as a full rebuild: ${reason}`);
    return createDelta('full', hash, undefined);
  }
  const target = chosen
    ? (record: unknown) => isPlainObject(record) && matchesSelection(record, chosen)
    : undefined;
  return createDelta(mode, hash, previous, target);
}

/** Width of each count column of {@link formatChangeTable}. */
const COLUMN = 10;

/**
 * The per-collection change table people read after an incremental or
 * targeted run (added, modified, deleted, unchanged), with a total row and
 * the strategy line; empty for a full rebuild, which compares with nothing.
 */
export function formatChangeTable(summary: {
  mode?: string;
  strategy: string;
  per_collection: Record<string, ChangeCounts>;
}): string {
  if (summary.mode === 'full' || Object.keys(summary.per_collection).length === 0) return '';
  const rows = Object.entries(summary.per_collection);
  const total: ChangeCounts = { added: 0, modified: 0, deleted: 0, unchanged: 0 };
  for (const [, c] of rows) {
    total.added += c.added;
    total.modified += c.modified;
    total.deleted += c.deleted;
    total.unchanged += c.unchanged;
  }
  const width = Math.max(10, ...rows.map(([id]) => id.length));
  const line = (name: string, c: ChangeCounts | string[]) => {
    const cells = Array.isArray(c) ? c : [c.added, c.modified, c.deleted, c.unchanged].map(String);
    return `  ${name.padEnd(width)}${cells.map((v) => v.padStart(COLUMN)).join('')}`;
  };
  return [
    `  strategy: ${summary.strategy}`,
    line('collection', ['added', 'modified', 'deleted', 'unchanged']),
    ...rows.map(([id, c]) => line(id, c)),
    line('total', total),
  ].join('\n');
}
