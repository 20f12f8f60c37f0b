export type { ApiEndpoints, FirstPageSpec, ItemsEndpoint } from './api.js';
export { collectionUrl, firstPageRequest, readCollection, readLanding } from './api.js';
export type { HarvestCheckpoint } from './checkpoint.js';
export type { CountOptions } from './count.js';
export { countItems } from './count.js';
export type { IdListing } from './id-listing.js';
export { listItemIds } from './id-listing.js';
export type { SearchCapabilities } from './delta-query.js';
export {
  idsOnlyMembers,
  readConformance,
  searchCapabilities,
  updatedBeforeMembers,
  updatedSinceMembers,
} from './delta-query.js';
export { HarvestState, loadCheckpoint } from './checkpoint.js';
export type {
  CollectionEvent,
  FailureEvent,
  HarvestEvent,
  PageEvent,
  PlanEvent,
  WindowStopEvent,
} from './events.js';
export type { FetchItemsOptions } from './fetch-items.js';
export { fetchItems, stacApiSource } from './fetch-items.js';
export type { Harvest, HarvestOptions } from './harvest.js';
export { harvest, harvestFingerprint } from './harvest.js';
export type { ItemContext, ItemFix } from './normalize.js';
export { normalizeItem } from './normalize.js';
export { LIMIT_LADDER } from './page-window.js';
export type { PageRequest } from './request.js';
export { findNextLink, nextRequest, requestKey } from './request.js';
export type { TimeRange, WindowState } from './windows.js';
export {
  collectionTimeRange,
  harvestRange,
  itemInstant,
  makeWindow,
  parseDatetimeFilter,
  splitWindow,
  windowOwns,
} from './windows.js';
