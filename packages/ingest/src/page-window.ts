import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFailure,
  errorMessage,
  type HttpClient,
  type HttpResponse,
  isPlainObject,
  isScmError,
  type Logger,
  type StacItem,
} from '@scm/core';
import { type FirstPageSpec, firstPageRequest } from './api.js';
import type { HarvestEvent } from './events.js';
import { type ItemContext, type ItemFix, normalizeItem } from './normalize.js';
import { findNextLink, nextRequest, type PageRequest, requestKey } from './request.js';
import { splitWindow, type WindowState, windowOwns } from './windows.js';

/** Page sizes tried, largest first, when a server refuses a `limit` with 400 (CMR-STAC refuses more than 5000, and serves at most 100). */
export const LIMIT_LADDER = [10000, 5000, 1000, 500, 250, 100, 50, 10] as const;

/** Pages in a row that only repeat items already fetched before the loop guard stops a chain. */
const MAX_REPEATED_PAGES = 3;

/** What every window of one collection shares. */
export interface CollectionRun {
  client: HttpClient;
  spec: FirstPageSpec;
  item: ItemContext;
  /** Page size asked for; lowered for everyone when the server refuses it. */
  limit: { value: number };
  /** Most features a page of this collection has held: a full page. */
  fullPage: { value: number };
  /** Cut windows by time (false: one chain per collection, like pystac-client). */
  partition: boolean;
  /** Windows run at once; the first plan aims at several windows per slot. */
  concurrency: number;
  /** Most ids a window remembers to drop repeats across its pages. */
  maxRememberedIds: number;
  /** Wait before a page that failed after the client's retries is tried once more, in ms. */
  coolDownMs: number;
  signal: AbortSignal;
  logger: Logger;
  /** Fixes applied to items, counted. */
  fixes: Map<ItemFix, number>;
  /** Hands an event to the consumer (waits while it is busy: backpressure). */
  emit(event: HarvestEvent): Promise<void>;
  /** Whether the consumer is behind: events wait for it, so a page fetched ahead would only wait in memory. */
  consumerBehind(): boolean;
  /** Queues windows cut from a larger one. */
  schedule(windows: WindowState[]): void;
  /** Told the number of items the whole collection range matches, when the server says. */
  onMatched?(matched: number): void;
  /** No `datetime` filter: the window of the whole range asks for every item, with no `datetime`. */
  unfiltered?: boolean;
  /** The whole range's first page, asked for before the landing page came; used if it is the same request. */
  early?: EarlyPage;
}

/** A first page asked for ahead of time, and the request it answers. */
export interface EarlyPage {
  key: string;
  response: Promise<HttpResponse<unknown>>;
}

/**
 * A window's first request. The whole range of an unfiltered harvest owns
 * every item, so it is asked for without `datetime`: the same request can
 * then be made before the collection's extent is known.
 */
export function firstRequest(run: CollectionRun, window: WindowState): PageRequest {
  if (!(run.unfiltered && window.first && window.last))
    return firstPageRequest(run.spec, window, run.limit.value);
  const { start: _start, end: _end, ...whole } = window;
  return firstPageRequest(run.spec, whole, run.limit.value);
}

/** The early first page when it answers `request` (taken once), else undefined. */
function takeEarly(run: CollectionRun, request: PageRequest): Promise<HttpResponse<unknown>> | undefined {
  const early = run.early;
  run.early = undefined;
  return early?.key === requestKey(request) ? early.response : undefined;
}

interface PageBody {
  features: StacItem[];
  links: unknown;
  matched?: number;
}

/** Items a search matched: `numberMatched`, else the older `context.matched`; undefined when the server does not count. */
export function matchedCount(body: unknown): number | undefined {
  if (!isPlainObject(body)) return undefined;
  const context = isPlainObject(body.context) ? body.context : {};
  const matched = typeof body.numberMatched === 'number' ? body.numberMatched : context.matched;
  return typeof matched === 'number' ? matched : undefined;
}

function readPage(body: unknown): PageBody | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.features)) return undefined;
  const matched = matchedCount(body);
  return {
    // A search with the fields extension may leave `type` out of each feature; its id still counts.
    features: body.features.filter(
      (f): f is StacItem =>
        isPlainObject(f) && (f.type === 'Feature' || (f.type === undefined && typeof f.id === 'string')),
    ),
    links: body.links,
    ...(matched !== undefined ? { matched } : {}),
  };
}

