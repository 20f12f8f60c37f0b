import type { HttpClient, Logger, StacCollection, StacExtent } from '@scm/core';

/** Which collections to keep. Every filter given must match; none given keeps everything. */
export interface CollectionFilters {
  /** Collection ids or wildcard patterns (`HLS*`, `10.3334/*`); `*` also matches `/`. Case-sensitive. */
  ids?: readonly string[];
  /**
   * Provider names or patterns. At a root that lists provider catalogs (CMR-STAC), they select those
   * catalogs by id, so the others are never fetched; elsewhere they match a name in the
   * collection's `providers`.
   */
  providers?: readonly string[];
  /**
   * RFC 3339 instant or interval `start/end` (`..` or empty for an open end; a date alone means that
   * whole UTC day). Keeps collections whose temporal extent overlaps it.
   */
  datetime?: string;
  /** `[west, south, east, north]` (west > east crosses the antimeridian). Keeps collections whose spatial extent overlaps it. */
  bbox?: readonly number[];
}

/** Options of {@link discoverCollections}. */
export interface DiscoverOptions extends CollectionFilters {
  /** Root URL: a STAC API landing page, a catalog of provider catalogs (CMR-STAC), a static catalog, or one collection. */
  url: string;
  /** HTTP client (`createHttpClient` from `@scm/http`); it owns retries, rate limits and timeouts. */
  http: HttpClient;
  /** Catalog documents fetched at once while walking child catalogs. Default 4. */
  concurrency?: number;
  /** `limit` asked of collection list endpoints whose URL has none. Default 100 (CMR-STAC's cap). */
  pageSize?: number;
  /** How many child-catalog levels to walk below the root. Default 8. */
  maxDepth?: number;
  /** Logger; default silent. */
  logger?: Logger;
  /** Aborts the walk. */
  signal?: AbortSignal;
}

/** One discovered collection, with where it lives and how to reach its items. */
export interface CollectionRef {
  /** Collection id. */
  id: string;
  /** Title, when the collection has one. */
  title?: string;
  /** Description. */
  description?: string;
  /** Spatial and temporal extent, as the server gives it. */
  extent?: StacExtent;
  /** The provider catalog it was found under (CMR-STAC's `LPCLOUD`), when the root lists providers. */
  provider?: string;
  /** Absolute URL of the collection document (its `self` link, else where it was read). */
  url: string;
  /** Absolute URL of its items (`rel=items`), when it has one. */
  itemsUrl?: string;
  /** The catalog or API that listed it. */
  parentUrl: string;
  /** Item search endpoint of the API that serves it (`rel=search`), when there is one. */
  searchUrl?: string;
  /** The collection document itself. */
  collection: StacCollection;
}

/** A request that failed (after the HTTP client's retries) and the part of the walk it cut off. */
export interface DiscoveryFailure {
  /** URL that failed. */
  url: string;
  /** What was being read: `catalog`, `collections page` or `collection`. */
  what: string;
  /** Error code (`SCM_HTTP_STATUS`, …) or `SCM_INPUT_UNSUPPORTED` for a document that is not STAC. */
  code: string;
  /** Message. */
  message: string;
  /** HTTP status, when the server answered. */
  status?: number;
}

/** What {@link discoverCollections} found. */
export interface DiscoveryResult {
  /** Matching collections in the order found, each once (by id and URL). */
  collections: CollectionRef[];
  /** Requests that failed; the rest of the walk went on without them. */
  failures: DiscoveryFailure[];
  /** Literal ids of the `ids` filter that no catalog had. */
  missingIds: string[];
  /** Catalogs skipped as virtual aggregates of their siblings (CMR-STAC's `ALL`). */
  skippedVirtual: string[];
  /** Documents and pages requested. */
  requests: number;
}
