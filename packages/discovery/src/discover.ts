import {
  type HttpRequest,
  isPlainObject,
  isScmError,
  isStacCatalog,
  isStacCollection,
  type Logger,
  mapConcurrent,
  noopLogger,
  ScmError,
  type StacCollection,
} from '@scm/core';
import { type CompiledFilters, compileFilters } from './filters.js';
import {
  collectionsEndpoint,
  collectionUrl,
  getHref,
  hrefsOf,
  isSearchable,
  nextRequest,
  requestKey,
  withLimit,
} from './links.js';
import type { CollectionRef, DiscoverOptions, DiscoveryFailure, DiscoveryResult } from './types.js';

/** A catalog or collection document to visit, with how the walk reached it. */
interface WalkNode {
  url: string;
  depth: number;
  parentUrl: string;
  /** The provider catalog above it, when the root lists providers. */
  provider?: string;
  /** The document, once read, and the URL it was read from (after redirects). */
  document?: unknown;
  base?: string;
}

/** Where a list of collections came from, for the refs built from it. */
interface ListContext {
  node: WalkNode;
  /** The catalog the collection belongs to. */
  parentUrl: string;
  listUrl: string;
  searchUrl?: string;
}

/**
 * Walks a STAC API or static catalog from `options.url` and returns the
 * collections that pass the filters.
 *
 * - A catalog with a collections endpoint (`rel=data`, as STAC API landing
 *   pages and CMR-STAC provider catalogs have) is listed through it, page by
 *   page along `rel=next`; its child links are then not followed (the
 *   endpoint lists the same collections with their full documents). With only
 *   literal ids to find, each is read directly at `…/collections/<id>`.
 * - Otherwise its `child` links are followed (and the catalog's own `next`
 *   pages of children), level by level, `concurrency` documents at a time.
 * - A child catalog without item search whose siblings have it is a virtual
 *   aggregate (CMR-STAC's `ALL`) and is skipped unless `providers` names it.
 *
 * A request that fails after the client's retries is reported in `failures`
 * and the walk goes on; only an unreadable root throws.
 */
export async function discoverCollections(options: DiscoverOptions): Promise<DiscoveryResult> {
  const walk = new CollectionWalk(options, compileFilters(options));
  return walk.run();
}

class CollectionWalk {
  private readonly logger: Logger;
  private readonly seenCollections = new Set<string>();
  private readonly visited = new Set<string>();
  private readonly found = new Set<string>();
  private providerCatalogs = false;
  private readonly result: DiscoveryResult = {
    collections: [],
    failures: [],
    missingIds: [],
    skippedVirtual: [],
    requests: 0,
  };

  constructor(
    private readonly options: DiscoverOptions,
    private readonly filters: CompiledFilters,
  ) {
    this.logger = options.logger ?? noopLogger;
  }

  async run(): Promise<DiscoveryResult> {
    const root = await this.readRoot();
    let level: WalkNode[] = [root];
    while (level.length > 0) {
      const next: WalkNode[] = [];
      for await (const children of mapConcurrent(level, (node) => this.visit(node), {
        concurrency: this.options.concurrency ?? 4,
        ordered: true,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      })) {
        next.push(...children);
      }
      level = await this.readLevel(next);
    }
    this.result.missingIds = (this.filters.ids?.literals ?? []).filter((id) => !this.found.has(id));
    return this.result;
  }

  /** Reads the root; unlike any other document, a root that cannot be read ends the run. */
  private async readRoot(): Promise<WalkNode> {
    const { url } = this.options;
    const response = await this.get({ url });
    if (!isStacCatalog(response.body) && !isStacCollection(response.body) && !isPlainObject(response.body)) {
      throw new ScmError(
        'SCM_INPUT_UNSUPPORTED',
        `${url}: not a STAC catalog, collection or API landing page`,
      );
    }
    this.visited.add(url).add(response.url);
    this.providerCatalogs = collectionsEndpoint(response.body, response.url) === undefined;
    return { url, depth: 0, parentUrl: url, document: response.body, base: response.url };
  }

  /** Reads the documents of the next level, then drops virtual aggregates and unselected providers. */
  private async readLevel(nodes: WalkNode[]): Promise<WalkNode[]> {
    const read: WalkNode[] = [];
    for await (const node of mapConcurrent(nodes, (n) => this.readNode(n), {
      concurrency: this.options.concurrency ?? 4,
      ordered: true,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    })) {
      if (node) read.push(node);
    }
    return this.selectProviders(this.dropVirtual(read));
  }

