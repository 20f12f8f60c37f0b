import type { WorkflowConfig } from '@scm/config';
import {
  type Failure,
  type HttpClient,
  isFailure,
  isPlainObject,
  ScmError,
  type SourceRecord,
} from '@scm/core';
import { DigestSet } from '@scm/core/id-set';
import {
  type ApiEndpoints,
  countItems,
  listItemIds,
  readConformance,
  readLanding,
  searchCapabilities,
} from '@scm/ingest';
import type { Delta } from './rebuild-incremental.js';

/**
 * An incremental run that asks a STAC API for the changed items only: a CQL2
 * filter `updated >= <high-water mark>` (inclusive, so items stamped at the
 * mark are not lost; their content hash then tells unchanged from modified).
 * Deletes are learnt one of two ways. When the API counts (`numberMatched`),
 * by a count once the harvest has read its last page: the items updated
 * before the mark can only leave that set (deleted, or updated and so
 * harvested), so when the server counts as many of them as the state holds
 * items the harvest did not return, none of those is gone. Otherwise, and
 * where that count differs, from an ids-only listing (the `fields` extension).
 */
export interface ServerDelta {
  /** Per filtered collection, the stamp asked from and what its deletes are learnt from. */
  collections: Map<string, FilteredCollection>;
  /** How the filter is sent. */
  filterLang: 'cql2-json' | 'cql2-text';
  /** Whether the ids listing finished; an incomplete one deletes nothing. */
  idsComplete: boolean;
  /** Whether deletes are learnt by counting (the API counts); see {@link noteHarvested}. */
  counting: boolean;
  /** Counting: whether the counts were taken (the harvest read every page). */
  counted?: boolean;
  /** Counting: the collections whose count differs, with both figures, e.g. `C (server 99001, state 99000)`. */
  countsDiffer?: string[];
  /**
   * The ids listing (or the count) while it runs: the listing runs beside the filtered harvest (on a large
   * collection it is most of an incremental run's wait for the server), the count after it; deletes are
   * decided once it settles.
   */
  listing?: Promise<void>;
  /** Told when the harvest has read its last page (`complete`: no window failed), before its client closes. */
  harvestRead?(complete: boolean): void;
}

/** One collection an incremental run asks the server for changed items only. */
export interface FilteredCollection {
  /** The `updated` stamp asked from. */
  since: string;
  /** The ids the server listed (when an ids listing ran). */
  ids?: DigestSet;
  /** Counting: the ids of the state's items of the collection. */
  stateIds?: DigestSet;
  /** Counting: the state's ids the harvest returned. */
  returned?: DigestSet;
  /** Counting: the server's count proved that no item of the state was deleted. */
  noneDeleted?: boolean;
}

/** What {@link chooseApiStrategy} needs of the harvest it plans. */
export interface ApiStrategyInput {
  config: WorkflowConfig;
  client: HttpClient;
  catalogUrl: string;
  collections: string[];
  /** Harvest settings shared with the ids listing (filters, limit, concurrency). */
  harvest: { datetime?: string; bbox?: number[]; limit?: number; concurrency: number };
  signal?: AbortSignal | undefined;
}

/** How the server filter runs: its language, whether ids can be listed, the marks per collection. */
interface FilterPlan {
  lang: 'cql2-json' | 'cql2-text';
  fields: boolean;
  marks: Map<string, string>;
  endpoints: ApiEndpoints;
}

/** Why the server filter cannot run, or the filter language and the collections it can run on. */
async function filterPlan(delta: Delta, input: ApiStrategyInput): Promise<{ reason: string } | FilterPlan> {
  const signal = input.signal ? { signal: input.signal } : {};
  const endpoints = await readLanding(input.client, input.catalogUrl, signal.signal);
  const caps = searchCapabilities(await readConformance(input.client, endpoints, signal.signal));
  if (!caps.filterLang || !endpoints.searchUrl)
    return { reason: 'the API does not announce a CQL2 filter on item search (conformance)' };
  const marks = new Map<string, string>();
  for (const id of input.collections) {
    const mark = delta.previous?.updatedHighWater.get(id);
    if (typeof mark === 'string') marks.set(id, mark);
  }
  if (marks.size === 0)
    return {
      reason:
        'the state has no `updated` high-water mark (items without properties.updated, or new collections)',
    };
  return { lang: caps.filterLang, fields: caps.fields, marks, endpoints };
}

