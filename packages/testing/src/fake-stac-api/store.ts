import type { StacItem } from '@scm/core';
import { type HlsItemSpec, hlsItem, hlsItemMeta, hlsItemText } from './hls-items.js';
import { BadRequest, datetimeRange, type SearchParams, timeOf } from './query.js';

/** One collection of the fake API: generated HLS items (`count`) or the given `items`. */
export interface FakeCollectionSpec {
  /** Collection id; may contain `/` and spaces, as CMR ids do. */
  id: string;
  /** Number of generated items (ignored when `items` is given). Default 0. */
  count?: number;
  /** Start of the generated items' time range. Default `2022-01-01T00:00:00Z`. */
  start?: string;
  /** End of the generated items' time range. Default `2023-01-01T00:00:00Z`. */
  end?: string;
  /** Generator seed. Default 1. */
  seed?: number;
  /** Explicit items instead of generated ones. */
  items?: StacItem[];
  /** Title. Default the id. */
  title?: string;
}

/** Whether an entry passes the search's filter on `updated` (an item without `updated` passes none). */
function updatedMatches(entry: { updated?: string }, params: SearchParams): boolean {
  if (params.updatedSince === undefined && params.updatedBefore === undefined) return true;
  if (entry.updated === undefined) return false;
  if (params.updatedSince !== undefined && entry.updated < params.updatedSince) return false;
  return params.updatedBefore === undefined || entry.updated < params.updatedBefore;
}

/** Where an item sits: its collection's order, its position in datetime order, and what filters read. */
export interface Entry {
  collection: number;
  position: number;
  id: string;
  time: number;
  bbox: number[];
  /** `properties.updated` of an explicit item, when it has one. */
  updated?: string;
}

/** A collection with its items indexed. */
export interface StoredCollection {
  /** Position in the server's collection list. */
  order: number;
  spec: FakeCollectionSpec;
  entries: Entry[];
  byId: Map<string, Entry>;
  /** Time range of its items (epoch ms), for the collection's extent. */
  range: [number, number];
}

function itemTime(item: StacItem): number {
  const props = item.properties as Record<string, unknown>;
  return timeOf(String(props.datetime ?? props.start_datetime));
}

function updatedOf(item: StacItem): { updated?: string } {
  const updated = (item.properties as Record<string, unknown>).updated;
  return typeof updated === 'string' ? { updated } : {};
}

function indexCollection(spec: FakeCollectionSpec, order: number): StoredCollection {
  let entries: Entry[];
  if (spec.items) {
    const sorted = spec.items.map((item) => ({ item, time: itemTime(item) })).sort((a, b) => a.time - b.time);
    spec.items = sorted.map(({ item }) => item);
    entries = sorted.map(({ item, time }, position) => ({
      collection: order,
      position,
      id: String(item.id),
      time,
      bbox: item.bbox ?? [-180, -90, 180, 90],
      ...updatedOf(item),
    }));
  } else {
    const hls = hlsSpec(spec);
    entries = Array.from({ length: hls.count }, (_, position) => {
      const meta = hlsItemMeta(hls, position);
      return { collection: order, position, id: meta.id, time: meta.time, bbox: meta.bbox };
    });
  }
  const first = entries[0];
  const last = entries.at(-1);
  const range: [number, number] =
    first && last
      ? [first.time, last.time]
      : [timeOf(spec.start ?? '2022-01-01T00:00:00Z'), timeOf(spec.end ?? '2023-01-01T00:00:00Z')];
  return { order, spec, entries, byId: new Map(entries.map((e) => [e.id, e])), range };
}

