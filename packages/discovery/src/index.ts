/**
 * `@scm/discovery`: find the collections of a STAC API or a static catalog
 * over HTTP (child catalogs, paged collection lists, CMR-STAC's provider
 * catalogs) and filter them by id, provider, time and space.
 */
export { discoverCollections } from './discover.js';
export type { TimeRange } from './filters.js';
export { parseBboxFilter, parseDatetimeRange } from './filters.js';
export type { CollectionSummary } from './format.js';
export { CSV_COLUMNS, formatCollections, summarizeCollection } from './format.js';
export type {
  CollectionFilters,
  CollectionRef,
  DiscoverOptions,
  DiscoveryFailure,
  DiscoveryResult,
} from './types.js';
