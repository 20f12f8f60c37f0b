import { setMaxListeners } from 'node:events';
import {
  createChannel,
  createFailure,
  errorMessage,
  type HttpClient,
  isScmError,
  type Logger,
  noopLogger,
  ScmError,
  type StacCollection,
} from '@scm/core';
import pLimit from 'p-limit';
import {
  type ApiEndpoints,
  collectionUrl,
  type FirstPageSpec,
  firstPageRequest,
  type ItemsEndpoint,
  readCollection,
  readLanding,
} from './api.js';
import { type HarvestCheckpoint, HarvestState } from './checkpoint.js';
import { idsOnlyMembers, updatedSinceMembers } from './delta-query.js';
import type { HarvestEvent } from './events.js';
import type { ItemFix } from './normalize.js';
import {
  type CollectionRun,
  type EarlyPage,
  MAX_WINDOWS_PER_SLOT,
  pageWindow,
  WINDOWS_PER_SLOT,
} from './page-window.js';
import { requestKey } from './request.js';
import {
  collectionTimeRange,
  harvestRange,
  makeWindow,
  parseDatetimeFilter,
  type TimeRange,
  type WindowState,
} from './windows.js';

/** Options of {@link harvest}. */
export interface HarvestOptions {
  /** HTTP client (retries, rate limit, concurrency): `createHttpClient` of `@scm/http`. */
  client: HttpClient;
  /** STAC API landing page, e.g. `https://cmr.earthdata.nasa.gov/stac/LPCLOUD`. */
  catalogUrl: string;
  /** Collection ids to harvest. */
  collections: string[];
  /** STAC API `datetime` filter (`start/end`, `..` for open ends). Default: the whole extent. */
  datetime?: string;
  /** `[minx, miny, maxx, maxy]` filter. */
  bbox?: number[];
  /** Items asked for per page; lowered automatically when the server refuses it. Default 1000. */
  limit?: number;
  /** `items` (`/collections/{id}/items`), `search`, or `auto`: search when the API has it. Default `auto`. */
  endpoint?: ItemsEndpoint | 'auto';
  /** Method of search requests: `GET` or `POST` (when the API advertises it). Default `GET`. */
  method?: 'GET' | 'POST';
  /** Cut each collection into time windows fetched in parallel. Default true. */
  partition?: boolean;
  /** Requests the harvest keeps in flight (the HTTP client's concurrency); up to four times as many windows are paged at once. Default 5. */
  concurrency?: number;
  /** Continue from this checkpoint: finished windows are skipped, the others go on from their next link. */
  resume?: HarvestCheckpoint;
  /** Most ids each window remembers to drop repeats across its pages. Default 100000. */
  maxRememberedIds?: number;
  /** Cool-down before a page that failed after the client's retries gets its one more try, in ms. Default 10000. */
  retryCoolDownMs?: number;
  /**
   * Per collection id, an RFC 3339 stamp: only items whose `properties.updated`
   * is at or after it are asked for (a CQL2 filter on item search; see
   * {@link searchCapabilities}). Collections not named are harvested whole.
   */
  updatedSince?: Record<string, string>;
  /** How `updatedSince` is sent: `cql2-json` (default) or `cql2-text`. */
  filterLang?: 'cql2-json' | 'cql2-text';
  /** Ask only for ids (with collection and datetime) by the `fields` extension: a cheap listing. */
  idsOnly?: boolean;
  /** Logger (default: none). */
  logger?: Logger;
  /** Stops the harvest; the iteration then throws `SCM_ABORTED`. */
  signal?: AbortSignal;
}

