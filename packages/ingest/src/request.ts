import { isPlainObject, type StacLink } from '@scm/core';

/**
 * One page request, as a checkpoint can store it: the method, the absolute
 * URL and, for POST, the JSON body. Headers a next link asks for are kept too.
 */
export interface PageRequest {
  /** `GET` or `POST`. */
  method: 'GET' | 'POST';
  /** Absolute URL. */
  url: string;
  /** JSON body of a POST. */
  body?: Record<string, unknown>;
  /** Extra headers a next link carries (STAC API `headers` member). */
  headers?: Record<string, string>;
}

/** A key that is equal for two requests that would fetch the same page (loop guard). */
export function requestKey(request: PageRequest): string {
  return `${request.method} ${request.url} ${request.body === undefined ? '' : stableJson(request.body)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function stringHeaders(value: unknown): Record<string, string> | undefined {
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string') out[name] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The `rel=next` link of a page, if any. */
export function findNextLink(links: unknown): StacLink | undefined {
  if (!Array.isArray(links)) return undefined;
  return links.find(
    (l): l is StacLink => isPlainObject(l) && l.rel === 'next' && typeof l.href === 'string' && l.href !== '',
  );
}

/**
 * The request a `rel=next` link asks for, followed exactly as the server gave
 * it: the href resolved against the page's URL (relative hrefs), GET unless the
 * link says POST, and for POST the link's `body`, merged over the previous
 * body only when `merge` is true (a missing `merge` means false, as the STAC
 * API spec says). A POST link without a body re-sends the previous body. A GET
 * link answering a POST search (CMR-STAC) is a plain GET.
 */
export function nextRequest(link: StacLink, pageUrl: string, previous: PageRequest): PageRequest {
  const url = new URL(link.href, pageUrl).toString();
  const method = typeof link.method === 'string' && link.method.toUpperCase() === 'POST' ? 'POST' : 'GET';
  const request: PageRequest = { method, url };
  if (method === 'POST') {
    const linkBody = isPlainObject(link.body) ? link.body : undefined;
    if (linkBody && link.merge === true) request.body = { ...(previous.body ?? {}), ...linkBody };
    else request.body = linkBody ?? { ...(previous.body ?? {}) };
  }
  const headers = stringHeaders(link.headers);
  if (headers) request.headers = headers;
  return request;
}

/** Sets (or replaces) query parameters of a GET request's URL. */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const parsed = new URL(url);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) parsed.searchParams.delete(name);
    else parsed.searchParams.set(name, value);
  }
  return parsed.toString();
}
