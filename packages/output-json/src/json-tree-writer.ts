import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  errorMessage,
  isStacCollection,
  isStacItem,
  mapConcurrent,
  ScmError,
  type Sink,
  type StacCollection,
  type StacItem,
  type StacLink,
  type StreamOptions,
} from '@scm/core';
import { ExtentAccumulator } from './extent.js';
import { writeJsonAtomic, writeStacWithLinksAtomic } from './json-text.js';
import { createLimiter } from './limiter.js';
import { GEOJSON_TYPE, JSON_TYPE, keptLinks, makeLink } from './links.js';
import { NameRegistry } from './name-registry.js';
import { assertInside, safePathSegment } from './safe-path.js';
import type { DuplicateRecord, WriterResult } from './types.js';

/** Folder layout of the JSON tree. */
export type OrganizeBy = 'collection' | 'catalog';

/** What to do with items whose `collection` was never given to `writeCollection`. */
export type MissingCollectionPolicy = 'link-from-root' | 'placeholder';

/** The root catalog's members. */
export interface JsonTreeCatalogOptions {
  /** Catalog id. Default `catalog`. */
  id?: string;
  /** Catalog title. Default: none. */
  title?: string;
  /** Catalog description. Default `STAC catalog`. */
  description?: string;
  /** `stac_version` of the catalog and of placeholder collections. Default `1.0.0`. */
  stac_version?: string;
}

/** Options of {@link createJsonTreeWriter}. */
export interface JsonTreeOptions {
  /** Output folder; created when missing. Every file is written inside it. */
  root: string;
  /** The root catalog's id, title, description and `stac_version`. */
  catalog?: JsonTreeCatalogOptions;
  /**
   * `collection` (default): `catalog.json` → `<collection>/collection.json` →
   * `<collection>/<item>/<item>.json`. `catalog`: every item sits under the
   * root catalog in `<item>/<item>.json`; collections are still written and
   * linked as children, and items keep a `collection` link to theirs.
   */
  organizeBy?: OrganizeBy;
  /**
   * Public URL of the root folder. When set, the catalog is "absolute
   * published" (pystac's `ABSOLUTE_PUBLISHED`): every object has an absolute
   * `self` link (`<baseUrl><path>`) and every `root`, `parent`, `child`,
   * `item` and `collection` link is absolute too. Default: none, a
   * self-contained catalog (pystac's `SELF_CONTAINED`): no `self` links and
   * relative structural links, so the folder can be moved or copied anywhere.
   * STAC 1.1.0 requires an absolute `self` href, which is why a relative one
   * is never written.
   */
  baseUrl?: string;
  /** 2-space indented JSON with a trailing newline (true) or one line per file (false). Default true. */
  pretty?: boolean;
  /**
   * Items whose `collection` was never written. `link-from-root` (default):
   * they stay in `<collection>/<item>/` but are linked from the root catalog,
   * and their `collection` member and link are removed (STAC allows the
   * member only with the link); the ids are reported in
   * `missingCollections`. `placeholder`: a minimal `collection.json` is made
   * from the items' bbox and datetimes, and everything is linked as usual.
   */
  missingCollections?: MissingCollectionPolicy;
  /** Most item files being written at once. Default 8. */
  concurrency?: number;
  /** Flush every file to disk before renaming it into place. Default false. */
  fsync?: boolean;
}

/** A collection that items referenced but that was never written. */
export interface MissingCollection {
  /** The collection id the items named. */
  id: string;
  /** How many items named it. */
  items: number;
}

/** What {@link JsonTreeWriter.finish} reports. */
export interface JsonTreeResult extends WriterResult {
  /** Collections referenced by items but never written, with placeholders or not. */
  missingCollections: MissingCollection[];
  /** Ids of the collections written as placeholders (`missingCollections: 'placeholder'`). */
  placeholderCollections: string[];
}

/** Writes a static STAC catalog as a tree of JSON files. */
export interface JsonTreeWriter extends Sink<StacItem> {
  /** Absolute output folder. */
  readonly root: string;
  /**
   * Writes a collection to `<collection>/collection.json` and returns that
   * path (relative to the root). Its item links are added by `finish()`. A
   * second collection with the same id is dropped and reported.
   */
  writeCollection(collection: StacCollection): Promise<string>;
  /**
   * Writes an item as it arrives and returns its path relative to the root.
   * A second item with the same id in the same collection is not written
   * (the first wins): the call returns the first one's path and the
   * duplicate is reported by `finish()`. Throws `SCM_OUTPUT_INVALID` for a
   * value that is not an item, `SCM_OUTPUT_WRITE` when the file system refuses.
   */
  writeItem(item: StacItem): Promise<string>;
  /**
   * Waits for pending writes, writes `catalog.json` and every
   * `collection.json` with their final links, and reports what was written.
   * Calling it again returns the same result; writing after it throws `SCM_USAGE`.
   */
  finish(): Promise<JsonTreeResult>;
  /** Writes every item of `items` (up to `concurrency` at once), then calls `finish()`. */
  write(
    items: AsyncIterable<StacItem> | Iterable<StacItem>,
    options?: StreamOptions,
  ): Promise<JsonTreeResult>;
}

