import { type HttpRequest, isPlainObject, type JsonObject, type StacLink } from '@scm/core';

/** The well-formed links of a STAC document (objects with string `rel` and `href`). */
export function linksOf(document: unknown): StacLink[] {
  const links = isPlainObject(document) ? document.links : undefined;
  if (!Array.isArray(links)) return [];
  return links.filter(
    (link): link is StacLink =>
      isPlainObject(link) && typeof link.rel === 'string' && typeof link.href === 'string',
  );
}

/** An href made absolute against the URL its document was read from (static catalogs use relative links). */
export function resolveHref(href: string, base: string): string {
  return new URL(href, base).toString();
}

/** Absolute hrefs of the links with relation `rel`, in document order, without repeats. */
export function hrefsOf(document: unknown, rel: string, base: string): string[] {
  const hrefs = linksOf(document)
    .filter((link) => link.rel === rel)
    .map((link) => resolveHref(link.href, base));
  return [...new Set(hrefs)];
}

/** The first link with relation `rel` whose method is GET or unset, made absolute. */
export function getHref(document: unknown, rel: string, base: string): string | undefined {
  const link = linksOf(document).find((l) => l.rel === rel && (l.method === undefined || l.method === 'GET'));
  return link ? resolveHref(link.href, base) : undefined;
}

function conformsTo(document: unknown, fragment: string): boolean {
  const classes = isPlainObject(document) ? document.conformsTo : undefined;
  return Array.isArray(classes) && classes.some((c) => typeof c === 'string' && c.includes(fragment));
}

/**
 * Where a catalog lists its collections: a `rel=data` link (the STAC API
 * landing page; CMR-STAC's provider catalogs), a `rel=collections` link, or
 * `<url>/collections` for an API that conforms to OGC Features or Collections
 * but links neither and has no child links to follow instead.
 */
export function collectionsEndpoint(document: unknown, base: string): string | undefined {
  const linked = getHref(document, 'data', base) ?? getHref(document, 'collections', base);
  if (linked) return linked;
  const api = conformsTo(document, 'ogcapi-features') || conformsTo(document, '/collections');
  if (!api || hrefsOf(document, 'child', base).length > 0) return undefined;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/collections`;
  url.search = '';
  return url.toString();
}

/**
 * True when a catalog offers item search: it has a `rel=search` link. Conformance classes alone do not
 * count: CMR-STAC's root claims item search and serves none.
 */
export function isSearchable(document: unknown): boolean {
  return linksOf(document).some((link) => link.rel === 'search');
}

/** The URL of one collection under a collections endpoint, its id encoded as one path segment (`/`, spaces). */
export function collectionUrl(endpoint: string, id: string): string {
  const url = new URL(endpoint);
  url.search = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
  return url.toString();
}

/** `url` with `limit=<pageSize>` added when it has no `limit` parameter. */
export function withLimit(url: string, pageSize: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('limit')) parsed.searchParams.set('limit', String(pageSize));
  return parsed.toString();
}

function stringHeaders(headers: StacLink['headers']): Record<string, string> | undefined {
  if (!isPlainObject(headers)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

/**
 * The request for the page after `document`, from its `rel=next` link taken
 * exactly as given: a GET href, or a POST with `body` (merged into the
 * previous body only when `merge` is true, as STAC API says).
 */
export function nextRequest(document: unknown, base: string, previous: HttpRequest): HttpRequest | undefined {
  const link = linksOf(document).find((l) => l.rel === 'next');
  if (!link) return undefined;
  const request: HttpRequest = { url: resolveHref(link.href, base) };
  const headers = stringHeaders(link.headers);
  if (headers) request.headers = headers;
  if (link.method?.toUpperCase() !== 'POST') return request;
  request.method = 'POST';
  const previousBody = isPlainObject(previous.body) ? (previous.body as JsonObject) : {};
  request.body = link.merge === true ? { ...previousBody, ...(link.body ?? {}) } : (link.body ?? {});
  return request;
}

/** Identity of a request for loop guards: method, URL and body. */
export function requestKey(request: HttpRequest): string {
  return `${request.method ?? 'GET'} ${request.url} ${request.body === undefined ? '' : JSON.stringify(request.body)}`;
}