  private async readNode(node: WalkNode): Promise<WalkNode | undefined> {
    const response = await this.tryGet({ url: node.url }, 'catalog');
    if (!response) return undefined;
    if (!isStacCatalog(response.body) && !isStacCollection(response.body)) {
      this.fail({
        url: node.url,
        what: 'catalog',
        code: 'SCM_INPUT_UNSUPPORTED',
        message: 'not a STAC catalog or collection',
      });
      return undefined;
    }
    this.visited.add(response.url);
    const providerCatalog = node.depth === 1 && this.providerCatalogs && isStacCatalog(response.body);
    const provider = providerCatalog ? (response.body.id as string) : node.provider;
    return { ...node, document: response.body, base: response.url, ...(provider ? { provider } : {}) };
  }

  /** Siblings under one parent: a catalog without item search among searchable siblings only aggregates them. */
  private dropVirtual(nodes: WalkNode[]): WalkNode[] {
    const searchableParents = new Set(
      nodes.filter((n) => isStacCatalog(n.document) && isSearchable(n.document)).map((n) => n.parentUrl),
    );
    return nodes.filter((node) => {
      const virtual =
        isStacCatalog(node.document) && !isSearchable(node.document) && searchableParents.has(node.parentUrl);
      if (!virtual || this.namedProvider(node)) return true;
      this.result.skippedVirtual.push(node.url);
      this.logger.info('skipping a virtual catalog: its siblings serve the same collections', {
        url: node.url,
      });
      return false;
    });
  }

  private namedProvider(node: WalkNode): boolean {
    const providers = this.filters.providers;
    if (!providers || !isPlainObject(node.document)) return false;
    const { id } = node.document;
    return typeof id === 'string' && providers.matches(id);
  }

  /** At a root of provider catalogs, the providers filter picks catalogs so the others are never walked. */
  private selectProviders(nodes: WalkNode[]): WalkNode[] {
    if (!this.filters.providers || !this.providerCatalogs) return nodes;
    return nodes.filter(
      (node) => node.depth !== 1 || isStacCollection(node.document) || this.namedProvider(node),
    );
  }

  /** Handles one read document and returns the child nodes to read next. */
  private async visit(node: WalkNode): Promise<WalkNode[]> {
    const { document, base = node.url } = node;
    if (isStacCollection(document)) {
      this.accept(document, { node, parentUrl: node.parentUrl, listUrl: base }, base, base);
      return this.childNodes(node, hrefsOf(document, 'child', base));
    }
    // A root that is itself a collections list (STAC Index lists some APIs by such a URL) is its own endpoint.
    const listed = node.depth === 0 && isPlainObject(document) && Array.isArray(document.collections);
    const endpoint = listed ? base : collectionsEndpoint(document, base);
    if (endpoint) {
      const searchUrl = getHref(document, 'search', base);
      const context: ListContext = { node, parentUrl: base, listUrl: endpoint };
      if (searchUrl) context.searchUrl = searchUrl;
      await this.listEndpoint(endpoint, context);
      return [];
    }
    return this.childNodes(node, await this.pagedChildren(node));
  }

  private childNodes(node: WalkNode, hrefs: string[]): WalkNode[] {
    if (node.depth >= (this.options.maxDepth ?? 8)) return [];
    return hrefs
      .filter((href) => !this.visited.has(href))
      .map((href) => {
        this.visited.add(href);
        const child: WalkNode = { url: href, depth: node.depth + 1, parentUrl: node.url };
        if (node.provider) child.provider = node.provider;
        return child;
      });
  }

  /** A catalog's child links, including those on its own `next` pages (CMR-STAC pages provider children by 100). */
  private async pagedChildren(node: WalkNode): Promise<string[]> {
    const base = node.base ?? node.url;
    const hrefs = hrefsOf(node.document, 'child', base);
    for await (const page of this.pages(nextRequest(node.document, base, { url: base }), 'catalog page')) {
      const more = hrefsOf(page.body, 'child', page.url);
      if (more.length === 0) break;
      hrefs.push(...more);
    }
    return [...new Set(hrefs)];
  }

