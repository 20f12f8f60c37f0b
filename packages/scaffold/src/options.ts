import type { Logger, RecordOrigin, StreamOptions } from '@scm/core';
import { isPlainObject, ScmError } from '@scm/core';

/**
 * Hrefs of the structural links added to every Item. Relative hrefs are
 * written as given (relative to the Item file). In `self`, `{id}` and
 * `{collection}` are replaced by the URL-encoded Item id and collection id.
 *
 * When `base` is given, each href not given explicitly follows the STAC
 * best-practice layout under it:
 *
 * | link | href |
 * | --- | --- |
 * | root | `{base}catalog.json` |
 * | collection | `{base}{collection}/collection.json` |
 * | parent | the collection href, or root for an Item without a collection |
 * | self | `{base}{collection}/{id}/{id}.json` (`{base}{id}/{id}.json` without a collection) |
 */
export interface ItemLinkOptions {
  /** Href of the root catalog, e.g. `../../catalog.json`. No default unless `base` is set. */
  root?: string;
  /** Href of the parent. Default: the collection href when the Item has a collection, else `root`. */
  parent?: string;
  /** Href of the Item's Collection, e.g. `../collection.json`. Default `../collection.json` for Items with a collection. */
  collection?: string;
  /** Href of the Item itself, e.g. `./{id}.json`. No default unless `base` is set. */
  self?: string;
  /** Absolute URL or path of the catalog root, e.g. `https://example.com/stac/`. Default: none. */
  base?: string;
}

/** Options of {@link scaffoldItem}. */
export interface ScaffoldOptions {
  /** `stac_version` written on every Item. Default `'1.0.0'`. */
  stacVersion?: string;
  /** Extension schema URIs added to every Item's `stac_extensions` (deduplicated). Default `[]`. */
  stacExtensions?: string[];
  /** Collection id for records that have none. Default: none. */
  collection?: string;
  /**
   * Accept records without a geometry: the Item gets `geometry: null` and no
   * `bbox`, as STAC allows. Default `false` (such records fail).
   */
  allowNullGeometry?: boolean;
  /** Wrap longitudes in (180, 360] to (-180, 0], for data in 0..360 longitudes. Default `false`. */
  normalizeLongitude?: boolean;
  /** Close a polygon ring whose last position differs from its first, with a warning. Default `true`. */
  closeRings?: boolean;
  /** Cut geometries crossing the antimeridian into parts on each side (RFC 7946 §3.1.9). Default `true`. */
  splitAntimeridian?: boolean;
  /**
   * Degrees (and elevation units) by which a record's own `bbox` may differ
   * from the computed one before it is replaced with a warning. Default `1e-6`.
   */
  bboxTolerance?: number;
  /**
   * Structural links to write. When given, the record's own `self`, `root`,
   * `parent` and `collection` links are replaced; its other links are kept.
   * Default: none (the record's links are kept as they are, and Items with a
   * collection get a `collection` link to `../collection.json`, which the STAC
   * 1.0.0 Item schema requires).
   */
  links?: ItemLinkOptions;
  /** Set `properties.created` to the current time when the record has none. Default `false`. */
  createdNow?: boolean;
  /** Set `properties.updated` to the current time. Default `false`. */
  updated?: boolean;
  /** Clock for `createdNow` and `updated`. Default `() => new Date()`. */
  now?: () => Date;
}

/** A warning about one record, as given to {@link ScaffoldItemsOptions.onWarning}. */
export interface ScaffoldWarning {
  /** Id of the Item. */
  itemId: string;
  /** What was changed or ignored, starting with the field name. */
  message: string;
  /** Where the record came from. */
  origin: RecordOrigin;
}

/** Options of {@link scaffoldItems}: those of {@link scaffoldItem} plus stream options. */
export interface ScaffoldItemsOptions extends ScaffoldOptions, StreamOptions {
  /**
   * Receives every warning. Default: each warning is logged at `warn` level
   * through `logger`.
   */
  onWarning?: (warning: ScaffoldWarning) => void;
  /** Logger for warnings when `onWarning` is not given. Default: no logging. */
  logger?: Logger;
}

/** Options with defaults applied and checked once. */
export interface ResolvedOptions {
  stacVersion: string;
  stacExtensions: readonly string[];
  collection: string | undefined;
  allowNullGeometry: boolean;
  normalizeLongitude: boolean;
  closeRings: boolean;
  splitAntimeridian: boolean;
  bboxTolerance: number;
  links: ItemLinkOptions | undefined;
  createdNow: boolean;
  updated: boolean;
  now: () => Date;
}

function invalid(option: string, expected: string, got: unknown): never {
  throw new ScmError(
    'SCM_SCAFFOLD_OPTIONS_INVALID',
    `scaffold option "${option}" must be ${expected}, got ${JSON.stringify(got)}`,
    {
      details: { option },
    },
  );
}

function flag(options: ScaffoldOptions, name: keyof ScaffoldOptions, fallback: boolean): boolean {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(name, 'true or false', value);
  return value;
}

/**
 * Applies defaults and checks option types; throws `SCM_SCAFFOLD_OPTIONS_INVALID`
 * naming the option at fault.
 */
export function resolveOptions(options: ScaffoldOptions | undefined): ResolvedOptions {
  if (options === undefined) return DEFAULTS;
  const source = options;
  if (!isPlainObject(source)) invalid('options', 'an object', source);
  const stacVersion = source.stacVersion ?? '1.0.0';
  if (typeof stacVersion !== 'string' || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(stacVersion)) {
    invalid('stacVersion', 'a version such as "1.0.0"', stacVersion);
  }
  const stacExtensions = source.stacExtensions ?? [];
  if (!Array.isArray(stacExtensions) || !stacExtensions.every((u) => typeof u === 'string' && u !== '')) {
    invalid('stacExtensions', 'an array of schema URIs', stacExtensions);
  }
  if (
    source.collection !== undefined &&
    (typeof source.collection !== 'string' || source.collection === '')
  ) {
    invalid('collection', 'a non-empty string', source.collection);
  }
  const bboxTolerance = source.bboxTolerance ?? 1e-6;
  if (typeof bboxTolerance !== 'number' || !(bboxTolerance >= 0))
    invalid('bboxTolerance', 'a number >= 0', bboxTolerance);
  const links = source.links;
  if (links !== undefined) {
    if (!isPlainObject(links)) invalid('links', 'an object of hrefs', links);
    for (const key of Object.keys(links)) {
      if (!['root', 'parent', 'collection', 'self', 'base'].includes(key)) {
        invalid(`links.${key}`, 'one of root, parent, collection, self, base', key);
      }
      const href = (links as Record<string, unknown>)[key];
      if (href !== undefined && (typeof href !== 'string' || href === ''))
        invalid(`links.${key}`, 'a non-empty string', href);
    }
  }
  const now: unknown = source.now ?? (() => new Date());
  if (typeof now !== 'function') invalid('now', 'a function returning a Date', now);
  const resolved: ResolvedOptions = {
    stacVersion,
    stacExtensions: [...new Set(stacExtensions)],
    collection: source.collection,
    allowNullGeometry: flag(source, 'allowNullGeometry', false),
    normalizeLongitude: flag(source, 'normalizeLongitude', false),
    closeRings: flag(source, 'closeRings', true),
    splitAntimeridian: flag(source, 'splitAntimeridian', true),
    bboxTolerance,
    links: links === undefined ? undefined : { ...links },
    createdNow: flag(source, 'createdNow', false),
    updated: flag(source, 'updated', false),
    now: now as () => Date,
  };
  return resolved;
}

const DEFAULTS: ResolvedOptions = resolveOptions({});
