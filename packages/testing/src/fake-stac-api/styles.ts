import type { JsonObject, StacLink } from '@scm/core';
import { qsStringify } from './query.js';
import type { Entry, ItemStore } from './store.js';

/** The three real servers the fake API can play. */
export type FakeStacStyle = 'cmr-stac' | 'earth-search' | 'planetary-computer';

/** Which endpoint a page answers. */
export type PageKind = 'items' | 'search';

/** What a style decides about a page of items. */
export interface PageShape {
  /** URL of the API (CMR: of the provider) without a trailing slash. */
  apiBase: string;
  kind: PageKind;
  /** The request's own URL, for `self`. */
  selfHref: string;
  method: 'GET' | 'POST';
  /** The request's parameters (query object or POST body). */
  raw: Record<string, unknown>;
  /** Endpoint URL without query. */
  endpoint: string;
}

/** How one real server shapes things: defaults, tokens, next links, counts and item links. */
export interface StyleProfile {
  /** Path of the landing page (CMR: of the root catalog listing providers). */
  basePath: string;
  /** Query/body parameter that carries the paging token. */
  tokenName: string;
  defaultLimit: number;
  pageCap: number;
  /** Limits above this (or below 1, 0 for CMR) get a 400. */
  rejectLimitAbove: number;
  /** Whether the last non-empty page still has a next link (to an empty page). */
  trailingEmptyPage: boolean;
  /** CMR-STAC rejects date-only datetimes. */
  requireTime: boolean;
  encodeToken(entry: Entry, collectionId: string): string;
  /** The `(collection, item id)` a token points after; undefined when unreadable. */
  decodeToken(token: string, store: ItemStore): { collection: string; id: string } | undefined;
  nextLink(shape: PageShape, token: string | undefined): StacLink;
  /** Count members of the page envelope. */
  counts(
    shape: PageShape,
    matched: number,
    returned: number,
    requestedLimit: number,
  ): Record<string, unknown>;
  /** Links of one item on a page. */
  itemLinks(shape: PageShape, collectionId: string, itemId: string): StacLink[];
}

const geo = 'application/geo+json';

function base64Json(value: unknown, url = false): string {
  return Buffer.from(JSON.stringify(value)).toString(url ? 'base64url' : 'base64');
}

function readBase64Json(token: string): unknown {
  try {
    return JSON.parse(
      Buffer.from(token, token.includes('-') || token.includes('_') ? 'base64url' : 'base64').toString(
        'utf8',
      ),
    );
  } catch {
    return undefined;
  }
}

function withoutKey(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = raw;
  return rest;
}

/** Href of an item, collection ids and item ids encoded as CMR-STAC and stac-fastapi do. */
function itemHref(apiBase: string, collectionId: string, itemId: string): string {
  return `${apiBase}/collections/${encodeURIComponent(collectionId)}/items/${encodeURIComponent(itemId)}`;
}

/** GET next link that keeps every parameter of the request and sets the token. */
function getNextLink(shape: PageShape, tokenName: string, token: string | undefined): StacLink {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(withoutKey(shape.raw, tokenName))) {
    if (value === undefined || value === null) continue;
    query.set(
      key,
      Array.isArray(value)
        ? value.join(',')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value),
    );
  }
  if (token !== undefined) query.set(tokenName, token);
  const text = query.toString();
  return { rel: 'next', href: `${shape.endpoint}${text ? `?${text}` : ''}`, type: geo, method: 'GET' };
}

const cmrStac: StyleProfile = {
  basePath: '/stac',
  tokenName: 'cursor',
  defaultLimit: 10,
  pageCap: 100,
  rejectLimitAbove: 5000,
  trailingEmptyPage: true,
  requireTime: true,
  encodeToken(entry, collectionId) {
    const after = JSON.stringify([collectionId, entry.time, entry.id]);
    return base64Json({ json: after, umm: after });
  },
  decodeToken(token) {
    const decoded = readBase64Json(token) as { json?: string } | undefined;
    try {
      const [collection, , id] = JSON.parse(String(decoded?.json)) as [string, number, string];
      return typeof collection === 'string' && typeof id === 'string' ? { collection, id } : undefined;
    } catch {
      return undefined;
    }
  },
  nextLink(shape, token) {
    // Always a GET URL, even after a POST search: the body is qs-serialised into the query.
    const params = withoutKey(shape.raw, 'cursor');
    const query = qsStringify(token === undefined ? params : { ...params, cursor: token });
    return {
      rel: 'next',
      href: `${shape.endpoint}${query ? `?${query}` : ''}`,
      type: geo,
      title: 'Next page of results',
    };
  },
  counts(shape, matched, returned, requestedLimit) {
    const context = { returned, limit: requestedLimit, matched };
    return shape.kind === 'items'
      ? { numberMatched: matched, numberReturned: returned, context }
      : { context };
  },
  itemLinks(shape, collectionId, itemId) {
    const self = { rel: 'self', href: itemHref(shape.apiBase, collectionId, itemId), type: geo };
    if (shape.kind === 'items') return [self]; // CMR-STAC /items pages keep only `self`
    const collectionHref = `${shape.apiBase}/collections/${encodeURIComponent(collectionId)}/`;
    return [
      self,
      { rel: 'parent', href: collectionHref, type: geo },
      { rel: 'collection', href: collectionHref, type: geo },
      { rel: 'root', href: shape.apiBase.replace(/\/[^/]+$/, ''), type: 'application/json' },
      { rel: 'provider', href: shape.apiBase, type: 'application/json' },
    ];
  },
};