interface CollectionEntry {
  id: string;
  /** Folder name under the root. */
  folder: string;
  written: boolean;
  title?: string;
  /** Item folder names inside the collection folder (organizeBy `collection` only). */
  items?: NameRegistry;
  /** Items written that name this collection. */
  itemCount: number;
  extent: ExtentAccumulator;
}

const COLLECTION_KEY = 'c';
const ITEM_KEY = 'i';

/** Key of an item folder directly under the root: the collection is part of it, since ids repeat across collections. */
function rootItemKey(collection: string | undefined, id: string): string {
  const c = collection ?? '';
  return `${ITEM_KEY}${c.length}:${c}${id}`;
}

function parseRootItemKey(key: string): { collection: string | undefined; id: string } {
  const colon = key.indexOf(':');
  const length = Number(key.slice(1, colon));
  const collection = key.slice(colon + 1, colon + 1 + length);
  return { collection: collection === '' ? undefined : collection, id: key.slice(colon + 1 + length) };
}

function rootPlainName(key: string): string {
  return safePathSegment(key.startsWith(COLLECTION_KEY) ? key.slice(1) : parseRootItemKey(key).id);
}

function collectionOf(item: StacItem): string | undefined {
  return typeof item.collection === 'string' && item.collection !== '' ? item.collection : undefined;
}

function invalid(message: string): ScmError {
  return new ScmError('SCM_OUTPUT_INVALID', message);
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ScmError('SCM_OUTPUT_WRITE', `cannot read back "${path}": ${errorMessage(error)}`, {
      cause: error,
      details: { path },
    });
  }
}

function normaliseBaseUrl(baseUrl: string | undefined): string | undefined {
  if (baseUrl === undefined) return undefined;
  try {
    new URL(baseUrl);
  } catch {
    throw new ScmError('SCM_CONFIG_INVALID', `baseUrl "${baseUrl}" is not an absolute URL`, {
      details: { baseUrl },
    });
  }
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}

/**
 * Creates a writer for a static STAC catalog laid out as the STAC best
 * practices describe. Items are written as they arrive; only their ids are
 * kept (one map entry per item) to write the catalog and collection links at
 * the end. Without `baseUrl` the catalog is self-contained (no `self` links,
 * relative hrefs); with it, every link the writer sets is absolute. Folder and file names come from
 * {@link safePathSegment}, and every path is checked to be inside `root`.
 */
