import { readFile, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
import { topLevelString } from '@scm/core/stac-item';
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
  /**
   * Update a tree written before, in place: a file whose new bytes equal the
   * old ones is left as it is (mtime kept), and collection files are written
   * once, by `finish()`. Default false.
   */
  keepIdentical?: boolean;
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
   * Counts an item already in the tree (written by an earlier run) as if it
   * had been written now, without touching its file: its collection links it.
   * Returns its path relative to the root.
   */
  keepItem(item: { id: string; collection?: string | undefined }): string;
  /**
   * Removes the folder of an item written by an earlier run (`<item>/`, with
   * everything in it), after checking its file holds that id. Resolves to the
   * path removed, or undefined when no such item file is there.
   */
  removeItem(item: { id: string; collection?: string | undefined }): Promise<string | undefined>;
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
  /** The collection to write at `finish()` (option `keepIdentical`). */
  pending?: StacCollection;
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

/** The checked options, with their defaults. */
interface TreeConfig {
  root: string;
  layout: OrganizeBy;
  policy: MissingCollectionPolicy;
  concurrency: number;
  baseUrl: string | undefined;
  writeOptions: { pretty: boolean; fsync: boolean; keepIdentical: boolean };
  catalog: JsonTreeCatalogOptions;
  stacVersion: string;
}

function resolveTreeConfig(options: JsonTreeOptions): TreeConfig {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw new ScmError('SCM_CONFIG_INVALID', 'the JSON tree writer needs a root folder');
  }
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
  const catalog = options.catalog ?? {};
  return {
    root: resolve(options.root),
    layout,
    policy,
    concurrency,
    baseUrl: normaliseBaseUrl(options.baseUrl),
    writeOptions: {
      pretty: options.pretty ?? true,
      fsync: options.fsync ?? false,
      keepIdentical: options.keepIdentical ?? false,
    },
    catalog,
    stacVersion: catalog.stac_version ?? '1.0.0',
  };
}

/** Where an item file sits: its path from the root, and the prefix that leads from its folder back to the root. */
interface ItemPlace {
  path: string;
  up: string;
}

/** The links the writer sets, relative in a self-contained catalog and absolute when published. */
class TreeLinks {
  constructor(private readonly baseUrl: string | undefined) {}

  /** Href of a structural link to `target` (a path from the root): `relative` in a self-contained catalog, absolute when published. */
  href(relative: string, target: string): string {
    return this.baseUrl ? `${this.baseUrl}${target}` : relative;
  }

  /** The `self` link of the file at `path`: only a published catalog has one (see `baseUrl`). */
  self(path: string, type: string): StacLink[] {
    return this.baseUrl ? [makeLink('self', `${this.baseUrl}${path}`, type)] : [];
  }

  /** An item's links: `attached` items point at their collection, the others at the root catalog. */
  item(source: unknown, place: ItemPlace, entry: CollectionEntry | undefined, attached: boolean): StacLink[] {
    const catalogHref = this.href(`${place.up}catalog.json`, 'catalog.json');
    const links = [...this.self(place.path, GEOJSON_TYPE), makeLink('root', catalogHref, JSON_TYPE)];
    if (entry && attached) {
      const collectionPath = `${entry.folder}/collection.json`;
      const collectionHref = this.href(
        entry.items ? '../collection.json' : `../${collectionPath}`,
        collectionPath,
      );
      links.push(makeLink('parent', entry.items ? collectionHref : catalogHref, JSON_TYPE));
      links.push(makeLink('collection', collectionHref, JSON_TYPE));
    } else {
      links.push(makeLink('parent', catalogHref, JSON_TYPE));
    }
    return [...links, ...keptLinks(source)];
  }

  /** The links every collection file starts with. */
  collectionHead(entry: CollectionEntry): StacLink[] {
    return [
      ...this.self(`${entry.folder}/collection.json`, JSON_TYPE),
      makeLink('root', this.href('../catalog.json', 'catalog.json'), JSON_TYPE),
      makeLink('parent', this.href('../catalog.json', 'catalog.json'), JSON_TYPE),
    ];
  }