/** Item links of stac-server and stac-fastapi: self, parent, collection, root. */
function fullItemLinks(shape: PageShape, collectionId: string, itemId: string): StacLink[] {
  const collectionHref = `${shape.apiBase}/collections/${encodeURIComponent(collectionId)}`;
  return [
    { rel: 'self', href: itemHref(shape.apiBase, collectionId, itemId), type: geo },
    { rel: 'parent', href: collectionHref, type: 'application/json' },
    { rel: 'collection', href: collectionHref, type: 'application/json' },
    { rel: 'root', href: `${shape.apiBase}/`, type: 'application/json' },
  ];
}

const earthSearch: StyleProfile = {
  basePath: '/v1',
  tokenName: 'next',
  defaultLimit: 10,
  pageCap: 10_000,
  rejectLimitAbove: Number.POSITIVE_INFINITY,
  trailingEmptyPage: true,
  requireTime: false,
  encodeToken: (entry, collectionId) =>
    base64Json([new Date(entry.time).toISOString(), entry.id, collectionId], true),
  decodeToken(token) {
    const decoded = readBase64Json(token);
    if (!Array.isArray(decoded) || decoded.length !== 3) return undefined;
    return { collection: String(decoded[2]), id: String(decoded[1]) };
  },
  nextLink(shape, token) {
    if (shape.method === 'GET') return { ...getNextLink(shape, 'next', token), title: 'Next page of Items' };
    const body = (
      token === undefined ? withoutKey(shape.raw, 'next') : { ...shape.raw, next: token }
    ) as JsonObject;
    return {
      rel: 'next',
      title: 'Next page of Items',
      method: 'POST',
      type: geo,
      href: shape.endpoint,
      merge: false,
      body,
    };
  },
  counts: (_shape, matched, returned, requestedLimit) => ({
    numberMatched: matched,
    numberReturned: returned,
    context: { limit: requestedLimit, matched, returned },
  }),
  itemLinks: fullItemLinks,
};

const planetaryComputer: StyleProfile = {
  basePath: '/api/stac/v1',
  tokenName: 'token',
  defaultLimit: 250,
  pageCap: 1000,
  rejectLimitAbove: Number.POSITIVE_INFINITY,
  trailingEmptyPage: false,
  requireTime: false,
  encodeToken: (entry, collectionId) => `next:${collectionId}:${entry.id}`,
  decodeToken(token, store) {
    if (!token.startsWith('next:')) return undefined;
    const rest = token.slice('next:'.length);
    // Item ids may hold `:` too: find the collection whose id is a prefix.
    const stored = store.collections.find((c) => rest.startsWith(`${c.spec.id}:`));
    return stored ? { collection: stored.spec.id, id: rest.slice(stored.spec.id.length + 1) } : undefined;
  },
  nextLink(shape, token) {
    if (shape.method === 'GET') return getNextLink(shape, 'token', token);
    // stac-fastapi-pgstac sends the full body back with the token, and no `merge` key.
    const body = (
      token === undefined ? withoutKey(shape.raw, 'token') : { ...shape.raw, token }
    ) as JsonObject;
    return { rel: 'next', type: geo, method: 'POST', href: shape.endpoint, body };
  },
  counts: () => ({}),
  itemLinks: fullItemLinks,
};

/** The profile of a style. */
export const STYLES: Record<FakeStacStyle, StyleProfile> = {
  'cmr-stac': cmrStac,
  'earth-search': earthSearch,
  'planetary-computer': planetaryComputer,
};