/** Ids a window has kept, forgetting the oldest beyond `max` so memory stays flat. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }
}

function stopEvent(
  window: WindowState,
  status: 'incomplete' | 'done',
  note: string,
): Extract<HarvestEvent, { type: 'window-stop' }> {
  return { type: 'window-stop', window: window.id, collection: window.collection, status, note };
}

/** A failed page as a PRD failure, with what is needed to re-run just that page. */
function pageFailure(window: WindowState, request: PageRequest, error: unknown): HarvestEvent {
  const details = isScmError(error) ? (error.details ?? {}) : {};
  return {
    type: 'failure',
    failure: createFailure({
      itemId: `${window.id} page ${window.pages + 1}`,
      errorType: 'api_error',
      message: `page request failed: ${errorMessage(error)}`,
      step: 'fetch',
      details: {
        url: request.url,
        method: request.method,
        ...(request.body !== undefined ? { request_body: request.body } : {}),
        status: details.status ?? null,
        attempts: details.attempts ?? null,
        response_body: details.body ?? null,
        window: window.id,
        code: isScmError(error) ? error.code : null,
      },
    }),
  };
}

function smallerLimit(current: number): number | undefined {
  return LIMIT_LADDER.find((l) => l < current);
}

/**
 * Fetches one page. A 400 on a window's first page whose `limit` we chose is
 * taken as "page too large": the next smaller limit is tried, and every
 * window of the collection uses it from then on.
 */
async function fetchPage(
  run: CollectionRun,
  window: WindowState,
  request: PageRequest,
  isFirst: boolean,
): Promise<{ body: unknown; url: string; request: PageRequest }> {
  let current = request;
  while (true) {
    try {
      const response = await (takeEarly(run, current) ??
        run.client.json<unknown>({ ...current, signal: run.signal }));
      return { body: response.body, url: response.url || current.url, request: current };
    } catch (error) {
      const lower = smallerLimit(run.limit.value);
      const refused = isFirst && isScmError(error) && error.details?.status === 400;
      if (!refused || lower === undefined || run.signal.aborted) throw error;
      run.logger.warn('the server refused the page size; asking for fewer items per page', {
        url: current.url,
        limit: run.limit.value,
        next_limit: lower,
      });
      run.limit.value = Math.min(run.limit.value, lower);
      current = firstRequest(run, window);
    }
  }
}

/** Windows per request slot a counted range is cut into at least: while one window's page is written, another's request runs. */
export const WINDOWS_PER_SLOT = 2;

/** Windows per request slot paged at once: the first cut takes up to this many where they cost fewer requests. */
export const MAX_WINDOWS_PER_SLOT = 4;

/** Most windows one window is cut into at once. */
const MAX_PARTS = 64;

/**
 * How many windows a counted range is cut into at first: two to four per request slot (fewer when the range
 * has fewer pages), as many as cost the fewest requests. Request slots, not windows, bound a harvest, and
 * every window ends on a page that is partly empty: the time cut assumes items spread evenly, so a window
 * should hold `matched / n` items, and one just over a whole number of pages pays a request for a few items,
 * one of exactly whole pages a request for the empty page after its last (a full page never ends a window).
 * On a tie, more windows: each is a smaller share of the tail, when the last windows run alone.
 */
function firstCut(concurrency: number, pageSize: number, matched: number): number {
  const pages = Math.ceil(matched / pageSize);
  const least = Math.min(concurrency * WINDOWS_PER_SLOT, pages, MAX_PARTS);
  const most = Math.min(concurrency * MAX_WINDOWS_PER_SLOT, pages, MAX_PARTS);
  let best = least;
  let fewest = Number.POSITIVE_INFINITY;
  for (let n = least; n <= most; n += 1) {
    const requests = n * (Math.floor(matched / n / pageSize) + 1);
    if (requests <= fewest) {
      best = n;
      fewest = requests;
    }
  }
  return best;
}

/**
 * Decides, from a window's first page, whether to cut it: when the server says
 * it holds more than the window's target, or (no counts) when it is the
 * collection's only window and has a next page. Returns the windows to run
 * instead, or undefined to page this one.
 */
function planSplit(
  run: CollectionRun,
  window: WindowState,
  page: PageBody,
  hasNext: boolean,
): WindowState[] | undefined {
  if (!run.partition || !hasNext) return undefined;
  if (page.matched === undefined) {
    if (!(window.first && window.last)) return undefined;
    return splitWindow(window, run.concurrency * 4);
  }
  const parts = firstCut(run.concurrency, Math.max(page.features.length, 1), page.matched);
  if (window.first && window.last && window.target === undefined) {
    return parts < 2 ? undefined : splitWindow(window, parts, Math.ceil(page.matched / parts));
  }
  // A window already cut is cut again only when it is well above its target, since each cut costs one page.
  const target = window.target ?? Math.ceil(page.matched / parts);
  if (page.matched <= target * 2) return undefined;
  return splitWindow(window, Math.min(MAX_PARTS, Math.ceil(page.matched / target)), target);
}