/** The strategy line of the full listing, with why it ran. */
const listing = (why: string) =>
  `listing compared by content hash, ${why}: every record listed, only new and changed ones rebuilt`;

/**
 * Decides how an incremental run reads a STAC API, from `incremental.strategy`
 * (`auto` by default), the API's conformance classes and the state's
 * `updated` high-water marks, and says why in `delta.strategy`. Returns the
 * per-collection `updatedSince` stamps for the harvest (empty for the full
 * listing). With the filter, deletes are learnt by the API's count once the
 * harvest has read everything when the API counts (one probe tells), else by
 * an ids listing that starts beside the harvest (`delta.server.listing`).
 * Throws `SCM_USAGE` when `filter` is forced and cannot run.
 */
export async function chooseApiStrategy(
  delta: Delta,
  input: ApiStrategyInput,
): Promise<{ updatedSince: Record<string, string>; filterLang?: 'cql2-json' | 'cql2-text' }> {
  const wanted = input.config.incremental?.strategy ?? 'auto';
  if (delta.mode !== 'incremental' || !delta.previous) return { updatedSince: {} };
  if (wanted === 'listing') {
    delta.strategy = listing('as incremental.strategy says');
    return { updatedSince: {} };
  }
  const plan = await filterPlan(delta, input);
  if ('reason' in plan) {
    if (wanted === 'filter')
      throw new ScmError('SCM_USAGE', `incremental.strategy is "filter" but ${plan.reason}`);
    delta.strategy = listing(`because ${plan.reason}`);
    return { updatedSince: {} };
  }
  const server: ServerDelta = {
    collections: new Map(),
    filterLang: plan.lang,
    idsComplete: false,
    counting: false,
  };
  for (const [id, since] of plan.marks) server.collections.set(id, { since });
  delta.server = server;
  const describe = () => {
    delta.strategy = describeServerDelta(server, plan.fields, input.collections);
  };
  if (await apiCounts(server, plan, input)) countDeletes(server, delta, plan, input, describe);
  else if (plan.fields) {
    // An error of the listing (an abort) means an incomplete listing: nothing is deleted, the notes say so.
    server.listing = listIds(server, input, [...server.collections.keys()])
      .catch(() => undefined)
      .then(describe);
  }
  describe();
  seedMarks(delta, plan.marks);
  return { updatedSince: Object.fromEntries(plan.marks), filterLang: plan.lang };
}