  private async listEndpoint(endpoint: string, context: ListContext): Promise<void> {
    const ids = this.filters.ids;
    if (ids?.allLiteral) {
      for (const id of ids.literals) await this.readCollection(collectionUrl(endpoint, id), context);
      return;
    }
    const first: HttpRequest = { url: withLimit(endpoint, this.options.pageSize ?? 100) };
    for await (const page of this.pages(first, 'collections page')) {
      const collections = isPlainObject(page.body) ? page.body.collections : undefined;
      if (!Array.isArray(collections)) {
        this.fail({
          url: page.url,
          what: 'collections page',
          code: 'SCM_INPUT_UNSUPPORTED',
          message: 'no "collections" array',
        });
        return;
      }
      for (const collection of collections) {
        if (
          isStacCollection(collection) ||
          (isPlainObject(collection) && typeof collection.id === 'string')
        ) {
          this.accept(collection as StacCollection, context, page.url);
        }
      }
      if (collections.length === 0) return;
    }
  }

  /** Reads one collection by URL; a 404 only means this catalog does not have it. */
  private async readCollection(url: string, context: ListContext): Promise<void> {
    try {
      const response = await this.get({ url });
      if (isStacCollection(response.body)) this.accept(response.body, context, response.url, response.url);
    } catch (error) {
      if (isScmError(error) && error.details?.status === 404) {
        this.logger.debug('collection not in this catalog', { url });
        return;
      }
      this.recordError(url, 'collection', error);
    }
  }

  /**
   * Pages from `first` along `rel=next`, stopping at a page without a next
   * link, a failed page (reported) or a request seen before (a loop).
   */
  private async *pages(
    first: HttpRequest | undefined,
    what: string,
  ): AsyncGenerator<{ url: string; body: unknown }> {
    const seen = new Set<string>();
    let request = first;
    while (request) {
      const key = requestKey(request);
      if (seen.has(key)) {
        this.logger.warn('next link repeats an earlier page; stopping this list', { url: request.url });
        return;
      }
      seen.add(key);
      const response = await this.tryGet(request, what);
      if (!response) return;
      yield { url: response.url, body: response.body };
      request = nextRequest(response.body, response.url, request);
    }
  }

  /** Keeps a collection once (by id and URL) if it passes the filters; `readFrom` is set when it was read on its own. */
  private accept(collection: StacCollection, context: ListContext, base: string, readFrom?: string): void {
    const url =
      readFrom ?? getHref(collection, 'self', base) ?? collectionUrl(context.listUrl, collection.id);
    const key = `${collection.id}\u0000${url}`;
    if (this.seenCollections.has(key)) return;
    this.seenCollections.add(key);
    const providerChecked = this.providerCatalogs && context.node.provider !== undefined;
    if (!this.filters.accepts(collection, providerChecked)) return;
    this.found.add(collection.id);
    this.result.collections.push(toRef(collection, url, base, context));
  }

  private async get(request: HttpRequest): Promise<{ url: string; body: unknown }> {
    this.result.requests += 1;
    this.logger.debug('GET', { url: request.url, method: request.method ?? 'GET' });
    const signal = this.options.signal;
    const response = await this.options.http.json({ ...request, ...(signal ? { signal } : {}) });
    return { url: response.url || request.url, body: response.body };
  }

  private async tryGet(
    request: HttpRequest,
    what: string,
  ): Promise<{ url: string; body: unknown } | undefined> {
    try {
      return await this.get(request);
    } catch (error) {
      this.recordError(request.url, what, error);
      return undefined;
    }
  }

  private recordError(url: string, what: string, error: unknown): void {
    if (!isScmError(error) || error.code === 'SCM_ABORTED') throw error;
    const failure: DiscoveryFailure = { url, what, code: error.code, message: error.message };
    const status = error.details?.status;
    if (typeof status === 'number') failure.status = status;
    this.fail(failure);
  }

  private fail(failure: DiscoveryFailure): void {
    this.logger.warn(`could not read a ${failure.what}; going on without it`, { ...failure });
    this.result.failures.push(failure);
  }
}

function toRef(collection: StacCollection, url: string, base: string, context: ListContext): CollectionRef {
  const ref: CollectionRef = {
    id: collection.id,
    url,
    parentUrl: context.parentUrl,
    collection,
  };
  if (typeof collection.title === 'string') ref.title = collection.title;
  if (typeof collection.description === 'string') ref.description = collection.description;
  if (isPlainObject(collection.extent)) ref.extent = collection.extent;
  if (context.node.provider) ref.provider = context.node.provider;
  const itemsUrl = getHref(collection, 'items', base);
  if (itemsUrl) ref.itemsUrl = itemsUrl;
  if (context.searchUrl) ref.searchUrl = context.searchUrl;
  return ref;
}
