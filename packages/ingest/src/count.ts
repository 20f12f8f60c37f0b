import { randomUUID } from 'node:crypto';
import { type ApiEndpoints, firstPageRequest, readCollection } from './api.js';
import { updatedBeforeMembers } from './delta-query.js';
import { type HarvestOptions, pickSpec, windowedRange } from './harvest.js';
import { matchedCount } from './page-window.js';
import { collectionTimeRange, harvestRange, makeWindow, parseDatetimeFilter } from './windows.js';

/** Options of {@link countItems}: the harvest's own, so that the count covers what that harvest asks for. */
export type CountOptions = Pick<
  HarvestOptions,
  'client' | 'datetime' | 'bbox' | 'endpoint' | 'method' | 'partition' | 'filterLang' | 'signal'
> & {
  /** The API's endpoints (`readLanding`). */
  endpoints: ApiEndpoints;
  /** The collection to count. */
  collection: string;
  /**
   * Count only the items whose `properties.updated` is before this stamp (a CQL2 filter on item search),
   * always counted afresh (see {@link updatedBeforeMembers}).
   */
  updatedBefore?: string;
};

/**
 * How many items of one collection a harvest with the same options would
 * see, by the server's own count: one search for a single item over the
 * harvest's time range, read from `numberMatched` (or `context.matched`).
 * Undefined when the server does not count (stac-fastapi-pgstac with
 * pgstac's `context` off), or when `updatedBefore` is asked of an API
 * without item search.
 */
export async function countItems(options: CountOptions): Promise<number | undefined> {
  const { client, endpoints, collection: id, signal } = options;
  const collection = await readCollection(client, endpoints, id, signal);
  const filter = options.datetime ? parseDatetimeFilter(options.datetime) : undefined;
  const range = harvestRange(collectionTimeRange(collection), filter);
  if (range.empty) return 0;
  const spec = pickSpec({ ...options, catalogUrl: endpoints.rootUrl, collections: [id] }, endpoints, id);
  if (options.updatedBefore !== undefined) {
    if (spec.endpoint !== 'search') return undefined;
    const lang = options.filterLang ?? 'cql2-json';
    const members = updatedBeforeMembers(
      spec.method,
      lang,
      options.updatedBefore,
      `scm-count-${randomUUID()}`,
    );
    spec.extra = { ...spec.extra, ...members };
  }
  const window = makeWindow(id, windowedRange(options, range, filter), true, true);
  const request = firstPageRequest(spec, window, 1);
  const response = await client.json<unknown>({ ...request, ...(signal ? { signal } : {}) });
  return matchedCount(response.body);
}
