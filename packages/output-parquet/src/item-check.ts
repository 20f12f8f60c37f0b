import { isPlainObject } from '@scm/core';
import { isBboxShape } from '@scm/core/geojson';
import { ITEM_DATETIME_PROPERTIES, ITEM_MEMBER_NAMES, isItemMember } from '@scm/core/stac-item';
import { inspectGeometry } from './geometry.js';
import { readTimestamp } from './timestamp.js';

/** Name of the optional column that keeps what the spec's columns cannot say (see README "Round trip"). */
export const SIDE_COLUMN = '_scm_roundtrip';

/** Item members that have their own column (everything but `properties`), `id` first. */
export const ITEM_COLUMNS: readonly string[] = [
  'id',
  ...ITEM_MEMBER_NAMES.filter((name) => name !== 'id' && name !== 'properties'),
];

/** Members of a STAC Item (from `@scm/core/stac-item`); any other top-level member is a foreign member. */
export const ITEM_MEMBERS: { has(name: string): boolean } = { has: isItemMember };

/** Names a property cannot use as its column (kept in the side column instead). */
export const RESERVED_COLUMNS: ReadonlySet<string> = new Set<string>([
  ...ITEM_COLUMNS,
  'properties',
  SIDE_COLUMN,
]);

/** Properties written as TIMESTAMP(MICROS, UTC); an item with another value there is reported. */
export const CORE_TIMESTAMPS: readonly string[] = ITEM_DATETIME_PROPERTIES;

/** Timestamps-extension properties written as timestamps while every value parses (else as strings). */
export const SOFT_TIMESTAMPS: readonly string[] = ['expires', 'published', 'unpublished'];

/** What is wrong with an item that cannot be written, naming the field. */
export interface ItemProblem {
  /** JSON path of the member, e.g. `properties.datetime`. */
  field: string;
  /** What was expected. */
  message: string;
}

/** Options of {@link checkItem}. */
export interface CheckOptions {
  /** Assets are stored as JSON text (no shape requirement). */
  assetsAsJson: boolean;
  /** Links are stored as JSON text (no shape requirement). */
  linksAsJson: boolean;
}

/**
 * Checks the members whose column type is fixed by the stac-geoparquet spec.
 * Members may be absent or null (that round-trips); when present they must
 * have the spec's shape, because those columns cannot widen.
 */
export function checkItem(item: unknown, options: CheckOptions): ItemProblem | undefined {
  if (!isPlainObject(item)) return { field: '', message: 'an item must be a JSON object' };
  if (typeof item.id !== 'string') return { field: 'id', message: 'id must be a string' };
  for (const member of ['type', 'stac_version', 'collection'] as const) {
    const value = item[member];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      return { field: member, message: `${member} must be a string when present` };
    }
  }
  const extensions = item.stac_extensions;
  if (extensions !== undefined && extensions !== null) {
    if (!Array.isArray(extensions) || extensions.some((e) => typeof e !== 'string')) {
      return { field: 'stac_extensions', message: 'stac_extensions must be an array of strings' };
    }
  }
  if (item.geometry !== undefined && item.geometry !== null) {
    const info = inspectGeometry(item.geometry);
    if (typeof info === 'string') return { field: 'geometry', message: info };
  }
  const bbox = item.bbox;
  if (bbox !== undefined && bbox !== null) {
    if (!isBboxShape(bbox))
      return { field: 'bbox', message: 'bbox must be an array of 4 or 6 finite numbers' };
  }
  if (!isPlainObject(item.properties))
    return { field: 'properties', message: 'properties must be an object' };
  for (const name of CORE_TIMESTAMPS) {
    const value = item.properties[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !readTimestamp(value)) {
      return { field: `properties.${name}`, message: `${name} must be an RFC 3339 date-time string or null` };
    }
  }
  if (!options.linksAsJson && item.links !== undefined && item.links !== null) {
    if (!Array.isArray(item.links) || item.links.some((l) => !isPlainObject(l))) {
      return { field: 'links', message: 'links must be an array of objects' };
    }
  }
  if (!options.assetsAsJson && item.assets !== undefined && item.assets !== null) {
    if (!isPlainObject(item.assets)) return { field: 'assets', message: 'assets must be an object' };
    for (const [key, asset] of Object.entries(item.assets)) {
      if (!isPlainObject(asset)) return { field: `assets.${key}`, message: 'each asset must be an object' };
    }
  }
  return undefined;
}