/** A running harvest: iterate its events, write their items, then `state.apply(event)`. */
export interface Harvest extends AsyncIterable<HarvestEvent> {
  /** Where every window stands, as far as the consumer applied events; snapshot it for a checkpoint. */
  readonly state: HarvestState;
  /** Identifies the harvest's API, collections and filters (checkpoints carry it). */
  readonly fingerprint: string;
  /** Repairs made to items, by kind (see `normalizeItem`). */
  fixes(): Partial<Record<ItemFix, number>>;
  /** Items the server said match, over the collections that say (for an ETA); undefined when none says. */
  expectedItems(): number | undefined;
}

/** The fingerprint of a harvest: what must not change between a run and its resume. */
export function harvestFingerprint(options: HarvestOptions): string {
  return JSON.stringify({
    api: options.catalogUrl,
    collections: [...options.collections].sort(),
    datetime: options.datetime ?? null,
    bbox: options.bbox ?? null,
    endpoint: options.endpoint ?? 'auto',
    method: options.method ?? 'GET',
    partition: options.partition ?? true,
    ...(options.updatedSince ? { updatedSince: options.updatedSince, filterLang: options.filterLang } : {}),
    ...(options.idsOnly ? { idsOnly: true } : {}),
  });
}

/** Search members that narrow what a collection's windows ask for: the `updated` filter, ids only. */
function narrowing(options: HarvestOptions, id: string, method: 'GET' | 'POST'): Record<string, unknown> {
  const since = options.updatedSince?.[id];
  return {
    ...(since !== undefined ? updatedSinceMembers(method, options.filterLang ?? 'cql2-json', since) : {}),
    ...(options.idsOnly ? idsOnlyMembers(method) : {}),
  };
}

