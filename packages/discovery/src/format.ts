import { isPlainObject } from '@scm/core';
import Papa from 'papaparse';
import type { CollectionRef } from './types.js';

/** One line of discovery output: a collection's metadata and where to reach it (PRD FR-1). */
export interface CollectionSummary {
  id: string;
  title: string | null;
  description: string | null;
  provider: string | null;
  url: string;
  items_url: string | null;
  search_url: string | null;
  parent_url: string;
  extent: CollectionRef['extent'] | null;
}

/** The summary of one discovered collection, without its full document. */
export function summarizeCollection(ref: CollectionRef): CollectionSummary {
  return {
    id: ref.id,
    title: ref.title ?? null,
    description: ref.description ?? null,
    provider: ref.provider ?? null,
    url: ref.url,
    items_url: ref.itemsUrl ?? null,
    search_url: ref.searchUrl ?? null,
    parent_url: ref.parentUrl,
    extent: ref.extent ?? null,
  };
}

/** CSV columns, in order. The overall extent is flattened into start/end and west/south/east/north. */
export const CSV_COLUMNS = [
  'id',
  'title',
  'provider',
  'url',
  'items_url',
  'search_url',
  'parent_url',
  'start',
  'end',
  'west',
  'south',
  'east',
  'north',
  'description',
] as const;

function overall(ref: CollectionRef): { interval: unknown[]; bbox: unknown[] } {
  const temporal = ref.extent?.temporal?.interval?.[0];
  const spatial = ref.extent?.spatial?.bbox?.[0];
  return { interval: Array.isArray(temporal) ? temporal : [], bbox: Array.isArray(spatial) ? spatial : [] };
}

function csvRow(ref: CollectionRef): unknown[] {
  const { interval, bbox } = overall(ref);
  const [west, south] = bbox;
  const [east, north] = bbox.length === 6 ? [bbox[3], bbox[4]] : [bbox[2], bbox[3]];
  const summary = summarizeCollection(ref);
  return [
    summary.id,
    summary.title,
    summary.provider,
    summary.url,
    summary.items_url,
    summary.search_url,
    summary.parent_url,
    interval[0],
    interval[1],
    west,
    south,
    east,
    north,
    summary.description,
  ].map((value) => (value === undefined || value === null || isPlainObject(value) ? '' : value));
}

/**
 * Formats discovered collections: `json` is an array of
 * {@link CollectionSummary}, `csv` one row per collection with a header
 * ({@link CSV_COLUMNS}). Both end with a newline.
 */
export function formatCollections(refs: readonly CollectionRef[], format: 'json' | 'csv'): string {
  if (format === 'json') return `${JSON.stringify(refs.map(summarizeCollection), null, 2)}\n`;
  return `${Papa.unparse({ fields: [...CSV_COLUMNS], data: refs.map(csvRow) }, { newline: '\n' })}\n`;
}