/** Applies normalisation, seam ownership and the per-window repeat filter to a page's features. */
function keptItems(run: CollectionRun, window: WindowState, page: PageBody, seen: RecentIds): StacItem[] {
  const kept: StacItem[] = [];
  for (const feature of page.features) {
    const { item, fixes } = normalizeItem(feature, run.item);
    for (const fix of fixes) run.fixes.set(fix, (run.fixes.get(fix) ?? 0) + 1);
    const id = String(item.id);
    if (seen.has(id) || !windowOwns(window, item)) continue;
    seen.add(id);
    kept.push(item);
  }
  return kept;
}

/** Where a window's paging stands between two pages. */
interface Cursor {
  request: PageRequest;
  /** The request is the window's first, built by us (its limit may be lowered). */
  isFirst: boolean;
  pages: number;
  /** Pages in a row that only repeated items. */
  repeats: number;
  seen: RecentIds;
  /** Requests already made (loop guard). */
  visited: Set<string>;
  /** Features received since the window's first page in this run, and what that page said match. */
  received: number;
  matched?: number;
}

interface FetchedPage extends PageBody {
  url: string;
  request: PageRequest;
}

/** A page fetched, or why it could not be (reported in window order, not when it happened). */
type Fetched = { page: FetchedPage } | { problem: unknown; request: PageRequest };

/** Fetches the cursor's page; never throws, so a page fetched ahead of its turn cannot reject unseen. */
async function fetchCursor(run: CollectionRun, window: WindowState, cursor: Cursor): Promise<Fetched> {
  cursor.visited.add(requestKey(cursor.request));
  let request = cursor.request;
  try {
    const fetched = await fetchPage(run, window, cursor.request, cursor.isFirst);
    request = fetched.request;
    const page = readPage(fetched.body);
    if (page) return { page: { ...page, url: fetched.url, request } };
    return { problem: new Error(`${fetched.url} did not return a FeatureCollection`), request };
  } catch (error) {
    return { problem: error, request };
  }
}

/**
 * Tries a page that failed after the client's retries once more, after a
 * cool-down: a server that throttles or fails for a while (CMR-STAC's bursts
 * of 500/503) often serves it then, and the window need not end incomplete.
 */
async function tryAgainLater(
  run: CollectionRun,
  window: WindowState,
  cursor: Cursor,
  failed: { problem: unknown; request: PageRequest },
): Promise<Fetched> {
  run.logger.warn('a page failed after retries; trying it once more after a cool-down', {
    window: window.id,
    url: failed.request.url,
    reason: errorMessage(failed.problem),
    wait_ms: run.coolDownMs,
  });
  try {
    await sleep(run.coolDownMs, undefined, { signal: run.signal });
  } catch {
    return failed;
  }
  cursor.request = failed.request;
  return fetchCursor(run, window, cursor);
}

/** Reports a page that failed after retries and ends its window as incomplete. */
async function reportFailure(
  run: CollectionRun,
  window: WindowState,
  cursor: Cursor,
  failed: { problem: unknown; request: PageRequest },
): Promise<void> {
  await run.emit(pageFailure({ ...window, pages: cursor.pages }, failed.request, failed.problem));
  await run.emit(
    stopEvent(window, 'incomplete', `page ${cursor.pages + 1} failed: ${errorMessage(failed.problem)}`),
  );
}

/** On a window's first page: cuts the window when it is large, and says whether it did. */
async function splitIfLarge(run: CollectionRun, window: WindowState, page: FetchedPage, hasNext: boolean) {
  if (window.first && window.last && page.matched !== undefined) run.onMatched?.(page.matched);
  const children = planSplit(run, window, page, hasNext);
  if (!children) return false;
  await run.emit({ type: 'plan', collection: window.collection, replaces: window.id, windows: children });
  run.schedule(children);
  return true;
}

