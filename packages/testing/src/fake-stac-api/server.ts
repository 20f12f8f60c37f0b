import type { StacItem } from '@scm/core';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  apiLinks,
  CONFORMS_TO,
  childLinks,
  collectionDocument,
  FIELDS_CONFORMANCE,
  FILTER_CONFORMANCE,
} from './documents.js';
import { createFaultPlan, type FakeFaultOptions, type FaultRequest, type TransientFault } from './faults.js';
import { itemPage, type PageLimits, type PagingQuirks, RawJson } from './pages.js';
import { BadRequest, queryToObject, type SearchParams, searchParams, updatedFilter } from './query.js';
import { type FakeCollectionSpec, ItemStore, type StoredCollection } from './store.js';
import { type FakeStacStyle, type PageKind, STYLES, type StyleProfile } from './styles.js';

/** Options of {@link startFakeStacApi}. */
export interface FakeStacApiOptions extends PagingQuirks, Partial<PageLimits> {
  /** Which server to play. Default `earth-search`. */
  style?: FakeStacStyle;
  /** Collections and their items. Default one collection `HLSS30_2.0` of 250 generated items. */
  collections?: FakeCollectionSpec[];
  /** CMR-STAC only: provider → collection ids. Default `{ LPCLOUD: every collection }`; `ALL` is added. */
  providers?: Record<string, string[]>;
  /** Delay before every response, in ms. Default 0. */
  latencyMs?: number;
  /** Injected transient faults. Default none. */
  faults?: FakeFaultOptions;
  /**
   * Search extensions to offer (and announce in `conformsTo`): `filter`, a CQL2
   * filter understood only as `updated >= <stamp>` or `updated < <stamp>` (with `id <> '<id>'` terms);
   * `fields`, ids-only items
   * when `fields` is asked for. Default none.
   */
  searchExtensions?: { filter?: boolean; fields?: boolean };
  /**
   * Called with each request once its body is read, before it is answered: a test edits the items here
   * (`setItems`) to play a change that lands at a given moment of a run.
   */
  onRequest?(request: RequestLog): void;
  /**
   * Answer a search asked again (the same parameters, paging aside) with the count of its first asking,
   * as pgstac does for `context_stats_ttl` (a day by default). Default false.
   */
  keepsCounts?: boolean;
}

/** One request the fake API received. */
export interface RequestLog {
  /** 1-based arrival number (what `faults.schedule` keys on). */
  n: number;
  method: string;
  /** Path and query as received. */
  url: string;
  /** Parsed JSON body of a POST. */
  body?: unknown;
  /** Status sent (absent after a connection reset). */
  status?: number;
  /** The fault injected, if any. */
  fault?: TransientFault;
}

