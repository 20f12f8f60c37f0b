import type {
  AnyIterable,
  Failure,
  JsonObject,
  SourceRecord,
  StacAsset,
  StacCollection,
  StacExtent,
  StacItem,
  StacLink,
} from '@scm/core';
import { isFailure, isForbiddenKey, isPlainObject, isStacItem, ScmError } from '@scm/core';
import { createExtentAccumulator } from './extent.js';
import { copyJson } from './json-copy.js';

/** What a Collection is made from besides its Items. Extra members (e.g. `sci:doi`) are copied as they are. */
export interface CollectionMeta {
  /** Collection id (required, non-empty). */
  id: string;
  /** Short title. Default: none. */
  title?: string;
  /** Description (CommonMark allowed). Default: the title, else the id, since STAC requires one. */
  description?: string;
  /** SPDX identifier, or `proprietary` / `various` as STAC 1.0.0 allows. Default `'proprietary'`. */
  license?: string;
  /** Keywords. Default: none. */
  keywords?: string[];
  /** Providers (`{ name, roles?, url?, description? }`). Default: none. */
  providers?: JsonObject[];
  /** Links, kept in order. Default `[]`. */
  links?: StacLink[];
  /** Extension schema URIs. Default `[]`. */
  stac_extensions?: string[];
  /** Summaries. Default: none. */
  summaries?: Record<string, unknown>;
  /** Collection-level assets. Default: none. */
  assets?: Record<string, StacAsset>;
  [key: string]: unknown;
}

/** Options of {@link scaffoldCollection} and {@link buildCollection}. */
export interface ScaffoldCollectionOptions {
  /** `stac_version` of the Collection. Default `'1.0.0'`. */
  stacVersion?: string;
}

/** Members placed by {@link buildCollection}; other `meta` members follow them. */
const PLACED = new Set([
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'title',
  'description',
  'keywords',
  'license',
  'providers',
  'extent',
  'summaries',
  'links',
  'assets',
]);

/**
 * Builds a STAC 1.0.0 Collection from its metadata and its Items. The extent
 * is computed while the Items stream past (see {@link createExtentAccumulator});
 * they are not kept. `SourceRecord`s are unwrapped and Failures skipped, so
 * the output of {@link scaffoldItems} can be passed as it is.
 * Throws `SCM_SCAFFOLD_OPTIONS_INVALID` when `meta` is malformed.
 */
export async function scaffoldCollection(
  meta: CollectionMeta,
  items: AnyIterable<StacItem | SourceRecord<StacItem> | Failure>,
  options: ScaffoldCollectionOptions = {},
): Promise<StacCollection> {
  checkMeta(meta);
  const extent = createExtentAccumulator();
  for await (const entry of items) {
    if (isFailure(entry)) continue;
    const item = isStacItem(entry)
      ? entry
      : isPlainObject(entry) && isStacItem(entry.value)
        ? entry.value
        : undefined;
    if (item) extent.add(item);
  }
  return buildCollection(meta, extent.extent(), options);
}

/**
 * Builds a STAC 1.0.0 Collection from its metadata and an extent already
 * computed, e.g. by an {@link ExtentAccumulator} fed during a streaming run.
 * Throws `SCM_SCAFFOLD_OPTIONS_INVALID` when `meta` is malformed.
 */
export function buildCollection(
  meta: CollectionMeta,
  extent: StacExtent,
  options: ScaffoldCollectionOptions = {},
): StacCollection {
  checkMeta(meta);
  const warnings: string[] = []; // forbidden keys in metadata are dropped silently here: metadata is configuration
  const stacExtensions = [...new Set(meta.stac_extensions ?? [])];
  const collection = {
    type: 'Collection',
    stac_version: options.stacVersion ?? '1.0.0',
    stac_extensions: stacExtensions,
    id: meta.id,
  } as StacCollection;
  if (meta.title !== undefined) collection.title = meta.title;
  collection.description = meta.description ?? meta.title ?? meta.id;
  if (meta.keywords !== undefined) collection.keywords = [...new Set(meta.keywords)];
  collection.license = meta.license ?? 'proprietary';
  if (meta.providers !== undefined)
    collection.providers = copyJson(meta.providers, 'providers', warnings) as JsonObject[];
  collection.extent = copyJson(extent, 'extent', warnings) as StacExtent;
  if (meta.summaries !== undefined)
    collection.summaries = copyJson(meta.summaries, 'summaries', warnings) as Record<string, unknown>;
  collection.links = copyJson(meta.links ?? [], 'links', warnings) as StacLink[];
  if (meta.assets !== undefined)
    collection.assets = copyJson(meta.assets, 'assets', warnings) as Record<string, StacAsset>;
  for (const key of Object.keys(meta)) {
    if (PLACED.has(key) || isForbiddenKey(key) || meta[key] === undefined) continue;
    collection[key] = copyJson(meta[key], key, warnings);
  }
  return collection;
}

function checkMeta(meta: CollectionMeta): void {
  const bad = (member: string, expected: string, got: unknown): never => {
    throw new ScmError(
      'SCM_SCAFFOLD_OPTIONS_INVALID',
      `collection metadata "${member}" must be ${expected}, got ${JSON.stringify(got) ?? String(got)}`,
      { details: { member } },
    );
  };
  if (!isPlainObject(meta)) bad('meta', 'an object', meta);
  if (typeof meta.id !== 'string' || meta.id.trim() === '') bad('id', 'a non-empty string', meta.id);
  for (const member of ['title', 'description', 'license'] as const) {
    const value = meta[member];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      bad(member, 'a non-empty string', value);
  }
  for (const member of ['keywords', 'stac_extensions'] as const) {
    const value = meta[member];
    if (
      value !== undefined &&
      (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== ''))
    ) {
      bad(member, 'an array of non-empty strings', value);
    }
  }
  if (meta.providers !== undefined) {
    if (
      !Array.isArray(meta.providers) ||
      !meta.providers.every((p) => isPlainObject(p) && typeof p.name === 'string')
    ) {
      bad('providers', 'an array of provider objects with a name', meta.providers);
    }
  }
  if (meta.links !== undefined) {
    if (
      !Array.isArray(meta.links) ||
      !meta.links.every(
        (l) =>
          isPlainObject(l) &&
          typeof l.href === 'string' &&
          l.href !== '' &&
          typeof l.rel === 'string' &&
          l.rel !== '',
      )
    ) {
      bad('links', 'an array of link objects with href and rel', meta.links);
    }
  }
}