export function createJsonTreeWriter(options: JsonTreeOptions): JsonTreeWriter {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new ScmError('SCM_CONFIG_INVALID', 'the JSON tree writer needs a root folder');
  }
  const root = resolve(options.root);
  const layout: OrganizeBy = options.organizeBy ?? 'collection';
  if (layout !== 'collection' && layout !== 'catalog') {
    throw new ScmError(
      'SCM_CONFIG_INVALID',
      `organizeBy must be "collection" or "catalog", got "${String(layout)}"`,
    );
  }
  const policy: MissingCollectionPolicy = options.missingCollections ?? 'link-from-root';
  if (policy !== 'link-from-root' && policy !== 'placeholder') {
    throw new ScmError(
      'SCM_CONFIG_INVALID',
      `missingCollections must be "link-from-root" or "placeholder", got "${String(policy)}"`,
    );
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ScmError('SCM_CONFIG_INVALID', `concurrency must be a positive integer, got ${concurrency}`);
  }
  const baseUrl = normaliseBaseUrl(options.baseUrl);
  const pretty = options.pretty ?? true;
  const fsync = options.fsync ?? false;
  const catalogOptions = options.catalog ?? {};
  const stacVersion = catalogOptions.stac_version ?? '1.0.0';
  const limit = createLimiter(concurrency);

  const rootNames = new NameRegistry(rootPlainName);
  const collections = new Map<string, CollectionEntry>();
  const duplicates: DuplicateRecord[] = [];
  const pending = new Set<Promise<unknown>>();
  let itemsWritten = 0;
  let finishing: Promise<JsonTreeResult> | undefined;

  /** Href of a structural link to `target` (a path from the root): `relative` in a self-contained catalog, absolute when published. */
  const href = (relative: string, target: string): string => (baseUrl ? `${baseUrl}${target}` : relative);
  /** The `self` link of the file at `path`: only a published catalog has one (see `baseUrl`). */
  const selfLinks = (path: string, type: string): StacLink[] =>
    baseUrl ? [makeLink('self', `${baseUrl}${path}`, type)] : [];
  const writeOptions = { pretty, fsync };

  const assertOpen = (): void => {
    if (finishing) throw new ScmError('SCM_USAGE', 'the JSON tree writer is finished; create a new one');
  };

  const track = <T>(promise: Promise<T>): Promise<T> => {
    pending.add(promise);
    const forget = (): void => {
      pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  };

  const ensureCollection = (id: string): CollectionEntry => {
    let entry = collections.get(id);
    if (!entry) {
      const { name } = rootNames.claim(`${COLLECTION_KEY}${id}`);
      entry = { id, folder: name, written: false, itemCount: 0, extent: new ExtentAccumulator() };
      if (layout === 'collection') entry.items = new NameRegistry((key) => safePathSegment(key));
      collections.set(id, entry);
    }
    return entry;
  };

  /** Path of an item relative to the root, and the prefix that leads from its folder back to the root. */
  const itemPlace = (entry: CollectionEntry | undefined, name: string): { path: string; up: string } =>
    entry?.items
      ? { path: `${entry.folder}/${name}/${name}.json`, up: '../../' }
      : { path: `${name}/${name}.json`, up: '../' };

  const itemLinks = (
    source: unknown,
    place: { path: string; up: string },
    entry: CollectionEntry | undefined,
    attached: boolean,
  ): StacLink[] => {
    const catalogHref = href(`${place.up}catalog.json`, 'catalog.json');
    const links = [...selfLinks(place.path, GEOJSON_TYPE), makeLink('root', catalogHref, JSON_TYPE)];
    if (entry && attached) {
      const collectionPath = `${entry.folder}/collection.json`;
      const collectionHref = href(
        entry.items ? '../collection.json' : `../${collectionPath}`,
        collectionPath,
      );
      links.push(makeLink('parent', entry.items ? collectionHref : catalogHref, JSON_TYPE));
      links.push(makeLink('collection', collectionHref, JSON_TYPE));
    } else {
      links.push(makeLink('parent', catalogHref, JSON_TYPE));
    }
    return [...links, ...keptLinks(source)];
  };

  const collectionHead = (entry: CollectionEntry): StacLink[] => [
    ...selfLinks(`${entry.folder}/collection.json`, JSON_TYPE),
    makeLink('root', href('../catalog.json', 'catalog.json'), JSON_TYPE),
    makeLink('parent', href('../catalog.json', 'catalog.json'), JSON_TYPE),
  ];

  function* collectionItemLinks(entry: CollectionEntry): Generator<StacLink> {
    if (!entry.items) return;
    for (const { name } of entry.items.entries())
      yield makeLink(
        'item',
        href(`./${name}/${name}.json`, `${entry.folder}/${name}/${name}.json`),
        GEOJSON_TYPE,
      );
  }

  const writeCollection = async (collection: StacCollection): Promise<string> => {
    assertOpen();
    if (!isStacCollection(collection)) {
      throw invalid('writeCollection expects a STAC Collection (type "Collection" with a string id)');
    }
    const entry = ensureCollection(collection.id);
    const path = `${entry.folder}/collection.json`;
    if (entry.written) {
      duplicates.push({ type: 'Collection', id: collection.id });
      return path;
    }
    entry.written = true;
    if (typeof collection.title === 'string') entry.title = collection.title;
    const target = assertInside(root, path);
    const value = { ...collection, links: [...collectionHead(entry), ...keptLinks(collection.links)] };
    try {
      await track(writeJsonAtomic(target, value, writeOptions));
    } catch (error) {
      entry.written = false;
      throw error;
    }
    return path;
  };

  const writeItem = async (item: StacItem): Promise<string> => {
    assertOpen();
    if (!isStacItem(item)) throw invalid('writeItem expects a STAC Item (type "Feature" with a string id)');
    const collectionId = collectionOf(item);
    const entry = collectionId === undefined ? undefined : ensureCollection(collectionId);
    const registry = entry?.items ?? rootNames;
    const key = entry?.items ? item.id : rootItemKey(collectionId, item.id);
    const { name, isNew } = registry.claim(key);
    const place = itemPlace(entry, name);
    if (!isNew) {
      const duplicate: DuplicateRecord = { type: 'Feature', id: item.id };
      if (collectionId !== undefined) duplicate.collection = collectionId;
      duplicates.push(duplicate);
      return place.path;
    }
    const target = assertInside(root, place.path);
    const value = { ...item, links: itemLinks(item.links, place, entry, true) };
    try {
      await track(limit(() => writeJsonAtomic(target, value, writeOptions)));
    } catch (error) {
      registry.release(key);
      throw error;
    }
    itemsWritten += 1;
    if (entry) {
      entry.itemCount += 1;
      entry.extent.add(item);
    }
    return place.path;
  };

  /** Rewrites an item of a collection that never came so that it hangs from the root catalog. */
  const detachItem = async (entry: CollectionEntry, name: string): Promise<void> => {
    const place = itemPlace(entry, name);
    const target = assertInside(root, place.path);
    const { collection: _dropped, ...rest } = await readJsonFile(target);
    const value = { ...rest, links: itemLinks(rest.links, place, entry, false) };
    await writeJsonAtomic(target, value, writeOptions);
  };

  const writeCollectionFile = async (entry: CollectionEntry): Promise<void> => {
    const target = assertInside(root, `${entry.folder}/collection.json`);
    let value: Record<string, unknown>;
    if (entry.written) {
      value = await readJsonFile(target);
    } else {
      value = {
        type: 'Collection',
        stac_version: stacVersion,
        id: entry.id,
        description: `Placeholder for collection "${entry.id}": items named it, but the collection itself was not provided.`,
        license: 'other',
        extent: entry.extent.toExtent(),
      };
    }
    const kept = keptLinks(value.links);
    const links = (function* () {
      yield* collectionHead(entry);
      yield* kept;
      yield* collectionItemLinks(entry);
    })();
    await writeStacWithLinksAtomic(target, { ...value, links: [] }, links, writeOptions);
  };

  const run = async (): Promise<JsonTreeResult> => {
    await Promise.allSettled([...pending]);
    const files: string[] = [];
    const children: StacLink[] = [];
    const rootItems: string[] = [];
    const missing: { id: string; items: number }[] = [];
    const placeholders: string[] = [];
    let collectionFiles = 0;

    for (const entry of collections.values()) {
      if (!entry.written && entry.itemCount === 0) continue; // claimed by items that all failed to write
      if (!entry.written) missing.push({ id: entry.id, items: entry.itemCount });
      const detach = !entry.written && policy === 'link-from-root';
      if (!detach) {
        await writeCollectionFile(entry);
        if (!entry.written) placeholders.push(entry.id);
        collectionFiles += 1;
        files.push(`${entry.folder}/collection.json`);
        const childPath = `${entry.folder}/collection.json`;
        children.push(makeLink('child', href(`./${childPath}`, childPath), JSON_TYPE, entry.title));
      }
      if (!entry.items) continue;
      for (const { name } of entry.items.entries()) {
        const path = `${entry.folder}/${name}/${name}.json`;
        files.push(path);
        if (detach) {
          await limit(() => detachItem(entry, name));
          rootItems.push(path);
        }
      }
    }

    const detachedCollections = new Set(missing.map((m) => m.id));
    for (const { key, name } of rootNames.entries()) {
      if (!key.startsWith(ITEM_KEY)) continue;
      const path = `${name}/${name}.json`;
      files.push(path);
      rootItems.push(path);
      const { collection } = parseRootItemKey(key);
      if (collection !== undefined && policy === 'link-from-root' && detachedCollections.has(collection)) {
        await limit(() => detachItem(collections.get(collection)!, name));
      }
    }

    const catalog: Record<string, unknown> = {
      type: 'Catalog',
      stac_version: stacVersion,
      id: catalogOptions.id ?? 'catalog',
    };
    if (catalogOptions.title !== undefined) catalog.title = catalogOptions.title;
    catalog.description = catalogOptions.description ?? 'STAC catalog';
    const catalogLinks = (function* () {
      yield* selfLinks('catalog.json', JSON_TYPE);
      yield makeLink('root', href('./catalog.json', 'catalog.json'), JSON_TYPE);
      yield* children;
      for (const path of rootItems) yield makeLink('item', href(`./${path}`, path), GEOJSON_TYPE);
    })();
    await writeStacWithLinksAtomic(assertInside(root, 'catalog.json'), catalog, catalogLinks, writeOptions);
    files.unshift('catalog.json');

    return {
      written: itemsWritten,
      collections: collectionFiles,
      files,
      duplicatesDropped: duplicates.length,
      duplicates: [...duplicates],
      missingCollections: missing,
      placeholderCollections: placeholders,
    };
  };

  const finish = (): Promise<JsonTreeResult> => {
    finishing ??= run();
    return finishing;
  };

  return {
    name: `json-tree:${root}`,
    root,
    writeCollection,
    writeItem,
    finish,
    async write(items, streamOptions = {}) {
      const writes = mapConcurrent(items, (item) => writeItem(item), {
        concurrency,
        ordered: false,
        signal: streamOptions.signal,
      });
      for await (const _ of writes) {
        // each write resolves to its path; nothing more to do per item
      }
      return finish();
    },
  };
}