/** A running fake STAC API. */
export interface FakeStacApi {
  /** Root URL: the landing page (CMR-STAC: the root catalog listing providers). */
  url: string;
  /** `http://127.0.0.1:port`. */
  origin: string;
  /** CMR-STAC: URL of a provider's API (`…/stac/LPCLOUD`); other styles: the landing page. */
  apiUrl(provider?: string): string;
  /** Every request, in arrival order. */
  requests: RequestLog[];
  /** Ids of a collection's items, in the order the API pages them. */
  itemIds(collectionId: string): string[];
  /**
   * Replaces the items of a collection, as edits in the source database
   * would: the next requests see the new items (ids, content, order).
   */
  setItems(collectionId: string, items: StacItem[]): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** A response decided by a route. */
interface Answer {
  status: number;
  body: unknown;
}

class NotFound extends Error {}

/** Server-wide state. */
interface Context {
  profile: StyleProfile;
  store: ItemStore;
  limits: PageLimits;
  quirks: PagingQuirks & Pick<FakeStacApiOptions, 'searchExtensions' | 'keepsCounts'>;
  providers: Record<string, string[]>;
  origin: string;
  latencyMs: number;
  faults: FakeFaultOptions;
  plan: (request: FaultRequest) => TransientFault | undefined;
  onRequest: ((request: RequestLog) => void) | undefined;
  /** Counts kept by search (see `keepsCounts`). */
  counts: Map<string, number>;
  requests: RequestLog[];
  timers: Set<NodeJS.Timeout>;
}

const DEFAULT_COLLECTIONS: FakeCollectionSpec[] = [{ id: 'HLSS30_2.0', count: 250 }];

/**
 * Starts an in-process STAC API on 127.0.0.1 (random port) that pages like
 * CMR-STAC, Earth Search or Planetary Computer, with settable latency and
 * page cap, paging quirks, and injectable transient faults.
 */
export async function startFakeStacApi(options: FakeStacApiOptions = {}): Promise<FakeStacApi> {
  const ctx = createContext(options);
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { errors: [String(error)] }, false);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ctx.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${ctx.origin}${ctx.profile.basePath}`,
    origin: ctx.origin,
    apiUrl: (provider = Object.keys(ctx.providers)[0] ?? 'LPCLOUD') =>
      options.style === 'cmr-stac'
        ? `${ctx.origin}/stac/${provider}`
        : `${ctx.origin}${ctx.profile.basePath}`,
    requests: ctx.requests,
    itemIds: (id) => ctx.store.collection(id)?.entries.map((e) => e.id) ?? [],
    setItems: (id, items) => ctx.store.replaceItems(id, items),
    close: () => stop(server, ctx),
  };
}

function createContext(options: FakeStacApiOptions): Context {
  const profile = STYLES[options.style ?? 'earth-search'];
  const store = new ItemStore(options.collections ?? DEFAULT_COLLECTIONS);
  return {
    profile,
    store,
    limits: {
      defaultLimit: options.defaultLimit ?? profile.defaultLimit,
      pageCap: options.pageCap ?? profile.pageCap,
      rejectLimitAbove: options.rejectLimitAbove ?? profile.rejectLimitAbove,
      trailingEmptyPage: options.trailingEmptyPage ?? profile.trailingEmptyPage,
    },
    quirks: options,
    providers: options.providers ?? { LPCLOUD: store.collections.map((c) => c.spec.id) },
    origin: '',
    latencyMs: options.latencyMs ?? 0,
    faults: options.faults ?? {},
    plan: createFaultPlan(options.faults),
    onRequest: options.onRequest,
    counts: new Map(),
    requests: [],
    timers: new Set(),
  };
}

function stop(server: ReturnType<typeof createServer>, ctx: Context): Promise<void> {
  for (const timer of ctx.timers) clearTimeout(timer);
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function delay(ctx: Context, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.timers.delete(timer);
      resolve();
    }, ms);
    ctx.timers.add(timer);
  });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('Request body is not valid JSON');
  }
}

/** Status, `Retry-After` and body of the status faults, as the real servers send them. */
function statusFault(
  ctx: Context,
  fault: TransientFault,
): { status: number; body: unknown; headers: Record<string, string> } {
  const retryAfter = { 'retry-after': String(ctx.faults.retryAfterSeconds ?? 1) };
  switch (fault) {
    case '429':
      return { status: 429, body: { errors: ['Too Many Requests'] }, headers: retryAfter };
    case '503':
      return {
        status: 503,
        body: { errors: ['Oops! A problem occurred upstream and we were unable to process your request.'] },
        headers: retryAfter,
      };
    case '504':
      return { status: 504, body: { message: 'Endpoint request timed out' }, headers: {} };
    default:
      return {
        status: 500,
        body: { errors: ['Oops! Something has gone wrong. Please try your request again later.'] },
        headers: {},
      };
  }
}

async function handle(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const log: RequestLog = { n: ctx.requests.length + 1, method: req.method ?? 'GET', url: req.url ?? '/' };
  ctx.requests.push(log);
  let body: unknown;
  let answer: Answer | undefined;
  try {
    body = await readJsonBody(req);
  } catch (error) {
    answer = { status: 400, body: errorBody(ctx, (error as Error).message) };
  }
  if (body !== undefined) log.body = body;
  ctx.onRequest?.(log);
  const fault = ctx.plan(log);
  if (fault) log.fault = fault;
  await delay(ctx, ctx.latencyMs);
  if (fault === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault === 'slow') await delay(ctx, ctx.faults.slowMs ?? 5000);
  if (fault && ['429', '500', '503', '504'].includes(fault)) {
    const injected = statusFault(ctx, fault);
    log.status = injected.status;
    send(res, injected.status, injected.body, false, injected.headers);
    return;
  }
  answer ??= answerFor(ctx, log.method, new URL(log.url, ctx.origin), body);
  log.status = answer.status;
  send(res, answer.status, answer.body, fault === 'truncated');
}

function errorBody(ctx: Context, message: string): unknown {
  return ctx.profile.tokenName === 'cursor'
    ? { errors: [message] }
    : { code: 'BadRequest', description: message };
}

function answerFor(ctx: Context, method: string, url: URL, body: unknown): Answer {
  try {
    return { status: 200, body: route(ctx, method, url, body) };
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, body: errorBody(ctx, error.message) };
    if (error instanceof NotFound) return { status: 404, body: errorBody(ctx, error.message) };
    throw error;
  }
}

/** Writes JSON; `truncate` cuts the body in half (a response that stops mid-document). */
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  truncate: boolean,
  headers: Record<string, string> = {},
): void {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(truncate ? text.slice(0, Math.floor(text.length / 2)) : text);
}

/** Path segments after `prefix`, each decoded (so `%2F` inside a collection id stays in that id). */
function segmentsAfter(pathname: string, prefix: string): string[] | undefined {
  if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return undefined;
  return pathname
    .slice(prefix.length)
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
}

function route(ctx: Context, method: string, url: URL, body: unknown): unknown {
  const segments = segmentsAfter(url.pathname.replace(/\/+$/, ''), ctx.profile.basePath);
  if (!segments) throw new NotFound('Oops! Unable to find the requested resource.');
  if (ctx.profile.tokenName === 'cursor') return routeCmr(ctx, method, url, body, segments);
  const apiBase = `${ctx.origin}${ctx.profile.basePath}`;
  const all = ctx.store.collections;
  if (segments.length === 0) return landing(apiBase, all, ctx.quirks);
  return routeApi(ctx, { apiBase, scope: all, searchable: true }, method, url, body, segments);
}

/** The collections one API base serves, and whether it has a search endpoint. */
interface ApiScope {
  apiBase: string;
  scope: StoredCollection[];
  searchable: boolean;
}

/** The conformance classes the API announces: the base ones, and those of the search extensions it offers. */
function conformance(options: FakeStacApiOptions): string[] {
  return [
    ...CONFORMS_TO,
    ...(options.searchExtensions?.filter ? FILTER_CONFORMANCE : []),
    ...(options.searchExtensions?.fields ? FIELDS_CONFORMANCE : []),
  ];
}

function landing(apiBase: string, scope: StoredCollection[], options: FakeStacApiOptions): unknown {
  return {
    type: 'Catalog',
    id: 'fake-stac-api',
    stac_version: '1.0.0',
    description: 'Fake STAC API for tests',
    conformsTo: conformance(options),
    links: [...apiLinks(apiBase, apiBase, true), ...childLinks(scope.map((stored) => ({ apiBase, stored })))],
  };
}

function providerScope(ctx: Context, provider: string): ApiScope {
  const apiBase = `${ctx.origin}/stac/${encodeURIComponent(provider)}`;
  if (provider === 'ALL') return { apiBase, scope: ctx.store.collections, searchable: false };
  const ids = ctx.providers[provider];
  if (!ids) throw new NotFound(`Provider [${provider}] not found.`);
  const scope = ids
    .map((id) => ctx.store.collection(id))
    .filter((c): c is StoredCollection => c !== undefined);
  return { apiBase, scope, searchable: true };
}

/** The provider that really holds a collection (CMR's `ALL` links there). */
function homeProvider(ctx: Context, id: string): string {
  return Object.entries(ctx.providers).find(([, ids]) => ids.includes(id))?.[0] ?? 'ALL';
}

function routeCmr(ctx: Context, method: string, url: URL, body: unknown, segments: string[]): unknown {
  const rootHref = `${ctx.origin}/stac`;
  if (segments.length === 0) {
    const providers = [...Object.keys(ctx.providers), 'ALL'];
    return {
      type: 'Catalog',
      id: 'CMR-STAC',
      stac_version: '1.1.0',
      description: 'This is the landing page for CMR-STAC. Each provider link contains a STAC endpoint.',
      links: [
        { rel: 'self', href: rootHref, type: 'application/json', title: 'NASA CMR-STAC Root Catalog' },
        { rel: 'root', href: rootHref, type: 'application/json', title: 'NASA CMR-STAC Root Catalog' },
        ...providers.map((p) => ({
          rel: 'child',
          href: `${rootHref}/${p}`,
          title: p,
          type: 'application/json',
        })),
      ],
    };
  }
  const api = providerScope(ctx, segments[0] as string);
  if (segments.length === 1) return providerCatalog(ctx, api, segments[0] as string, url);
  return routeApi(ctx, api, method, url, body, segments.slice(1));
}

function providerCatalog(ctx: Context, api: ApiScope, provider: string, url: URL): unknown {
  const offset = Number(url.searchParams.get('cursor') ?? 0) || 0;
  const children = api.scope.slice(offset, offset + 100).map((stored) => ({
    apiBase: `${ctx.origin}/stac/${encodeURIComponent(homeProvider(ctx, stored.spec.id))}`,
    stored,
  }));
  const links = [...apiLinks(api.apiBase, `${ctx.origin}/stac`, api.searchable), ...childLinks(children)];
  links.push({ rel: 'data', href: `${api.apiBase}/collections`, type: 'application/json', method: 'POST' });
  if (children.length === 100) {
    links.push({ rel: 'next', href: `${api.apiBase}?cursor=${offset + 100}`, type: 'application/json' });
  }
  return {
    type: 'Catalog',
    id: provider,
    title: `${provider} STAC Catalog`,
    stac_version: '1.1.0',
    description: `Root STAC catalog for ${provider}`,
    conformsTo: CONFORMS_TO,
    links,
  };
}

function routeApi(
  ctx: Context,
  api: ApiScope,
  method: string,
  url: URL,
  body: unknown,
  segments: string[],
): unknown {
  const [head, id, items, itemId, ...extra] = segments;
  if (extra.length > 0) throw new NotFound('Oops! Unable to find the requested resource.');
  if (head === 'conformance' && !id) return { conformsTo: conformance(ctx.quirks) };
  if (head === 'search' && !id) {
    if (!api.searchable) throw new NotFound('This operation is not allowed for the ALL Catalog.');
    return searchPage(ctx, api, method, url, body, 'search', undefined);
  }
  if (head !== 'collections') throw new NotFound('Oops! Unable to find the requested resource.');
  if (id === undefined) return collectionList(ctx, api, url);
  const stored = api.scope.find((c) => c.spec.id === id);
  if (!stored || (!api.searchable && items)) {
    throw new NotFound(`Collection with ID [${id}] not found.`);
  }
  if (items === undefined)
    return collectionDocument(stored, api.apiBase, `${ctx.origin}${ctx.profile.basePath}`);
  if (items !== 'items' || method !== 'GET')
    throw new NotFound('Oops! Unable to find the requested resource.');
  if (itemId === undefined) return searchPage(ctx, api, method, url, undefined, 'items', id);
  return singleItem(ctx, api, stored, itemId);
}

function singleItem(ctx: Context, api: ApiScope, stored: StoredCollection, itemId: string): unknown {
  const entry = stored.byId.get(itemId);
  if (!entry) throw new NotFound(`Item with ID [${itemId}] in collection [${stored.spec.id}] not found.`);
  const item = ctx.store.item(entry);
  const shape = {
    apiBase: api.apiBase,
    kind: 'search' as const,
    selfHref: '',
    method: 'GET' as const,
    raw: {},
    endpoint: '',
  };
  item.links = ctx.profile.itemLinks(shape, stored.spec.id, itemId);
  return item;
}

/** `/collections`: CMR-STAC pages it (default 10, at most 100, `cursor`); the others list everything. */
function collectionList(ctx: Context, api: ApiScope, url: URL): unknown {
  const cmr = ctx.profile.tokenName === 'cursor';
  const offset = cmr ? Number(url.searchParams.get('cursor') ?? 0) || 0 : 0;
  const size = cmr ? Math.min(Number(url.searchParams.get('limit') ?? 10) || 10, 100) : api.scope.length;
  const page = api.scope.slice(offset, offset + size);
  const rootHref = `${ctx.origin}${ctx.profile.basePath}`;
  const links: Array<Record<string, unknown>> = [
    { rel: 'self', href: `${ctx.origin}${url.pathname}${url.search}`, type: 'application/json' },
    { rel: 'root', href: rootHref, type: 'application/json' },
    { rel: 'parent', href: api.apiBase, type: 'application/json' },
  ];
  if (cmr && offset + size < api.scope.length) {
    const next = new URL(url.href.replace(url.origin, ctx.origin));
    next.searchParams.set('cursor', String(offset + size));
    links.push({ rel: 'next', href: next.href, type: 'application/geo+json' });
  }
  const collections = page.map((stored) => collectionDocument(stored, api.apiBase, rootHref));
  return cmr ? { description: 'All collections', links, collections } : { collections, links };
}

function searchPage(
  ctx: Context,
  api: ApiScope,
  method: string,
  url: URL,
  body: unknown,
  kind: PageKind,
  collectionId: string | undefined,
): unknown {
  const raw =
    method === 'POST' ? { ...((body as Record<string, unknown>) ?? {}) } : queryToObject(url.searchParams);
  const params = searchParams(raw, ctx.profile.tokenName);
  const updated = ctx.quirks.searchExtensions?.filter ? updatedFilter(raw) : undefined;
  if (updated?.op === '>=') params.updatedSince = updated.stamp;
  if (updated?.op === '<') params.updatedBefore = updated.stamp;
  if (updated && updated.exceptIds.length > 0) params.exceptIds = updated.exceptIds;
  if (ctx.quirks.searchExtensions?.fields && raw.fields !== undefined) params.idsOnly = true;
  params.collections = collectionId
    ? [collectionId]
    : (params.collections ?? api.scope.map((c) => c.spec.id));
  const shape = {
    apiBase: api.apiBase,
    kind,
    selfHref: `${ctx.origin}${url.pathname}${url.search}`,
    method: method === 'POST' ? ('POST' as const) : ('GET' as const),
    raw,
    endpoint: `${ctx.origin}${url.pathname}`,
  };
  const results = ctx.store.search(params, ctx.profile.requireTime);
  const matched = keptCount(ctx, { ...params, raw: {}, token: undefined, limit: undefined }, results.length);
  return itemPage(
    {
      store: ctx.store,
      profile: ctx.profile,
      limits: ctx.limits,
      quirks: ctx.quirks,
      shape,
      params,
      matched,
    },
    results,
  );
}

/** The count of a search: the first one counted of the same search when the server keeps counts. */
function keptCount(ctx: Context, search: SearchParams, counted: number): number {
  if (!ctx.quirks.keepsCounts) return counted;
  const key = JSON.stringify(search);
  const kept = ctx.counts.get(key);
  if (kept !== undefined) return kept;
  ctx.counts.set(key, counted);
  return counted;
}
