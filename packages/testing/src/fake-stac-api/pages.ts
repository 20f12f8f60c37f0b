import { BadRequest, type SearchParams } from './query.js';
import type { Entry, ItemStore } from './store.js';
import type { PageShape, StyleProfile } from './styles.js';

/** Paging quirks of real servers, switched on per fake API. */
export interface PagingQuirks {
  /** Each page after the first also repeats the previous page's last item (Planetary Computer #163). */
  duplicatesAcrossPages?: boolean;
  /** Page n (2 or more) answers with page n-1's items and the same next link: a repeated page (CMR-STAC #353). */
  repeatPageAt?: number;
  /** Page n's next link points back to the first page: a next-link loop. */
  nextLinkLoopAt?: number;
}

/** Page size limits in force. */
export interface PageLimits {
  defaultLimit: number;
  pageCap: number;
  rejectLimitAbove: number;
  trailingEmptyPage: boolean;
}

/** Everything one page request needs. */
export interface PageRequest {
  store: ItemStore;
  profile: StyleProfile;
  limits: PageLimits;
  quirks: PagingQuirks;
  shape: PageShape;
  params: SearchParams;
  /** The count to report, when it is not the results' (a kept count). */
  matched?: number;
}

function checkLimit(limits: PageLimits, limit: number | undefined, cmr: boolean): void {
  if (limit === undefined) return;
  const floor = cmr ? 0 : 1;
  if (!Number.isInteger(limit) || limit < floor || limit > limits.rejectLimitAbove) {
    const top = Number.isFinite(limits.rejectLimitAbove) ? limits.rejectLimitAbove : 10000;
    throw new BadRequest(`Limit must be between ${floor} and ${top}`);
  }
}

/** Where a token says to start in `results`. */
function startOffset(request: PageRequest, results: Entry[]): number {
  const { token } = request.params;
  if (token === undefined) return 0;
  const after = request.profile.decodeToken(token, request.store);
  if (!after) throw new BadRequest(`Invalid paging token: ${token}`);
  return request.store.offsetAfter(results, after.collection, after.id);
}

/** Picks the page's entries and its next token, applying the quirks. */
function slicePage(request: PageRequest, results: Entry[], size: number) {
  const { quirks, limits, profile, store } = request;
  let offset = startOffset(request, results);
  const pageNumber = size > 0 ? Math.floor(offset / size) + 1 : 1;
  const repeat = quirks.repeatPageAt !== undefined && pageNumber === quirks.repeatPageAt && pageNumber > 1;
  if (repeat) offset -= size;
  const entries = results.slice(offset, offset + size);
  const more = offset + entries.length < results.length;
  const last = entries.at(-1);
  let token: string | undefined;
  let hasNext = size > 0 && entries.length > 0 && (more || limits.trailingEmptyPage);
  if (last)
    token = profile.encodeToken(
      last,
      (store.collections[last.collection] as { spec: { id: string } }).spec.id,
    );
  if (repeat) token = request.params.token;
  if (quirks.nextLinkLoopAt === pageNumber) {
    token = undefined;
    hasNext = true;
  }
  const previous = results[offset - 1];
  if (quirks.duplicatesAcrossPages && offset > 0 && previous && entries.length > 0) entries.unshift(previous);
  return { entries, hasNext, token };
}

/** JSON text sent as is (pages are spliced from item texts rather than serialised). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Builds one page of items (an ItemCollection) in the style's shape. */
export function itemPage(request: PageRequest, results: Entry[]): RawJson {
  const { profile, limits, shape, params, store } = request;
  checkLimit(limits, params.limit, profile.tokenName === 'cursor');
  const requested = params.limit ?? limits.defaultLimit;
  const size = Math.min(requested, limits.pageCap);
  const { entries, hasNext, token } = slicePage(request, results, size);
  const features = entries.map((entry) => {
    const collectionId = (store.collections[entry.collection] as { spec: { id: string } }).spec.id;
    const links = profile.itemLinks(shape, collectionId, entry.id);
    return params.idsOnly ? store.idText(entry, links) : store.itemText(entry, links);
  });
  const links: Array<Record<string, unknown>> = [
    { rel: 'self', href: shape.selfHref, type: 'application/geo+json' },
    { rel: 'root', href: shape.apiBase, type: 'application/json' },
  ];
  if (hasNext) links.push({ ...profile.nextLink(shape, token) });
  const envelope = {
    type: 'FeatureCollection',
    ...profile.counts(shape, request.matched ?? results.length, features.length, requested),
    features: '@@FEATURES@@',
    links,
  };
  return new RawJson(JSON.stringify(envelope).replace('"@@FEATURES@@"', `[${features.join(',')}]`));
}
