import { type HttpClient, isPlainObject } from '@scm/core';
import type { ApiEndpoints } from './api.js';

/**
 * What an API's item search can narrow a harvest by, read from its
 * conformance classes: a CQL2 filter (STAC API `item-search#filter` with
 * `cql2-json` or `cql2-text`) and the `fields` extension (`item-search#fields`).
 */
export interface SearchCapabilities {
  /** The CQL2 encoding item search takes, `cql2-json` preferred; absent when the API cannot filter. */
  filterLang?: 'cql2-json' | 'cql2-text';
  /** Whether item search can return only some fields of each item. */
  fields: boolean;
}

const has = (classes: readonly string[], pattern: RegExp) => classes.some((c) => pattern.test(c));

/** The search capabilities that conformance classes announce (see {@link SearchCapabilities}). */
export function searchCapabilities(conformsTo: readonly string[]): SearchCapabilities {
  const filter = has(conformsTo, /\/item-search#filter$/);
  const lang = has(conformsTo, /\/cql2\/[^/]+\/conf\/cql2-json$/)
    ? 'cql2-json'
    : has(conformsTo, /\/cql2\/[^/]+\/conf\/cql2-text$/)
      ? 'cql2-text'
      : undefined;
  return {
    ...(filter && lang ? { filterLang: lang } : {}),
    fields: has(conformsTo, /\/item-search#fields$/),
  };
}

/**
 * The API's conformance classes: the landing page's `conformsTo`, else the
 * document its `conformance` link points to (an empty list when neither says).
 */
export async function readConformance(
  client: HttpClient,
  endpoints: ApiEndpoints,
  signal?: AbortSignal,
): Promise<string[]> {
  if (endpoints.conformsTo && endpoints.conformsTo.length > 0) return endpoints.conformsTo;
  if (!endpoints.conformanceUrl) return [];
  const response = await client.json<unknown>({
    url: endpoints.conformanceUrl,
    method: 'GET',
    ...(signal ? { signal } : {}),
  });
  const classes = isPlainObject(response.body) ? response.body.conformsTo : undefined;
  return Array.isArray(classes) ? classes.filter((c): c is string => typeof c === 'string') : [];
}

/** Members of the search request that narrow it to items updated since `since` (inclusive). */
export function updatedSinceMembers(
  method: 'GET' | 'POST',
  lang: 'cql2-json' | 'cql2-text',
  since: string,
): Record<string, unknown> {
  return filterMembers(method, lang, [{ property: 'updated', op: '>=', value: since }]);
}

/**
 * Members of the search request that narrow it to items updated before `before` (exclusive): the
 * complement of {@link updatedSinceMembers}. `exceptId` adds `id <> '<exceptId>'`: with an id no item
 * has, the filter is new to the server while it matches the same items, so a server that keeps counts by
 * query (pgstac keeps one for `context_stats_ttl`, a day by default) counts afresh.
 */
export function updatedBeforeMembers(
  method: 'GET' | 'POST',
  lang: 'cql2-json' | 'cql2-text',
  before: string,
  exceptId?: string,
): Record<string, unknown> {
  const terms: Comparison[] = [{ property: 'updated', op: '<', value: before }];
  if (exceptId !== undefined) terms.push({ property: 'id', op: '<>', value: exceptId });
  return filterMembers(method, lang, terms);
}

/** One CQL2 comparison of a property with a string. */
interface Comparison {
  property: 'updated' | 'id';
  op: '>=' | '<' | '<>';
  value: string;
}

/** The `filter` and `filter-lang` members of the comparisons, joined by `and`. */
function filterMembers(
  method: 'GET' | 'POST',
  lang: 'cql2-json' | 'cql2-text',
  terms: Comparison[],
): Record<string, unknown> {
  // `updated` is compared as the server stores it; RFC 3339 stamps of one source sort as text.
  if (lang === 'cql2-json') {
    const parts = terms.map((t) => ({ op: t.op, args: [{ property: t.property }, t.value] }));
    const filter = parts.length === 1 ? parts[0] : { op: 'and', args: parts };
    return { 'filter-lang': 'cql2-json', filter: method === 'GET' ? JSON.stringify(filter) : filter };
  }
  const text = terms.map((t) => `${t.property} ${t.op} '${t.value.replaceAll("'", "''")}'`).join(' AND ');
  return { 'filter-lang': 'cql2-text', filter: text };
}

/**
 * Members of the search request that ask for ids only (the `fields` extension): the id, and no links.
 * Each request names one collection, and an item on a window seam, kept by both windows without its
 * times, is counted once by the listing's id set. Measured on stac-fastapi-pgstac 7.2 (5,000 HLS items a
 * page): 1.1 s and 82 bytes an item, against 1.8 s and 632 bytes with `collection`, `properties.datetime`
 * and `properties.start_datetime` (pgstac's cost is in reading the properties).
 */
export function idsOnlyMembers(method: 'GET' | 'POST'): Record<string, unknown> {
  return { fields: method === 'GET' ? 'id,-links' : { include: ['id'], exclude: ['links'] } };
}
