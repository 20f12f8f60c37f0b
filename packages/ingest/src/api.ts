import {
  type HttpClient,
  isPlainObject,
  isScmError,
  ScmError,
  type StacCollection,
  type StacLink,
  stripForbiddenKeys,
} from '@scm/core';
import { type PageRequest, withQuery } from './request.js';
import { type WindowState, windowDatetime } from './windows.js';

/** Which endpoint pages the items: `/collections/{id}/items`, or `/search` with `collections=[id]`. */
export type ItemsEndpoint = 'items' | 'search';

/** The endpoints of one STAC API, read from its landing page. */
export interface ApiEndpoints {
  /** Absolute URL of the landing page. */
  rootUrl: string;
  /** Absolute URL of the collections list (`rel=data`, else `<root>/collections`). */
  collectionsUrl: string;
  /** Absolute URL of item search, when the API has one. */
  searchUrl?: string;
  /** Methods the search link advertises. */
  searchMethods: ('GET' | 'POST')[];
  /** Conformance classes of the landing page's `conformsTo` (empty when it has none). */
  conformsTo?: string[];
  /** Absolute URL of the `conformance` link, when the landing page has one. */
  conformanceUrl?: string;
}

function links(document: unknown): StacLink[] {
  if (!isPlainObject(document) || !Array.isArray(document.links)) return [];
  return document.links.filter((l): l is StacLink => isPlainObject(l) && typeof l.href === 'string');
}

/** Reads the landing page and finds the collections and search endpoints. */
export async function readLanding(
  client: HttpClient,
  catalogUrl: string,
  signal?: AbortSignal,
): Promise<ApiEndpoints> {
  const response = await client.json<unknown>({
    url: catalogUrl,
    method: 'GET',
    ...(signal ? { signal } : {}),
  });
  const base = response.url || catalogUrl;
  const all = links(response.body);
  const data = all.find((l) => l.rel === 'data' && (l.method === undefined || l.method === 'GET'));
  const search = all.filter((l) => l.rel === 'search');
  const collectionsUrl = data
    ? new URL(data.href, base).toString()
    : new URL('collections', base.endsWith('/') ? base : `${base}/`).toString();
  const endpoints: ApiEndpoints = { rootUrl: catalogUrl, collectionsUrl, searchMethods: [] };
  const body = isPlainObject(response.body) ? response.body : {};
  if (Array.isArray(body.conformsTo))
    endpoints.conformsTo = body.conformsTo.filter((c): c is string => typeof c === 'string');
  const conformance = all.find((l) => l.rel === 'conformance');
  if (conformance) endpoints.conformanceUrl = new URL(conformance.href, base).toString();
  if (search.length > 0) {
    endpoints.searchUrl = new URL(search[0]!.href, base).toString();
    for (const link of search) {
      const method = typeof link.method === 'string' ? link.method.toUpperCase() : 'GET';
      if ((method === 'GET' || method === 'POST') && !endpoints.searchMethods.includes(method))
        endpoints.searchMethods.push(method);
    }
  }
  return endpoints;
}

/** Absolute URL of a collection; ids may hold `/` and spaces (CMR), so they are encoded. */
export function collectionUrl(endpoints: ApiEndpoints, id: string): string {
  const base = endpoints.collectionsUrl.endsWith('/')
    ? endpoints.collectionsUrl
    : `${endpoints.collectionsUrl}/`;
  return new URL(encodeURIComponent(id), base).toString();
}

/** Fetches one collection document; a 404 says which collection is missing. */
export async function readCollection(
  client: HttpClient,
  endpoints: ApiEndpoints,
  id: string,
  signal?: AbortSignal,
): Promise<StacCollection> {
  const url = collectionUrl(endpoints, id);
  try {
    const response = await client.json<unknown>({ url, method: 'GET', ...(signal ? { signal } : {}) });
    if (!isPlainObject(response.body) || response.body.type !== 'Collection') {
      throw new ScmError('SCM_HTTP_STATUS', `${url} did not return a STAC Collection`, {
        details: { url, status: response.status },
      });
    }
    return stripForbiddenKeys(response.body) as unknown as StacCollection;
  } catch (error) {
    if (isScmError(error) && error.details?.status === 404) {
      throw new ScmError('SCM_HTTP_STATUS', `collection "${id}" not found at ${url}`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
}

/** How the first page of every window is asked for. */
export interface FirstPageSpec {
  endpoint: ItemsEndpoint;
  method: 'GET' | 'POST';
  /** Absolute items URL (`.../items`) or search URL. */
  url: string;
  bbox?: number[];
  /** Extra body members or query parameters the caller wants on every first request. */
  extra?: Record<string, unknown>;
}

/** The request for a window's first page, asking for `limit` items. */
export function firstPageRequest(spec: FirstPageSpec, window: WindowState, limit: number): PageRequest {
  const datetime = windowDatetime(window);
  if (spec.method === 'POST') {
    const body: Record<string, unknown> = { ...(spec.extra ?? {}), limit };
    if (spec.endpoint === 'search') body.collections = [window.collection];
    if (datetime) body.datetime = datetime;
    if (spec.bbox) body.bbox = spec.bbox;
    return { method: 'POST', url: spec.url, body };
  }
  const params: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(spec.extra ?? {}))
    params[key] = typeof value === 'string' ? value : JSON.stringify(value);
  if (spec.endpoint === 'search') params.collections = window.collection;
  params.limit = String(limit);
  params.datetime = datetime;
  params.bbox = spec.bbox?.join(',');
  return { method: 'GET', url: withQuery(spec.url, params) };
}
