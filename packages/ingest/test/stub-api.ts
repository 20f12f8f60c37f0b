import { type HttpClient, type HttpRequest, ScmError, type StacItem } from '@scm/core';

/** How the stub's next links look, after the real servers in ../shared/reference/stac-apis.md. */
export type NextStyle = 'get-token' | 'post-merge-false' | 'post-no-merge' | 'post-merge-true' | 'cmr-get';

export interface StubOptions {
  collections: Record<string, StacItem[]>;
  style?: NextStyle;
  /** Most items a page holds, whatever the limit asked. */
  pageCap?: number;
  /** A limit above this is a 400. */
  maxLimit?: number;
  /** Report numberMatched. */
  counts?: boolean;
  /** Link past the last page, to an empty page (CMR-STAC, Earth Search). */
  trailingEmpty?: boolean;
  /** Next hrefs relative to the page URL. */
  relative?: boolean;
  /** Items endpoint gives features only a self link (CMR-STAC). */
  selfOnly?: boolean;
  /** Called before each page request; may throw to simulate a failure after retries. */
  fault?: (request: HttpRequest, index: number) => void;
  /** The page after `offset` links back to offset 0 (a next-link loop). */
  loopAt?: number;
}

const ROOT = 'https://api.test/stac/';

/** Items with datetimes `start + i * stepMs` (several per instant when `perInstant` > 1). */
export function makeItems(collection: string, count: number, start: number, stepMs: number, perInstant = 1) {
  return Array.from({ length: count }, (_, i): StacItem => {
    const t = new Date(start + Math.floor(i / perInstant) * stepMs).toISOString();
    return {
      type: 'Feature',
      stac_version: '1.0.0',
      id: `${collection}-${String(i).padStart(6, '0')}`,
      collection,
      geometry: { type: 'Point', coordinates: [0, 0] },
      bbox: [0, 0, 0, 0],
      properties: { datetime: t },
      assets: {},
      links: [{ rel: 'self', href: `${ROOT}collections/${collection}/items/${collection}-${i}` }],
    };
  });
}

function inRange(item: StacItem, datetime: string | undefined): boolean {
  if (!datetime) return true;
  const [a, b] = datetime.includes('/') ? datetime.split('/') : [datetime, datetime];
  const t = Date.parse(String(item.properties.datetime));
  if (a && a !== '..' && t < Date.parse(a)) return false;
  if (b && b !== '..' && t > Date.parse(b)) return false;
  return true;
}

function sorted(items: StacItem[]): StacItem[] {
  return [...items].sort(
    (x, y) =>
      Date.parse(String(y.properties.datetime)) - Date.parse(String(x.properties.datetime)) ||
      x.id.localeCompare(y.id),
  );
}

/** An in-test HttpClient that plays a STAC API over fixed items. */
export function createStubApi(options: StubOptions) {
  const requests: HttpRequest[] = [];
  const style = options.style ?? 'get-token';
  const collectionDoc = (id: string) => {
    const times = options.collections[id]!.map((i) => Date.parse(String(i.properties.datetime)));
    const start = new Date(Math.min(...times)).toISOString();
    const end = new Date(Math.max(...times)).toISOString();
    return {
      type: 'Collection',
      stac_version: '1.0.0',
      id,
      description: id,
      license: 'CC0-1.0',
      extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[start, end]] } },
      links: [],
    };
  };
  const page = (request: HttpRequest, url: URL, params: Record<string, unknown>, index: number) => {
    options.fault?.(request, index);
    const limit = Number(params.limit ?? 10);
    if (options.maxLimit !== undefined && limit > options.maxLimit) {
      throw new ScmError('SCM_HTTP_CLIENT_ERROR', `limit ${limit} refused`, {
        details: { url: url.toString(), status: 400, attempts: 1 },
      });
    }
    const collection = String(params.collection ?? (params.collections as string[])[0]);
    const all = sorted(options.collections[collection]!.filter((i) => inRange(i, params.datetime as string)));
    const offset = Number(params.token ?? 0);
    const size = Math.min(limit, options.pageCap ?? limit);
    const features = all
      .slice(offset, offset + size)
      .map((item) => (options.selfOnly ? { ...item, links: [item.links[0]] } : item));
    const more = offset + size < all.length || (options.trailingEmpty === true && features.length > 0);
    const nextOffset = options.loopAt !== undefined && offset >= options.loopAt ? 0 : offset + size;
    const links = more ? [nextLink(request, url, params, String(nextOffset))] : [];
    return {
      type: 'FeatureCollection',
      features,
      links,
      ...(options.counts ? { numberMatched: all.length, numberReturned: features.length } : {}),
    };
  };
  const nextLink = (request: HttpRequest, url: URL, params: Record<string, unknown>, token: string) => {
    if (request.method === 'POST' && style !== 'cmr-get' && style !== 'get-token') {
      const body = style === 'post-merge-true' ? { token } : { ...(request.body as object), token };
      return {
        rel: 'next',
        method: 'POST',
        href: url.toString(),
        body,
        ...(style === 'post-merge-false'
          ? { merge: false }
          : style === 'post-merge-true'
            ? { merge: true }
            : {}),
      };
    }
    const next = new URL(url.toString());
    for (const [k, v] of Object.entries(params)) {
      if (k === 'collection') continue;
      next.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    next.searchParams.set('token', token);
    const href = options.relative ? `${next.pathname.split('/').pop()}${next.search}` : next.toString();
    return { rel: 'next', href, ...(style === 'get-token' ? { method: 'GET' } : {}) };
  };
  const client: HttpClient = {
    async json<T>(request: HttpRequest) {
      const index = requests.push(request) - 1;
      const url = new URL(request.url);
      const path = url.pathname.replace('/stac/', '');
      const query = Object.fromEntries(url.searchParams);
      let body: unknown;
      if (path === '') {
        body = {
          type: 'Catalog',
          id: 'stub',
          links: [
            { rel: 'data', href: `${ROOT}collections` },
            { rel: 'search', href: `${ROOT}search`, method: 'GET' },
            { rel: 'search', href: `${ROOT}search`, method: 'POST' },
          ],
        };
      } else if (path === 'search') {
        const params: Record<string, unknown> =
          request.method === 'POST' ? { ...(request.body as object) } : { ...query };
        if (typeof params.collections === 'string') params.collections = params.collections.split(',');
        body = page(request, url, params, index);
      } else {
        const [, id, items] = path.split('/');
        const collection = decodeURIComponent(id ?? '');
        if (!options.collections[collection])
          throw new ScmError('SCM_HTTP_CLIENT_ERROR', 'not found', { details: { status: 404 } });
        body = items ? page(request, url, { ...query, collection }, index) : collectionDoc(collection);
      }
      return { status: 200, url: request.url, headers: {}, body: structuredClone(body) as T };
    },
  };
  return { client, requests };
}