/** Keeps the page's new items, and says why the chain must stop when it repeats itself. */
function guardLoops(
  run: CollectionRun,
  window: WindowState,
  cursor: Cursor,
  page: FetchedPage,
  next: PageRequest | undefined,
): { items: StacItem[]; note?: string } {
  const repeated = page.features.length > 0 && page.features.every((f) => cursor.seen.has(String(f.id)));
  cursor.repeats = repeated ? cursor.repeats + 1 : 0;
  const items = repeated ? [] : keptItems(run, window, page, cursor.seen);
  let note: string | undefined;
  if (cursor.repeats >= MAX_REPEATED_PAGES)
    note = `loop guard: ${cursor.repeats} pages in a row repeat items already fetched; stopped at page ${cursor.pages + 1}`;
  else if (next && cursor.visited.has(requestKey(next)))
    note = `loop guard: next link repeats ${next.url}; stopped`;
  if (note) run.logger.warn(note, { window: window.id, url: page.url });
  return note ? { items, note } : { items };
}

/**
 * Whether a window's count says it is finished: a page shorter than the
 * collection's full pages, with as many features received as its first page
 * said match. Servers that link past the last page (CMR-STAC, Earth Search)
 * then cost no extra request per window. A full page never ends a window,
 * so an estimated count cannot cut one short.
 */
function countedOut(run: CollectionRun, cursor: Cursor, page: FetchedPage): boolean {
  if (cursor.isFirst && cursor.pages === 0) cursor.matched = page.matched;
  cursor.received += page.features.length;
  const full = run.fullPage.value;
  run.fullPage.value = Math.max(full, page.features.length);
  return cursor.matched !== undefined && page.features.length < full && cursor.received >= cursor.matched;
}

/**
 * Pages one window from where it stands (its first page, or the checkpointed
 * next link) to its end. It stops on no next link, on an empty page (several
 * servers link past the last page), or when the chain repeats a request or
 * keeps serving items it already gave (the loop guard reports it, never
 * hangs). A page that fails after the client's retries is tried once more
 * after a cool-down; failing again, it ends the window as `incomplete` with a
 * failure; other windows go on.
 *
 * The next page is requested as soon as its link is known, before the
 * current page is handed to the consumer: while a page is written, its
 * window already waits on the server, so writing never idles a request slot.
 * When the consumer is behind, the page is handed on first, which bounds
 * what the windows hold however many of them there are.
 */
export async function pageWindow(run: CollectionRun, window: WindowState): Promise<void> {
  const cursor: Cursor = {
    request: window.next ?? firstRequest(run, window),
    isFirst: window.next === undefined,
    pages: window.pages,
    repeats: 0,
    seen: new RecentIds(run.maxRememberedIds),
    visited: new Set(),
    received: 0,
  };
  let pending = fetchCursor(run, window, cursor);
  while (!run.signal.aborted) {
    let fetched = await pending;
    if ('problem' in fetched && !run.signal.aborted)
      fetched = await tryAgainLater(run, window, cursor, fetched);
    if (run.signal.aborted) return;
    if ('problem' in fetched) return reportFailure(run, window, cursor, fetched);
    const { page } = fetched;
    const link = page.features.length > 0 ? findNextLink(page.links) : undefined;
    let next = link ? nextRequest(link, page.url, page.request) : undefined;
    if (cursor.isFirst && cursor.pages === 0 && (await splitIfLarge(run, window, page, next !== undefined)))
      return;
    const { items, note } = guardLoops(run, window, cursor, page, next);
    if (note || countedOut(run, cursor, page)) next = undefined;
    const event = pageEvent(window, cursor, page, items, next);
    // Fetched ahead only while the consumer keeps up: a window waiting on it then holds one page, not two.
    const ahead = next !== undefined && !run.consumerBehind();
    if (next && ahead) pending = fetchCursor(run, window, advance(cursor, next));
    await run.emit(event);
    if (note) await run.emit(stopEvent(window, 'done', note));
    if (!next) return;
    if (!ahead) pending = fetchCursor(run, window, advance(cursor, next));
  }
}

/** Moves the cursor past the page just read, to `next`. */
function advance(cursor: Cursor, next: PageRequest): Cursor {
  cursor.pages += 1;
  cursor.request = next;
  cursor.isFirst = false;
  return cursor;
}

function pageEvent(
  window: WindowState,
  cursor: Cursor,
  page: FetchedPage,
  items: StacItem[],
  next: PageRequest | undefined,
): HarvestEvent {
  return {
    type: 'page',
    window: window.id,
    collection: window.collection,
    url: page.url,
    items,
    ...(next ? { next } : {}),
    ...(page.matched !== undefined && cursor.pages === 0 ? { matched: page.matched } : {}),
  };
}
