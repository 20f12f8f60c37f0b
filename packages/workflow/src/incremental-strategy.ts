import type { WorkflowConfig } from '@scm/config';
import { type HttpClient, ScmError } from '@scm/core';
import type { DigestSet } from '@scm/core/id-set';
import { listItemIds, readConformance, readLanding, searchCapabilities } from '@scm/ingest';
import type { Delta } from './rebuild-incremental.js';

/**
 * An incremental run that asks a STAC API for the changed items only: a CQL2
 * filter `updated >= <high-water mark>` (inclusive, so items stamped at the
 * mark are not lost; their content hash then tells unchanged from modified),
 * with deletes learnt from an ids-only listing (the `fields` extension).
 */
export interface ServerDelta {
  /** Per filtered collection, the stamp asked from and (when the API lists ids cheaply) the ids it lists. */
  collections: Map<string, { since: string; ids?: DigestSet }>;
  /** How the filter is sent. */
  filterLang: 'cql2-json' | 'cql2-text';
  /** Whether the ids listing finished; an incomplete one deletes nothing. */
  idsComplete: boolean;
  /**
   * The ids listing while it runs: it runs beside the filtered harvest (on a large collection it is most
   * of an incremental run's wait for the server) and is awaited before deletes are decided.
   */
  listing?: Promise<void>;
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

/** Why the server filter cannot run, or the filter language and the collections it can run on. */
async function filterPlan(
  delta: Delta,
  input: ApiStrategyInput,
): Promise<
  { reason: string } | { lang: 'cql2-json' | 'cql2-text'; fields: boolean; marks: Map<string, string> }
> {
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
  return { lang: caps.filterLang, fields: caps.fields, marks };
}

/** The strategy line of the full listing, with why it ran. */
const listing = (why: string) =>
  `listing compared by content hash, ${why}: every record listed, only new and changed ones rebuilt`;

/**
 * Decides how an incremental run reads a STAC API, from `incremental.strategy`
 * (`auto` by default), the API's conformance classes and the state's
 * `updated` high-water marks, and says why in `delta.strategy`. Returns the
 * per-collection `updatedSince` stamps for the harvest (empty for the full
 * listing). With the filter, the ids listing starts beside the harvest
 * (`delta.server.listing`). Throws `SCM_USAGE`
 * when `filter` is forced and cannot run.
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
  const server: ServerDelta = { collections: new Map(), filterLang: plan.lang, idsComplete: false };
  for (const [id, since] of plan.marks) server.collections.set(id, { since });
  delta.strategy = describeServerDelta(server, plan.fields, input.collections);
  if (plan.fields) {
    // An error of the listing (an abort) means an incomplete listing: nothing is deleted, the notes say so.
    server.listing = listIds(server, input)
      .catch(() => undefined)
      .then(() => {
        delta.strategy = describeServerDelta(server, plan.fields, input.collections);
      });
  }
  delta.server = server;
  seedMarks(delta, plan.marks);
  return { updatedSince: Object.fromEntries(plan.marks), filterLang: plan.lang };
}

/** Runs the ids-only listing of the filtered collections. */
async function listIds(server: ServerDelta, input: ApiStrategyInput): Promise<void> {
  const listing = await listItemIds({
    client: input.client,
    catalogUrl: input.catalogUrl,
    collections: [...server.collections.keys()],
    concurrency: input.harvest.concurrency,
    ...(input.harvest.datetime ? { datetime: input.harvest.datetime } : {}),
    ...(input.harvest.bbox ? { bbox: input.harvest.bbox } : {}),
    ...(input.harvest.limit ? { limit: input.harvest.limit } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  server.idsComplete = listing.complete;
  for (const [id, entry] of server.collections) {
    const ids = listing.ids.get(id);
    if (ids) entry.ids = ids;
  }
}

/** Items not fetched again keep their stamps: the filtered collections start from the previous marks. */
function seedMarks(delta: Delta, marks: Map<string, string>): void {
  for (const [id, mark] of marks) delta.next.updatedHighWater.set(id, mark);
}

/** The summary's strategy line of a run with the server filter. */
function describeServerDelta(server: ServerDelta, fields: boolean, collections: string[]): string {
  const marks = [...server.collections].map(([id, { since }]) => `${id} >= ${since}`).join(', ');
  const deletes = fields
    ? server.idsComplete
      ? 'deletes from an ids-only listing (fields extension)'
      : 'the ids-only listing did not finish: nothing deleted'
    : 'deletes cannot be known (the API has no fields extension): nothing deleted';
  const listed = collections.filter((id) => !server.collections.has(id));
  const rest = listed.length > 0 ? `; listed in full (no \`updated\` mark): ${listed.join(', ')}` : '';
  return `server filter on updated (${server.filterLang}): ${marks}; ${deletes}${rest}`;
}