/** The count of `updated < since` of one filtered collection, over the harvest's range (undefined: not counted). */
function countOlder(server: ServerDelta, plan: FilterPlan, input: ApiStrategyInput, id: string) {
  const { datetime, bbox } = input.harvest;
  return countItems({
    client: input.client,
    endpoints: plan.endpoints,
    collection: id,
    updatedBefore: server.collections.get(id)!.since,
    filterLang: server.filterLang,
    ...(datetime ? { datetime } : {}),
    ...(bbox ? { bbox } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  }).catch(() => undefined);
}

/** Whether the API counts what a filter matches: asked once, of the first filtered collection. */
async function apiCounts(server: ServerDelta, plan: FilterPlan, input: ApiStrategyInput): Promise<boolean> {
  const [first] = server.collections.keys();
  return first !== undefined && (await countOlder(server, plan, input, first)) !== undefined;
}

/**
 * Sets an incremental run up to learn deletes by counting: the state's ids per filtered collection, the
 * harvest's returns among them ({@link noteHarvested}), and, once the harvest has read everything, the
 * count of each collection's items updated before its mark; an ids listing runs only where it differs.
 */
function countDeletes(
  server: ServerDelta,
  delta: Delta,
  plan: FilterPlan,
  input: ApiStrategyInput,
  describe: () => void,
): void {
  server.counting = true;
  for (const entry of server.collections.values()) {
    entry.stateIds = new DigestSet();
    entry.returned = new DigestSet();
  }
  for (const record of delta.previous?.entries.values() ?? []) {
    server.collections.get(record.collection)?.stateIds?.add(record.id);
  }
  server.harvestRead = (complete) => {
    // A harvest that missed pages says nothing about deletes (and none are made): no count, no listing.
    if (!complete) return;
    server.listing = settleByCount(server, plan, input)
      .catch(() => undefined)
      .then(describe);
  };
}

/** Counts each filtered collection's items updated before its mark; lists the ids where the count differs. */
async function settleByCount(server: ServerDelta, plan: FilterPlan, input: ApiStrategyInput): Promise<void> {
  // All at once: each count is two round trips (the collection, the count), which the client's limits pace.
  const ids = [...server.collections.keys()];
  const counts = await Promise.all(ids.map((id) => countOlder(server, plan, input, id)));
  server.countsDiffer = [];
  for (const [i, id] of ids.entries()) {
    const entry = server.collections.get(id)!;
    const notReturned = entry.stateIds!.size - entry.returned!.size;
    if (counts[i] === notReturned) entry.noneDeleted = true;
    else server.countsDiffer.push(`${id} (server ${counts[i] ?? 'no count'}, state ${notReturned})`);
  }
  server.counted = true;
  const unproven = ids.filter((id) => !server.collections.get(id)!.noneDeleted);
  if (unproven.length > 0 && plan.fields) await listIds(server, input, unproven);
}

/**
 * Notes an item the filtered harvest returned, when deletes are learnt by counting: the state's items it
 * returned are not among those the count of items updated before the mark must find.
 */
export function noteHarvested(server: ServerDelta, record: SourceRecord | Failure): void {
  if (!server.counting || isFailure(record) || !isPlainObject(record.value)) return;
  const { collection, id, type } = record.value;
  if (type !== 'Feature' || typeof collection !== 'string' || typeof id !== 'string') return;
  const entry = server.collections.get(collection);
  if (entry?.stateIds?.has(id)) entry.returned?.add(id);
}

/** Runs the ids-only listing of some of the filtered collections. */
async function listIds(server: ServerDelta, input: ApiStrategyInput, collections: string[]): Promise<void> {
  const listing = await listItemIds({
    client: input.client,
    catalogUrl: input.catalogUrl,
    collections,
    concurrency: input.harvest.concurrency,
    ...(input.harvest.datetime ? { datetime: input.harvest.datetime } : {}),
    ...(input.harvest.bbox ? { bbox: input.harvest.bbox } : {}),
    ...(input.harvest.limit ? { limit: input.harvest.limit } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  server.idsComplete = listing.complete;
  for (const id of collections) {
    const ids = listing.ids.get(id);
    const entry = server.collections.get(id);
    if (ids && entry) entry.ids = ids;
  }
}

/** Items not fetched again keep their stamps: the filtered collections start from the previous marks. */
function seedMarks(delta: Delta, marks: Map<string, string>): void {
  for (const [id, mark] of marks) delta.next.updatedHighWater.set(id, mark);
}

/** The filtered collections whose deletes are known: counted as none, or listed in full. */
export function deletesKnown(server: ServerDelta, id: string): boolean {
  const entry = server.collections.get(id);
  return (
    entry !== undefined && (entry.noneDeleted === true || (server.idsComplete && entry.ids !== undefined))
  );
}

/** How the summary says where a run with the server filter learnt its deletes. */
function deletesLine(server: ServerDelta, fields: boolean): string {
  const listed = fields
    ? server.idsComplete
      ? 'deletes from an ids-only listing (fields extension)'
      : 'the ids-only listing did not finish: nothing deleted'
    : 'deletes cannot be known (the API has no fields extension): nothing deleted';
  if (!server.counting) return listed;
  if (!server.counted)
    return "deletes from the API's count once the harvest has read every page: not counted, nothing deleted";
  const counted = [...server.collections].filter(([, e]) => e.noneDeleted).map(([id]) => id);
  if (counted.length === server.collections.size)
    return 'no deletes: the API counts as many items updated before the mark as the state holds that the harvest did not return';
  const head = counted.length > 0 ? `no deletes in ${counted.join(', ')} (by the API's count); ` : '';
  const differ = server.countsDiffer?.join(', ') ?? '';
  return `${head}the count of items updated before the mark differs for ${differ}: ${listed}`;
}

/** The summary's strategy line of a run with the server filter. */
function describeServerDelta(server: ServerDelta, fields: boolean, collections: string[]): string {
  const marks = [...server.collections].map(([id, { since }]) => `${id} >= ${since}`).join(', ');
  const listed = collections.filter((id) => !server.collections.has(id));
  const rest = listed.length > 0 ? `; listed in full (no \`updated\` mark): ${listed.join(', ')}` : '';
  return `server filter on updated (${server.filterLang}): ${marks}; ${deletesLine(server, fields)}${rest}`;
}
