import { isIntervalProblem, parseDatetimeInterval, rfc3339ToMillis } from '@scm/core/time';
/** A search as the fake server understands it, from a GET query or a POST body. */
export interface SearchParams {
  collections?: string[];
  ids?: string[];
  bbox?: number[];
  /** Raw datetime parameter (instant or interval). */
  datetime?: string;
  /** Requested page size, as given. */
  limit?: number;
  /** Paging token, whatever its parameter name (`cursor`, `next`, `token`). */
  token?: string;
  /** Only items whose `properties.updated` is at or after this (a CQL2 filter the server understood). */
  updatedSince?: string;
  /** Only items whose `properties.updated` is before this (a CQL2 filter the server understood). */
  updatedBefore?: string;
  /** Items left out by `id <> '<id>'` filter terms. */
  exceptIds?: string[];
  /** Only the id, collection and datetime of each item (the fields extension). */
  idsOnly?: boolean;
  /** Every parameter, as given, for echoing into next links. */
  raw: Record<string, unknown>;
}

/** Thrown for a parameter the server rejects with 400. */
export class BadRequest extends Error {}

/** `a,b` or `["a","b"]` → list of strings. */
function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value).split(',');
}

function numberList(value: unknown): number[] | undefined {
  const list = stringList(value);
  if (!list) return undefined;
  const numbers = list.map(Number);
  if (![4, 6].includes(numbers.length) || numbers.some((n) => !Number.isFinite(n))) {
    throw new BadRequest(
      "BBOX must be in the form of 'bbox=swLon,swLat,neLon,neLat' with valid latitude and longitude.",
    );
  }
  return numbers;
}

/**
 * Reads a GET query, including the qs bracket form CMR-STAC puts in next
 * links after a POST (`collections[0]=A&bbox[0]=-104`).
 */
export function queryToObject(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of query) {
    const bracket = /^([^[\]]+)\[(\d+)\]$/.exec(key);
    if (bracket) {
      const name = bracket[1] as string;
      const list = Array.isArray(out[name]) ? (out[name] as unknown[]) : [];
      list[Number(bracket[2])] = value;
      out[name] = list;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Picks the search fields out of a parameter object; `tokenName` is the style's paging parameter. */
export function searchParams(raw: Record<string, unknown>, tokenName: string): SearchParams {
  const params: SearchParams = { raw };
  const collections = stringList(raw.collections);
  if (collections) params.collections = collections;
  const ids = stringList(raw.ids);
  if (ids) params.ids = ids;
  const bbox = numberList(raw.bbox);
  if (bbox) params.bbox = bbox;
  if (raw.datetime !== undefined && raw.datetime !== '') params.datetime = String(raw.datetime);
  if (raw.limit !== undefined && raw.limit !== '') params.limit = Number(raw.limit);
  if (raw[tokenName] !== undefined) params.token = String(raw[tokenName]);
  return params;
}

/**
 * A datetime parameter as an inclusive [start, end] range in epoch ms; open
 * ends are infinite. Read with `@scm/core/time`; `requireTime` refuses a date
 * alone, as servers that want full date-times do.
 */
export function datetimeRange(value: string, requireTime: boolean): [number, number] {
  const parsed = parseDatetimeInterval(value);
  if (isIntervalProblem(parsed)) throw new BadRequest(DATETIME_MESSAGE);
  if (requireTime && (parsed.start?.dateOnly || parsed.end?.dateOnly)) throw new BadRequest(DATETIME_MESSAGE);
  const start = parsed.start?.ms ?? Number.NEGATIVE_INFINITY;
  const end = parsed.end?.ms ?? Number.POSITIVE_INFINITY;
  if (start > end) throw new BadRequest(DATETIME_MESSAGE);
  return [start, end];
}

/** Epoch ms of an RFC 3339 date-time; NaN when it is not one. */
export function timeOf(text: string): number {
  return rfc3339ToMillis(text) ?? Number.NaN;
}

const DATETIME_MESSAGE =
  'Query param datetime does not match a valid date format. Please use RFC3339 or ISO8601 formatted datetime strings.';

/** Serialises parameters the way CMR-STAC's `qs.stringify` does: arrays as `name[0]=…`, nested objects as JSON. */
export function qsStringify(params: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) query.append(`${key}[${i}]`, String(item));
    } else if (typeof value === 'object') query.append(key, JSON.stringify(value));
    else query.append(key, String(value));
  }
  return query.toString();
}

const UNSUPPORTED_FILTER =
  "this fake server only filters on `updated >= <timestamp>` or `updated < <timestamp>`, with `id <> '<id>'` terms joined by `and`";

/** A CQL2 filter the fake server understands: a comparison of `updated` with a stamp, and ids left out. */
export interface UpdatedFilter {
  op: '>=' | '<';
  stamp: string;
  /** Ids of `id <> '<id>'` terms. */
  exceptIds: string[];
}

type Term = { property: string; op: string; value: string };

/** The terms of a cql2-text filter: comparisons with quoted strings joined by `AND`. */
function textTerms(filter: string): Term[] {
  return filter.split(/\s+AND\s+/i).map((part) => {
    const match = /^\s*(\w+)\s*(>=|<>|<)\s*'([^']*)'\s*$/.exec(part);
    if (!match) throw new BadRequest(UNSUPPORTED_FILTER);
    return { property: match[1]!, op: match[2]!, value: match[3]! };
  });
}

/** The terms of a cql2-json filter: one comparison, or an `and` of them. */
function jsonTerms(json: unknown): Term[] {
  const { op, args } = (json ?? {}) as { op?: unknown; args?: unknown[] };
  if (op === 'and' && Array.isArray(args)) return args.flatMap(jsonTerms);
  const [left, right] = Array.isArray(args) ? args : [];
  const property = (left as { property?: unknown })?.property;
  if (typeof op !== 'string' || typeof property !== 'string' || typeof right !== 'string')
    throw new BadRequest(UNSUPPORTED_FILTER);
  return [{ property, op, value: right }];
}

/** The filter of the terms: exactly one `updated` comparison, and any `id <>` terms. */
function fromTerms(terms: Term[]): UpdatedFilter {
  const updated = terms.filter((t) => t.property === 'updated' && (t.op === '>=' || t.op === '<'));
  const except = terms.filter((t) => t.property === 'id' && t.op === '<>');
  if (updated.length !== 1 || updated.length + except.length !== terms.length)
    throw new BadRequest(UNSUPPORTED_FILTER);
  const [{ op, value }] = updated as [Term];
  return { op: op as UpdatedFilter['op'], stamp: value, exceptIds: except.map((t) => t.value) };
}

/**
 * The filter of a CQL2 `updated >= <stamp>` or `updated < <stamp>`, with
 * `id <> '<id>'` terms joined by `and`, in cql2-json (an object, or its JSON
 * text in a GET) or cql2-text; anything else is a 400, as a server that
 * cannot evaluate a filter says.
 */
export function updatedFilter(raw: Record<string, unknown>): UpdatedFilter | undefined {
  const filter = raw.filter;
  if (filter === undefined || filter === '') return undefined;
  const lang = raw['filter-lang'] ?? (typeof filter === 'string' ? 'cql2-text' : 'cql2-json');
  if (lang === 'cql2-text') return fromTerms(textTerms(String(filter)));
  let json: unknown = filter;
  try {
    if (typeof filter === 'string') json = JSON.parse(filter);
  } catch {
    throw new BadRequest('filter is not JSON');
  }
  return fromTerms(jsonTerms(json));
}