/** How a collection's windows ask for their first pages: endpoint, method, URL and the narrowing members. */
export function pickSpec(options: HarvestOptions, endpoints: ApiEndpoints, id: string): FirstPageSpec {
  const wanted = options.endpoint ?? 'auto';
  const search = endpoints.searchUrl !== undefined && wanted !== 'items';
  if (wanted === 'search' && !endpoints.searchUrl) {
    throw new ScmError('SCM_USAGE', `${endpoints.rootUrl} has no search link; use the items endpoint`);
  }
  if (!search && (options.updatedSince?.[id] !== undefined || options.idsOnly)) {
    throw new ScmError('SCM_USAGE', `${endpoints.rootUrl}: filters and fields need the search endpoint`);
  }
  const method =
    search && options.method === 'POST' && endpoints.searchMethods.includes('POST') ? 'POST' : 'GET';
  const extra = narrowing(options, id, method);
  return {
    endpoint: search ? 'search' : 'items',
    method,
    url: search ? (endpoints.searchUrl as string) : `${collectionUrl(endpoints, id)}/items`,
    ...(options.bbox ? { bbox: options.bbox } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

/**
 * Harvests the items of STAC API collections. Each collection is cut into
 * time windows from its temporal extent (finer where the server's
 * `numberMatched`/`context.matched` says a window is large; one request tells
 * an empty window apart), windows are paged concurrently, each by following
 * its `rel=next` links exactly, and items on window seams are kept once. Events
 * come in order per window, and the producers wait while the consumer is busy,
 * so memory stays flat whatever the size of the collection.
 */
export function harvest(options: HarvestOptions): Harvest {
  const fingerprint = harvestFingerprint(options);
  const state = new HarvestState(fingerprint, options.resume);
  const fixes = new Map<ItemFix, number>();
  const expected = new Map<string, number>();
  const filter: TimeRange | undefined = options.datetime ? parseDatetimeFilter(options.datetime) : undefined;
  return {
    state,
    fingerprint,
    fixes: () => Object.fromEntries(fixes),
    expectedItems: () =>
      expected.size === 0 ? undefined : [...expected.values()].reduce((a, b) => a + b, 0),
    [Symbol.asyncIterator]: () => runHarvest(options, state, filter, fixes, expected),
  };
}

async function* runHarvest(
  options: HarvestOptions,
  state: HarvestState,
  filter: TimeRange | undefined,
  fixes: Map<ItemFix, number>,
  expected: Map<string, number>,
): AsyncGenerator<HarvestEvent> {
  const concurrency = options.concurrency ?? 5;
  const logger = (options.logger ?? noopLogger).child('ingest');
  const controller = new AbortController();
  // Every request of every window listens to this signal (its turn of the rate limit, the request, its
  // deadline): more than Node's default of 10 listeners is the design, not a leak, and would print a warning.
  setMaxListeners(concurrency * MAX_WINDOWS_PER_SLOT * 4, controller.signal);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const channel = createChannel<HarvestEvent>(concurrency * WINDOWS_PER_SLOT);
  // More windows than request slots: the HTTP client's own limit queues their requests, so a slot
  // freed by one window is taken at once by another while the first one's page is being written.
  const limiter = pLimit(concurrency * MAX_WINDOWS_PER_SLOT);
  let outstanding = 0;
  const track = (task: Promise<void>) => {
    outstanding += 1;
    task.then(
      () => {
        outstanding -= 1;
        if (outstanding === 0) channel.close();
      },
      (error) => channel.fail(error),
    );
  };
  const emit = (event: HarvestEvent) => channel.push(event);
  const consumerBehind = () => channel.size >= concurrency * WINDOWS_PER_SLOT;
  const startCollection = async (endpoints: ApiEndpoints, id: string, guess?: EarlyCollection) => {
    const context = { controller, logger, fixes, emit, consumerBehind, filter };
    const run = await openCollection(options, endpoints, id, context, guess);
    if (!run) return;
    if (guess?.firstPage) run.early = guess.firstPage;
    run.schedule = (windows) => {
      for (const w of windows) track(limiter(() => pageWindow(run, w)));
    };
    run.onMatched = (n) => expected.set(id, n);
    const planned = state.plannedWindows(id);
    const windows = planned ?? [rootWindow(run, id)];
    if (!planned) await emit({ type: 'plan', collection: id, windows });
    run.schedule(windows.filter((w) => w.status !== 'done'));
  };
  const early = readCollectionsEarly(options, controller.signal);
  track(
    (async () => {
      const endpoints = await readLanding(options.client, options.catalogUrl, controller.signal);
      for (const id of options.collections)
        track(limiter(() => startCollection(endpoints, id, early.get(id))));
    })(),
  );
  try {
    for await (const event of channel) yield event;
    if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the harvest was interrupted');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    controller.abort();
    channel.fail(new ScmError('SCM_ABORTED', 'the harvest was stopped'));
  }
}

/** A collection document (and its first page) asked for before the landing page said where they are. */
interface EarlyCollection {
  url: string;
  document: Promise<StacCollection>;
  firstPage?: EarlyPage;
}

/**
 * Asks for each collection at `<catalog>/collections/{id}`, and for its
 * first page where it can be guessed, while the landing page is on its way:
 * on a server with a second of latency, each saves that second. An answer is
 * used only when the landing page leads to the same request; otherwise it
 * is dropped and the links are followed.
 */
function readCollectionsEarly(options: HarvestOptions, signal: AbortSignal): Map<string, EarlyCollection> {
  const guess: ApiEndpoints = {
    rootUrl: options.catalogUrl,
    collectionsUrl: new URL('collections', options.catalogUrl.replace(/\/?$/, '/')).toString(),
    searchMethods: [],
  };
  const early = new Map<string, EarlyCollection>();
  for (const id of options.collections) {
    const document = readCollection(options.client, guess, id, signal);
    // An unused or failed guess must not surface as an unhandled rejection.
    document.catch(() => undefined);
    const firstPage = earlyFirstPage(options, guess, id, signal);
    early.set(id, { url: collectionUrl(guess, id), document, ...(firstPage ? { firstPage } : {}) });
  }
  return early;
}

/**
 * The whole range's first page of an unfiltered GET harvest, asked for where
 * `pickSpec` will most likely send it (search when not told `items`); none
 * on a resume, whose windows are already planned.
 */
function earlyFirstPage(
  options: HarvestOptions,
  guess: ApiEndpoints,
  id: string,
  signal: AbortSignal,
): EarlyPage | undefined {
  if (options.datetime || options.method === 'POST' || options.resume?.planned.includes(id)) return undefined;
  if (options.idsOnly || options.updatedSince?.[id] !== undefined) return undefined;
  const endpoints = { ...guess, searchUrl: new URL('search', guess.collectionsUrl).toString() };
  const spec = pickSpec(options, endpoints, id);
  const request = firstPageRequest(spec, makeWindow(id, {}, true, true), options.limit ?? 1000);
  const response = options.client.json<unknown>({ ...request, signal });
  response.catch(() => undefined);
  return { key: requestKey(request), response };
}

/**
 * The time range a collection's windows cover: the filter within its extent, or no bounds at all when
 * the harvest neither partitions nor filters by time (then items outside the extent come too).
 */
export function windowedRange(
  options: Pick<HarvestOptions, 'partition'>,
  range: TimeRange,
  filter: TimeRange | undefined,
): TimeRange {
  return (options.partition ?? true) || filter ? range : {};
}

/** The window a collection starts from: its whole range (none when not partitioned and unfiltered). */
function rootWindow(run: CollectionRun & { range: TimeRange }, id: string): WindowState {
  return makeWindow(id, run.range, true, true);
}

interface OpenContext {
  controller: AbortController;
  logger: Logger;
  fixes: Map<ItemFix, number>;
  emit(event: HarvestEvent): Promise<void>;
  consumerBehind(): boolean;
  filter: TimeRange | undefined;
}

/**
 * Reads a collection and prepares what its windows share. A collection that
 * cannot be read is a failure (`api_error`) and the others go on.
 */
async function openCollection(
  options: HarvestOptions,
  endpoints: ApiEndpoints,
  id: string,
  context: OpenContext,
  early?: EarlyCollection,
): Promise<(CollectionRun & { range: TimeRange }) | undefined> {
  let collection: StacCollection;
  try {
    collection =
      early?.url === collectionUrl(endpoints, id)
        ? await early.document
        : await readCollection(options.client, endpoints, id, context.controller.signal);
  } catch (error) {
    if (context.controller.signal.aborted) return undefined;
    const details = isScmError(error) ? (error.details ?? {}) : {};
    await context.emit({
      type: 'failure',
      failure: createFailure({
        itemId: id,
        errorType: 'api_error',
        message: `collection "${id}" could not be read: ${errorMessage(error)}`,
        step: 'fetch',
        details: { url: collectionUrl(endpoints, id), status: details.status ?? null, collection: id },
      }),
    });
    return undefined;
  }
  await context.emit({ type: 'collection', collection });
  const range = harvestRange(collectionTimeRange(collection), context.filter);
  if (range.empty) {
    context.logger.info(
      "the datetime filter lies outside the collection's temporal extent: nothing to fetch",
      {
        collection: id,
      },
    );
    return undefined;
  }
  const partition = options.partition ?? true;
  return {
    client: options.client,
    spec: pickSpec(options, endpoints, id),
    item: { collectionId: id, collectionUrl: collectionUrl(endpoints, id), rootUrl: endpoints.rootUrl },
    limit: { value: options.limit ?? 1000 },
    fullPage: { value: 0 },
    partition,
    concurrency: options.concurrency ?? 5,
    maxRememberedIds: options.maxRememberedIds ?? 100_000,
    coolDownMs: options.retryCoolDownMs ?? 10_000,
    signal: context.controller.signal,
    logger: context.logger,
    fixes: context.fixes,
    emit: context.emit,
    consumerBehind: context.consumerBehind,
    schedule: () => undefined,
    range: windowedRange(options, range, context.filter),
    unfiltered: context.filter === undefined,
  };
}