  *collectionItems(entry: CollectionEntry): Generator<StacLink> {
    if (!entry.items) return;
    for (const { name } of entry.items.entries())
      yield makeLink(
        'item',
        this.href(`./${name}/${name}.json`, `${entry.folder}/${name}/${name}.json`),
        GEOJSON_TYPE,
      );
  }

  *catalog(children: StacLink[], rootItems: string[]): Generator<StacLink> {
    yield* this.self('catalog.json', JSON_TYPE);
    yield makeLink('root', this.href('./catalog.json', 'catalog.json'), JSON_TYPE);
    yield* children;
    for (const path of rootItems) yield makeLink('item', this.href(`./${path}`, path), GEOJSON_TYPE);
  }
}

/** What `finish()` gathers while it links the tree. */
interface TreeSummary {
  files: string[];
  children: StacLink[];
  rootItems: string[];
  missing: MissingCollection[];
  placeholders: string[];
  collectionFiles: number;
}

/** The writer's state: the names claimed so far and the writes in flight. */
class JsonTree {
  readonly root: string;
  private readonly links: TreeLinks;
  private readonly limit: ReturnType<typeof createLimiter>;
  private readonly rootNames = new NameRegistry(rootPlainName);
  private readonly collections = new Map<string, CollectionEntry>();
  private readonly duplicates: DuplicateRecord[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private itemsWritten = 0;
  private finishing: Promise<JsonTreeResult> | undefined;

  constructor(private readonly config: TreeConfig) {
    this.root = config.root;
    this.links = new TreeLinks(config.baseUrl);
    this.limit = createLimiter(config.concurrency);
  }

  private assertOpen(): void {
    if (this.finishing) throw new ScmError('SCM_USAGE', 'the JSON tree writer is finished; create a new one');
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = (): void => {
      this.pending.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  private ensureCollection(id: string): CollectionEntry {
    let entry = this.collections.get(id);
    if (!entry) {
      const { name } = this.rootNames.claim(`${COLLECTION_KEY}${id}`);
      entry = { id, folder: name, written: false, itemCount: 0, extent: new ExtentAccumulator() };
      if (this.config.layout === 'collection') entry.items = new NameRegistry((key) => safePathSegment(key));
      this.collections.set(id, entry);
    }
    return entry;
  }

  private itemPlace(entry: CollectionEntry | undefined, name: string): ItemPlace {
    return entry?.items
      ? { path: `${entry.folder}/${name}/${name}.json`, up: '../../' }
      : { path: `${name}/${name}.json`, up: '../' };
  }

  async writeCollection(collection: StacCollection): Promise<string> {
    this.assertOpen();
    if (!isStacCollection(collection)) {
      throw invalid('writeCollection expects a STAC Collection (type "Collection" with a string id)');
    }
    const entry = this.ensureCollection(collection.id);
    const path = `${entry.folder}/collection.json`;
    if (entry.written) {
      this.duplicates.push({ type: 'Collection', id: collection.id });
      return path;
    }
    entry.written = true;
    if (typeof collection.title === 'string') entry.title = collection.title;
    if (this.config.writeOptions.keepIdentical) {
      entry.pending = collection;
      return path;
    }
    const target = assertInside(this.root, path);
    const links = [...this.links.collectionHead(entry), ...keptLinks(collection.links)];
    try {
      await this.track(writeJsonAtomic(target, { ...collection, links }, this.config.writeOptions));
    } catch (error) {
      entry.written = false;
      throw error;
    }
    return path;
  }

  async writeItem(item: StacItem): Promise<string> {
    this.assertOpen();
    if (!isStacItem(item)) throw invalid('writeItem expects a STAC Item (type "Feature" with a string id)');
    const collectionId = collectionOf(item);
    const entry = collectionId === undefined ? undefined : this.ensureCollection(collectionId);
    const registry = entry?.items ?? this.rootNames;
    const key = entry?.items ? item.id : rootItemKey(collectionId, item.id);
    const { name, isNew } = registry.claim(key);
    const place = this.itemPlace(entry, name);
    if (!isNew) {
      const duplicate: DuplicateRecord = { type: 'Feature', id: item.id };
      if (collectionId !== undefined) duplicate.collection = collectionId;
      this.duplicates.push(duplicate);
      return place.path;
    }
    const target = assertInside(this.root, place.path);
    const value = { ...item, links: this.links.item(item.links, place, entry, true) };
    try {
      await this.track(this.limit(() => writeJsonAtomic(target, value, this.config.writeOptions)));
    } catch (error) {
      registry.release(key);
      throw error;
    }
    this.itemsWritten += 1;
    if (entry) {
      entry.itemCount += 1;
      entry.extent.add(item);
    }
    return place.path;
  }

  /** The registry and key an item's name is claimed under. */
  private itemSlot(item: { id: string; collection?: string | undefined }) {
    const collectionId =
      typeof item.collection === 'string' && item.collection !== '' ? item.collection : undefined;
    const entry = collectionId === undefined ? undefined : this.ensureCollection(collectionId);
    const registry = entry?.items ?? this.rootNames;
    const key = entry?.items ? item.id : rootItemKey(collectionId, item.id);
    return { entry, registry, key };
  }

  keepItem(item: { id: string; collection?: string | undefined }): string {
    this.assertOpen();
    const { entry, registry, key } = this.itemSlot(item);
    const { name, isNew } = registry.claim(key);
    if (isNew && entry) entry.itemCount += 1;
    return this.itemPlace(entry, name).path;
  }

  async removeItem(item: { id: string; collection?: string | undefined }): Promise<string | undefined> {
    this.assertOpen();
    const { entry } = this.itemSlot(item);
    const name = safePathSegment(item.id);
    const place = this.itemPlace(entry, name);
    const target = assertInside(this.root, place.path);
    const found = await readFile(target, 'utf8').then(
      (text) => topLevelString(text, 'id'),
      () => undefined,
    );
    if (found !== item.id) return undefined;
    await rm(dirname(target), { recursive: true, force: true });
    return place.path;
  }

  /** Rewrites an item of a collection that never came so that it hangs from the root catalog. */
  private async detachItem(entry: CollectionEntry, name: string): Promise<void> {
    const place = this.itemPlace(entry, name);
    const target = assertInside(this.root, place.path);
    const { collection: _dropped, ...rest } = await readJsonFile(target);
    const value = { ...rest, links: this.links.item(rest.links, place, entry, false) };
    await writeJsonAtomic(target, value, this.config.writeOptions);
  }

  /** Writes a collection file with its final links; a collection never given becomes a placeholder. */
  private async writeCollectionFile(entry: CollectionEntry): Promise<void> {
    const target = assertInside(this.root, `${entry.folder}/collection.json`);
    const value = entry.pending
      ? (entry.pending as unknown as Record<string, unknown>)
      : entry.written
        ? await readJsonFile(target)
        : this.placeholder(entry);
    const kept = keptLinks(value.links);
    const links = this.links;
    const all = (function* () {
      yield* links.collectionHead(entry);
      yield* kept;
      yield* links.collectionItems(entry);
    })();
    await writeStacWithLinksAtomic(target, { ...value, links: [] }, all, this.config.writeOptions);
  }

  private placeholder(entry: CollectionEntry): Record<string, unknown> {
    return {
      type: 'Collection',
      stac_version: this.config.stacVersion,
      id: entry.id,
      description: `Placeholder for collection "${entry.id}": items named it, but the collection itself was not provided.`,
      license: 'other',
      extent: entry.extent.toExtent(),
    };
  }

  /** Writes or detaches one collection and lists its item files. */
  private async linkCollection(entry: CollectionEntry, summary: TreeSummary): Promise<void> {
    if (!entry.written) summary.missing.push({ id: entry.id, items: entry.itemCount });
    const detach = !entry.written && this.config.policy === 'link-from-root';
    if (!detach) {
      await this.writeCollectionFile(entry);
      if (!entry.written) summary.placeholders.push(entry.id);
      summary.collectionFiles += 1;
      const childPath = `${entry.folder}/collection.json`;
      summary.files.push(childPath);
      summary.children.push(
        makeLink('child', this.links.href(`./${childPath}`, childPath), JSON_TYPE, entry.title),
      );
    }
    if (!entry.items) return;
    for (const { name } of entry.items.entries()) {
      const path = `${entry.folder}/${name}/${name}.json`;
      summary.files.push(path);
      if (detach) {
        await this.limit(() => this.detachItem(entry, name));
        summary.rootItems.push(path);
      }
    }
  }

  /** Lists the item folders directly under the root, detaching those whose collection never came. */
  private async linkRootItems(summary: TreeSummary): Promise<void> {
    const detachedCollections = new Set(summary.missing.map((m) => m.id));
    for (const { key, name } of this.rootNames.entries()) {
      if (!key.startsWith(ITEM_KEY)) continue;
      const path = `${name}/${name}.json`;
      summary.files.push(path);
      summary.rootItems.push(path);
      const { collection } = parseRootItemKey(key);
      if (
        collection !== undefined &&
        this.config.policy === 'link-from-root' &&
        detachedCollections.has(collection)
      ) {
        await this.limit(() => this.detachItem(this.collections.get(collection)!, name));
      }
    }
  }

  private async writeCatalog(summary: TreeSummary): Promise<void> {
    const options = this.config.catalog;
    const catalog: Record<string, unknown> = {
      type: 'Catalog',
      stac_version: this.config.stacVersion,
      id: options.id ?? 'catalog',
    };
    if (options.title !== undefined) catalog.title = options.title;
    catalog.description = options.description ?? 'STAC catalog';
    const links = this.links.catalog(summary.children, summary.rootItems);
    const target = assertInside(this.root, 'catalog.json');
    await writeStacWithLinksAtomic(target, catalog, links, this.config.writeOptions);
    summary.files.unshift('catalog.json');
  }

  private async run(): Promise<JsonTreeResult> {
    await Promise.allSettled([...this.pending]);
    const summary: TreeSummary = {
      files: [],
      children: [],
      rootItems: [],
      missing: [],
      placeholders: [],
      collectionFiles: 0,
    };
    for (const entry of this.collections.values()) {
      // an entry claimed by items that all failed to write has nothing to link
      if (entry.written || entry.itemCount > 0) await this.linkCollection(entry, summary);
    }
    await this.linkRootItems(summary);
    await this.writeCatalog(summary);
    return {
      written: this.itemsWritten,
      collections: summary.collectionFiles,
      files: summary.files,
      duplicatesDropped: this.duplicates.length,
      duplicates: [...this.duplicates],
      missingCollections: summary.missing,
      placeholderCollections: summary.placeholders,
    };
  }

  finish(): Promise<JsonTreeResult> {
    this.finishing ??= this.run();
    return this.finishing;
  }
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
  const config = resolveTreeConfig(options);
  const tree = new JsonTree(config);
  const writeItem = (item: StacItem): Promise<string> => tree.writeItem(item);
  const finish = (): Promise<JsonTreeResult> => tree.finish();
  return {
    name: `json-tree:${tree.root}`,
    root: tree.root,
    writeCollection: (collection) => tree.writeCollection(collection),
    writeItem,
    keepItem: (item) => tree.keepItem(item),
    removeItem: (item) => tree.removeItem(item),
    finish,
    async write(items, streamOptions = {}) {
      const writes = mapConcurrent(items, writeItem, {
        concurrency: config.concurrency,
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