function hlsSpec(spec: FakeCollectionSpec): HlsItemSpec {
  return {
    collection: spec.id,
    count: spec.count ?? 0,
    ...(spec.start ? { start: spec.start } : {}),
    ...(spec.end ? { end: spec.end } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
  };
}

function bboxesOverlap(a: number[], b: number[]): boolean {
  const [aw, as, ae, an] = a.length === 6 ? [a[0], a[1], a[3], a[4]] : a;
  const [bw, bs, be, bn] = b.length === 6 ? [b[0], b[1], b[3], b[4]] : b;
  return (
    (aw as number) <= (be as number) &&
    (bw as number) <= (ae as number) &&
    (as as number) <= (bn as number) &&
    (bs as number) <= (an as number)
  );
}

/** The items of a fake API, indexed for searching. */
export class ItemStore {
  readonly collections: StoredCollection[];
  private readonly byCollectionId: Map<string, StoredCollection>;

  constructor(specs: FakeCollectionSpec[]) {
    this.collections = specs.map((spec, order) => indexCollection({ ...spec }, order));
    this.byCollectionId = new Map(this.collections.map((c) => [c.spec.id, c]));
  }

  /** Replaces a collection's items (an update, an insert or a delete in the source), keeping its place. */
  replaceItems(id: string, items: StacItem[]): void {
    const stored = this.byCollectionId.get(id);
    if (!stored) throw new Error(`no collection ${id} in the fake API`);
    const next = indexCollection({ ...stored.spec, items }, stored.order);
    this.collections[stored.order] = next;
    this.byCollectionId.set(id, next);
  }

  /** The collection with this id (the CMR legacy `Short.vVersion` alias is not accepted here). */
  collection(id: string): StoredCollection | undefined {
    return this.byCollectionId.get(id);
  }

  /** Matching entries in a stable order: collection order, then datetime. */
  search(params: SearchParams, requireTime: boolean): Entry[] {
    const range = params.datetime ? datetimeRange(params.datetime, requireTime) : undefined;
    const ids = params.ids ? new Set(params.ids) : undefined;
    const chosen = params.collections
      ? params.collections.map((id) => this.byCollectionId.get(id)).filter((c) => c !== undefined)
      : this.collections;
    const out: Entry[] = [];
    for (const stored of [...new Set(chosen)].sort((a, b) => a.order - b.order)) {
      for (const entry of stored.entries) {
        if (range && (entry.time < range[0] || entry.time > range[1])) continue;
        if (ids && !ids.has(entry.id)) continue;
        if (params.exceptIds?.includes(entry.id)) continue;
        if (params.bbox && !bboxesOverlap(params.bbox, entry.bbox)) continue;
        if (!updatedMatches(entry, params)) continue;
        out.push(entry);
      }
    }
    return out;
  }

  /** Index in `results` just after the item `(collectionId, itemId)`: search-after paging. */
  offsetAfter(results: Entry[], collectionId: string, itemId: string): number {
    const entry = this.byCollectionId.get(collectionId)?.byId.get(itemId);
    if (!entry) throw new BadRequest(`Invalid paging token: unknown item ${collectionId}:${itemId}`);
    const rank = (e: Entry) => e.collection * 2 ** 32 + e.position;
    const target = rank(entry);
    let low = 0;
    let high = results.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (rank(results[mid] as Entry) <= target) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The item of an entry as JSON text, with the given links. */
  itemText(entry: Entry, links: unknown[]): string {
    const stored = this.collections[entry.collection] as StoredCollection;
    if (stored.spec.items) return JSON.stringify({ ...stored.spec.items[entry.position], links });
    return hlsItemText(hlsSpec(stored.spec), entry.position, links);
  }

  /** The id, collection and datetime of an entry's item as JSON text (the fields extension), with the links. */
  idText(entry: Entry, links: unknown[]): string {
    const item = this.item(entry);
    const props = item.properties as Record<string, unknown>;
    const properties = { datetime: props.datetime, start_datetime: props.start_datetime };
    return JSON.stringify({ id: item.id, collection: item.collection, properties, links });
  }

  /** The full item for an entry (a fresh object each time). */
  item(entry: Entry): StacItem {
    const stored = this.collections[entry.collection] as StoredCollection;
    if (stored.spec.items) return structuredClone(stored.spec.items[entry.position] as StacItem);
    return hlsItem(hlsSpec(stored.spec), entry.position);
  }
}
