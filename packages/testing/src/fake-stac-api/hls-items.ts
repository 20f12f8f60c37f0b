import type { StacItem } from '@scm/core';
import template from './hls-item-template.json' with { type: 'json' };
import { timeOf } from './query.js';
import { hash01 } from './random.js';

/** Which items {@link hlsItem} makes: `count` HLS-shaped items of one collection, spread over a time range. */
export interface HlsItemSpec {
  /** Collection id set on every item. */
  collection: string;
  /** How many items the collection has. */
  count: number;
  /** First datetime (RFC 3339). Default `2022-01-01T00:00:00Z`. */
  start?: string;
  /** End of the range (RFC 3339, exclusive). Default `2023-01-01T00:00:00Z`. */
  end?: string;
  /** Varies geometry, cloud cover and the time jitter. Default 1. */
  seed?: number;
}

/** What tells generated items apart, cheap to compute without building the item. */
export interface HlsItemMeta {
  id: string;
  /** Epoch milliseconds of `properties.datetime`. */
  time: number;
  bbox: [number, number, number, number];
  cloudCover: number;
}

const TEMPLATE_ID = template.id;
const TEMPLATE_COLLECTION = template.collection;
const DEFAULT_START = '2022-01-01T00:00:00Z';
const DEFAULT_END = '2023-01-01T00:00:00Z';
/**
 * The template as text cut at the places an item differs: JSON-stringifying
 * once and splicing strings is ~10x cheaper than parsing and re-serialising
 * a 16 kB item, which matters when the fake server plays a fast API.
 */
const TEXT_PARTS = (() => {
  const marked = {
    ...template,
    properties: {
      ...template.properties,
      datetime: '@@DT@@',
      start_datetime: '@@DT@@',
      end_datetime: '@@DT@@',
      'eo:cloud_cover': '@@CC@@',
    },
    geometry: '@@GEOM@@',
    bbox: '@@BBOX@@',
    links: '@@LINKS@@',
    collection: '@@COLL@@',
  };
  const parts = JSON.stringify(marked)
    .replaceAll(TEMPLATE_ID, '@@ID@@')
    .split(/@@([A-Z]+)@@/);
  // Markers other than ID stand for whole JSON values: drop the quotes around them.
  for (let i = 1; i < parts.length; i += 2) {
    if (parts[i] === 'ID') continue;
    parts[i - 1] = (parts[i - 1] as string).slice(0, -1);
    parts[i + 1] = (parts[i + 1] as string).slice(1);
  }
  return parts;
})();

/** A unique MGRS-looking tile code for an index: UTM zone 10-59, then three or more letters. */
function tileCode(index: number): string {
  let rest = Math.floor(index / 50);
  let letters = '';
  do {
    letters = String.fromCharCode(65 + (rest % 26)) + letters;
    rest = Math.floor(rest / 26);
  } while (rest > 0 || letters.length < 3);
  return `${10 + (index % 50)}${letters}`;
}

/** `2022273T174141`: year, day of year, time, as in HLS granule ids. */
function julianStamp(time: number): string {
  const year = new Date(time).getUTCFullYear();
  const sinceYear = time - Date.UTC(year, 0, 1);
  const day = String(Math.floor(sinceYear / 86_400_000) + 1).padStart(3, '0');
  const seconds = Math.floor((sinceYear % 86_400_000) / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${year}${day}T${two(Math.floor(seconds / 3600))}${two(Math.floor(seconds / 60) % 60)}${two(seconds % 60)}`;
}

/**
 * The distinguishing fields of item `index` (0-based) of `spec`. Items are
 * in datetime order: item i lies in the i-th equal slice of the range.
 */
export function hlsItemMeta(spec: HlsItemSpec, index: number): HlsItemMeta {
  const seed = spec.seed ?? 1;
  const start = timeOf(spec.start ?? DEFAULT_START);
  const slice = (timeOf(spec.end ?? DEFAULT_END) - start) / Math.max(1, spec.count);
  const time = Math.floor(start + slice * index + slice * 0.9 * hash01(seed, index, 0));
  const west = Math.round((-180 + 358 * hash01(seed, index, 1)) * 1e4) / 1e4;
  const south = Math.round((-60 + 118 * hash01(seed, index, 2)) * 1e4) / 1e4;
  const bbox: [number, number, number, number] = [west, south, west + 1.2, south + 0.99];
  const id = `HLS.S30.T${tileCode(index)}.${julianStamp(time)}.v2.0`;
  return { id, time, bbox, cloudCover: Math.floor(101 * hash01(seed, index, 3)) };
}

/** The links a generated item has: CMR-STAC's item links, naming the item's collection. */
function defaultLinks(collection: string, id: string): unknown[] {
  const collectionPath = `/collections/${encodeURIComponent(collection)}/`;
  return template.links.map((link) => ({
    ...link,
    href: link.href.replace(`/collections/${TEMPLATE_COLLECTION}/`, collectionPath).replace(TEMPLATE_ID, id),
  }));
}

/**
 * Item `index` of `spec` as JSON text, with `links` when given (default:
 * CMR-STAC's links for the item). What {@link hlsItem} parses.
 */
export function hlsItemText(spec: HlsItemSpec, index: number, links?: unknown[]): string {
  const meta = hlsItemMeta(spec, index);
  const [w, s, e, n] = meta.bbox;
  const values: Record<string, string> = {
    ID: meta.id,
    DT: JSON.stringify(new Date(meta.time).toISOString()),
    CC: String(meta.cloudCover),
    GEOM: `{"type":"Polygon","coordinates":[[[${w},${s}],[${e},${s}],[${e},${n}],[${w},${n}],[${w},${s}]]]}`,
    BBOX: `[${w},${s},${e},${n}]`,
    LINKS: JSON.stringify(links ?? defaultLinks(spec.collection, meta.id)),
    COLL: JSON.stringify(spec.collection),
  };
  // split() with a capture group puts the marker names at the odd positions.
  return TEXT_PARTS.map((part, i) => (i % 2 === 1 ? (values[part] as string) : part)).join('');
}

/**
 * Item `index` of `spec`: a full HLS S30 item as CMR-STAC serves it
 * (CMR-STAC's sample item as template), with its own id, datetime,
 * footprint, cloud cover and collection, and links naming that collection.
 */
export function hlsItem(spec: HlsItemSpec, index: number): StacItem {
  return JSON.parse(hlsItemText(spec, index)) as StacItem;
}

/** All items of `spec`, made one at a time (memory stays flat for large counts). */
export function* generateHlsItems(spec: HlsItemSpec): Generator<StacItem> {
  for (let index = 0; index < spec.count; index += 1) yield hlsItem(spec, index);
}
