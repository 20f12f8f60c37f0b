import type {
  AnyIterable,
  Bbox,
  Failure,
  Geometry,
  RecordOrigin,
  SourceRecord,
  StacAsset,
  StacItem,
  StacItemProperties,
  StacLink,
} from '@scm/core';
import {
  createFailure,
  isFailure,
  isForbiddenKey,
  isPlainObject,
  noopLogger,
  ScmError,
  toRfc3339,
} from '@scm/core';
import { bboxesAgree, geometryFromBbox, isBboxShape } from '@scm/core/geojson';
import { ITEM_DATETIME_PROPERTIES, isItemMember } from '@scm/core/stac-item';
import { compareDatetimes, normalizeDatetime } from './datetime.js';
import { prepareGeometry } from './geometry-prepare.js';
import { copyJson, forbiddenKeyWarning } from './json-copy.js';
import { buildLinks } from './links.js';
import type { ResolvedOptions, ScaffoldItemsOptions, ScaffoldOptions, ScaffoldWarning } from './options.js';
import { resolveOptions } from './options.js';
import type { ScaffoldRule } from './rules.js';

/** What {@link scaffoldItem} returns: an Item with its warnings, or a Failure. */
export type ScaffoldResult =
  | { ok: true; item: StacItem; warnings: string[] }
  | { ok: false; failure: Failure };

/** Properties written first, in this order. */
const LEADING_PROPERTIES: ReadonlySet<string> = new Set(ITEM_DATETIME_PROPERTIES);

const DATETIME_EXAMPLE = 'an RFC 3339 date-time or a date, e.g. "2024-01-12T13:50:00Z" or "2024-01-12"';

/**
 * Completes a mapped record into a STAC 1.0.0 Item, or explains why it
 * cannot. Never throws for bad data: problems come back as a {@link Failure}
 * (`error_type: 'validation_error'`, `step: 'scaffold'`, the field in
 * `error_context.field` and a {@link ScaffoldRule} in `error_context.rule`).
 * Throws `SCM_SCAFFOLD_OPTIONS_INVALID` only when `options` are malformed.
 *
 * The record is not modified and the Item shares no objects with it.
 *
 * @param record A mapped record: `id`, `geometry` (GeoJSON, GeoJSON text, WKT
 *   or EWKT), `properties.datetime` (or `start_datetime`/`end_datetime`),
 *   `assets`, and optionally `collection`, `bbox`, `links`,
 *   `stac_extensions`. Other top-level fields move into `properties`.
 * @param options See {@link ScaffoldOptions}.
 * @param origin Where the record came from, copied into failures.
 */
export function scaffoldItem(
  record: Record<string, unknown>,
  options?: ScaffoldOptions,
  origin?: RecordOrigin,
): ScaffoldResult {
  return scaffoldResolved(record, resolveOptions(options), origin ?? {});
}

/**
 * Streams records into Items. Failures from earlier steps pass through
 * unchanged; records that cannot become Items are yielded as Failures, in
 * order, so the run goes on. Warnings go to `options.onWarning`, or else to
 * `options.logger`. Throws `SCM_SCAFFOLD_OPTIONS_INVALID` at once for bad
 * options, and `SCM_ABORTED` when `options.signal` aborts.
 */
export function scaffoldItems(
  source: AnyIterable<SourceRecord | Failure>,
  options: ScaffoldItemsOptions = {},
): AsyncGenerator<SourceRecord<StacItem> | Failure> {
  const resolved = resolveOptions(options);
  const logger = options.logger ?? noopLogger;
  const report =
    options.onWarning ??
    ((warning: ScaffoldWarning) =>
      logger.warn(warning.message, {
        item_id: warning.itemId,
        file: warning.origin.file,
        line: warning.origin.line,
      }));
  return run(source, resolved, report, options.signal);
}

async function* run(
  source: AnyIterable<SourceRecord | Failure>,
  resolved: ResolvedOptions,
  report: (warning: ScaffoldWarning) => void,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceRecord<StacItem> | Failure> {
  for await (const entry of source) {
    if (signal?.aborted)
      throw new ScmError('SCM_ABORTED', 'scaffolding was aborted', { cause: signal.reason });
    if (isFailure(entry)) {
      yield entry;
      continue;
    }
    const origin = (entry as SourceRecord | undefined)?.origin ?? {};
    const result = scaffoldResolved((entry as SourceRecord | undefined)?.value, resolved, origin);
    if (!result.ok) {
      yield result.failure;
      continue;
    }
    for (const message of result.warnings) report({ itemId: result.item.id, message, origin });
    yield { value: result.item, origin };
  }
}

/** Why a record cannot become an Item: the rule it breaks, the field, and what to tell the user. */
class Refusal {
  constructor(
    readonly rule: ScaffoldRule,
    readonly field: string,
    readonly message: string,
    readonly details?: unknown,
  ) {}
}

const invalid = (field: string, message: string) => new Refusal('field_invalid', field, message);

/** Scaffolds with options already resolved; the hot path. Each step reads one part of the record. */
export function scaffoldResolved(record: unknown, o: ResolvedOptions, origin: RecordOrigin): ScaffoldResult {
  if (!isPlainObject(record)) {
    const message = `record must be an object, got ${describe(record)}`;
    return failure(undefined, record, origin, 'record_invalid', undefined, message);
  }
  const id = readId(record.id);
  if (id instanceof Refusal) return failure(undefined, record, origin, id.rule, id.field, id.message);
  const warnings: string[] = [];
  const parts = readParts(record, id, o, warnings);
  if (parts instanceof Refusal) {
    return failure(id, record, origin, parts.rule, parts.field, parts.message, parts.details);
  }
  return { ok: true, item: assembleItem(id, parts, o), warnings };
}

/** Everything an Item is made of, once read and checked. */
interface ItemParts {
  header: { collection: string | undefined; stacExtensions: string[] };
  gathered: Record<string, unknown>;
  times: Datetimes;
  place: { geometry: Geometry | null; bbox: Bbox | undefined };
  links: StacLink[];
  assets: Record<string, StacAsset>;
}

/** The steps in the order their problems are reported. */
function readParts(
  record: Record<string, unknown>,
  id: string,
  o: ResolvedOptions,
  warnings: string[],
): ItemParts | Refusal {
  const header = readHeader(record, o, warnings);
  if (header instanceof Refusal) return header;
  const gathered = gatherProperties(record, warnings);
  if (gathered instanceof Refusal) return gathered;
  const times = itemDatetimes(gathered, o);
  if (times instanceof Refusal) return times;
  const place = readGeometry(record, o, warnings);
  if (place instanceof Refusal) return place;
  const recordLinks = readLinks(record.links, warnings);
  if (recordLinks instanceof Refusal) return recordLinks;
  const links = buildLinks(recordLinks, id, header.collection, o.links, warnings);
  const assets = readAssets(record.assets, warnings);
  if (assets instanceof Refusal) return assets;
  return { header, gathered, times, place, links, assets };
}

/** A non-empty string id, or a number written as one. */
function readId(rawId: unknown): string | Refusal {
  if (typeof rawId === 'string' && rawId.trim() !== '') return rawId;
  if ((typeof rawId === 'number' && Number.isFinite(rawId)) || typeof rawId === 'bigint')
    return String(rawId);
  const message =
    rawId === undefined || rawId === null || rawId === ''
      ? 'id is missing; every Item needs a non-empty string id'
      : `id must be a non-empty string or a number, got ${describe(rawId)}`;
  return new Refusal('id_missing', 'id', message);
}

/** Collection (the record's, else the option's), the STAC version note, and the extension URIs. */
function readHeader(
  record: Record<string, unknown>,
  o: ResolvedOptions,
  warnings: string[],
): ItemParts['header'] | Refusal {
  let collection = o.collection;
  const raw = record.collection;
  if (typeof raw === 'string' && raw !== '') collection = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw)) collection = String(raw);
  else if (raw !== undefined && raw !== null && raw !== '') {
    return invalid('collection', `collection must be a non-empty string, got ${describe(raw)}`);
  }
  if (record.stac_version !== undefined && record.stac_version !== o.stacVersion) {
    warnings.push(`stac_version: replaced ${JSON.stringify(record.stac_version)} with "${o.stacVersion}"`);
  }
  const stacExtensions = [...o.stacExtensions];
  const rawExtensions = record.stac_extensions;
  if (rawExtensions === undefined || rawExtensions === null) return { collection, stacExtensions };
  if (!Array.isArray(rawExtensions)) {
    return invalid(
      'stac_extensions',
      `stac_extensions must be an array of schema URIs, got ${describe(rawExtensions)}`,
    );
  }
  for (let i = 0; i < rawExtensions.length; i++) {
    const uri = rawExtensions[i];
    if (typeof uri !== 'string' || uri === '') {
      const field = `stac_extensions[${i}]`;
      return invalid(field, `${field} must be a schema URI string, got ${describe(uri)}`);
    }
    if (!stacExtensions.includes(uri)) stacExtensions.push(uri);
  }
  return { collection, stacExtensions };
}

/** `record.properties`, then every top-level field that is not an Item member, copied as JSON. */
function gatherProperties(
  record: Record<string, unknown>,
  warnings: string[],
): Record<string, unknown> | Refusal {
  const rawProperties = record.properties;
  if (rawProperties !== undefined && rawProperties !== null && !isPlainObject(rawProperties)) {
    return invalid('properties', `properties must be an object, got ${describe(rawProperties)}`);
  }
  const gathered: Record<string, unknown> = {};
  if (rawProperties) {
    for (const key of Object.keys(rawProperties)) {
      if (isForbiddenKey(key)) {
        warnings.push(forbiddenKeyWarning(`properties.${key}`));
        continue;
      }
      const value = rawProperties[key];
      if (value !== undefined) gathered[key] = copyJson(value, `properties.${key}`, warnings);
    }
  }
  for (const key of Object.keys(record)) {
    if (isItemMember(key) && !(key === 'type' && record.type !== 'Feature')) continue;
    if (isForbiddenKey(key)) {
      warnings.push(forbiddenKeyWarning(key));
      continue;
    }
    const value = record[key];
    if (value === undefined) continue;
    if (Object.hasOwn(gathered, key)) {
      warnings.push(`${key}: top-level field ignored; properties.${key} is already set`);
      continue;
    }
    gathered[key] = copyJson(value, key, warnings);
  }
  return gathered;
}

/** The normalised datetime properties of an Item. */
interface Datetimes {
  datetime: string | undefined;
  start: string | undefined;
  end: string | undefined;
  created: string | undefined;
  updated: string | undefined;
}

/** Reads and normalises each datetime property; `false` marks one that is not a date-time. */
function readTimes(gathered: Record<string, unknown>): Record<keyof Datetimes, string | undefined | false> {
  const read = (field: string): string | undefined | false => {
    const value = gathered[field];
    if (value === undefined || value === null || value === '') return undefined;
    return normalizeDatetime(value) ?? false;
  };
  return {
    datetime: read('datetime'),
    start: read('start_datetime'),
    end: read('end_datetime'),
    created: read('created'),
    updated: read('updated'),
  };
}

const TIME_FIELDS: ReadonlyArray<[keyof Datetimes, string]> = [
  ['datetime', 'datetime'],
  ['start', 'start_datetime'],
  ['end', 'end_datetime'],
];

/** The datetime rules: RFC 3339 values, a datetime or a start/end pair in order, created/updated stamps. */
function itemDatetimes(gathered: Record<string, unknown>, o: ResolvedOptions): Datetimes | Refusal {
  const times = readTimes(gathered);
  const badTime = (field: string) =>
    new Refusal(
      'datetime_invalid',
      `properties.${field}`,
      `properties.${field}: ${describe(gathered[field])} is not ${DATETIME_EXAMPLE}`,
    );
  for (const [key, field] of TIME_FIELDS) if (times[key] === false) return badTime(field);
  const { datetime, start, end } = times as Datetimes;
  const order = timeOrderProblem(datetime, start, end);
  if (order) return order;
  if (times.created === false) return badTime('created');
  if (times.updated === false) return badTime('updated');
  let { created, updated } = times as Datetimes;
  if ((o.createdNow && created === undefined) || o.updated) {
    const now = toRfc3339(o.now());
    if (o.createdNow && created === undefined) created = now;
    if (o.updated) updated = now;
  }
  return { datetime, start, end, created, updated };
}

/** A start without an end (or the reverse), no time at all, or a start after the end. */
function timeOrderProblem(
  datetime: string | undefined,
  start: string | undefined,
  end: string | undefined,
): Refusal | undefined {
  if ((start === undefined) !== (end === undefined)) {
    const missing = start === undefined ? 'start_datetime' : 'end_datetime';
    return new Refusal(
      'datetime_missing',
      `properties.${missing}`,
      `properties.${missing} is missing; start_datetime and end_datetime must be given together`,
    );
  }
  if (datetime === undefined && start === undefined) {
    return new Refusal(
      'datetime_missing',
      'properties.datetime',
      'properties.datetime is missing; give properties.datetime, or properties.start_datetime and properties.end_datetime',
    );
  }
  if (start !== undefined && end !== undefined && compareDatetimes(start, end) > 0) {
    return new Refusal(
      'datetime_order',
      'properties.start_datetime',
      `properties.start_datetime ${start} is after properties.end_datetime ${end}`,
    );
  }
  return undefined;
}

/** The geometry (from the record, else from its bbox) and the bbox that goes with it. */
function readGeometry(
  record: Record<string, unknown>,
  o: ResolvedOptions,
  warnings: string[],
): ItemParts['place'] | Refusal {
  const rawGeometry = record.geometry;
  const rawBbox = record.bbox;
  const fromBbox =
    (rawGeometry === undefined || rawGeometry === null || rawGeometry === '') && isBboxShape(rawBbox);
  if (fromBbox) warnings.push('geometry: missing; built from bbox');
  const prepared = prepareGeometry(fromBbox ? geometryFromBbox(rawBbox) : rawGeometry, o);
  if (!prepared.ok) {
    return new Refusal(prepared.rule, 'geometry', `geometry: ${prepared.problems.join('; ')}`, {
      problems: prepared.problems,
    });
  }
  const geometry: Geometry | null = prepared.geometry;
  let bbox: Bbox | undefined;
  if (geometry === null) {
    if (!o.allowNullGeometry) {
      return new Refusal(
        'geometry_missing',
        'geometry',
        'geometry is missing; give a GeoJSON geometry, GeoJSON text or WKT (or set allowNullGeometry for Items without a location)',
      );
    }
    if (rawBbox !== undefined && rawBbox !== null)
      warnings.push('bbox: dropped; an Item with a null geometry has no bbox');
  } else if (fromBbox) {
    bbox = (rawBbox as Bbox).slice();
  } else {
    bbox = prepared.bbox;
    if (bbox) noteReplacedBbox(rawBbox, bbox, o, warnings);
  }
  for (const warning of prepared.warnings) warnings.push(warning);
  return { geometry, bbox };
}

/** Warns when the record's own bbox is replaced by the one computed from the geometry. */
function noteReplacedBbox(rawBbox: unknown, bbox: Bbox, o: ResolvedOptions, warnings: string[]): void {
  if (rawBbox === undefined || rawBbox === null) return;
  if (!isBboxShape(rawBbox)) {
    warnings.push(
      `bbox: replaced ${describe(rawBbox)} (not 4 or 6 finite numbers) with [${bbox.join(', ')}] computed from the geometry`,
    );
  } else if (!bboxesAgree(rawBbox, bbox, o.bboxTolerance)) {
    warnings.push(
      `bbox: replaced [${rawBbox.join(', ')}] with [${bbox.join(', ')}] computed from the geometry`,
    );
  }
}

/** The record's own links: objects with a non-empty `href` and `rel`. */
function readLinks(rawLinks: unknown, warnings: string[]): StacLink[] | Refusal {
  const links: StacLink[] = [];
  if (rawLinks === undefined || rawLinks === null) return links;
  if (!Array.isArray(rawLinks)) return invalid('links', `links must be an array, got ${describe(rawLinks)}`);
  for (let i = 0; i < rawLinks.length; i++) {
    const link = rawLinks[i];
    if (!isPlainObject(link))
      return invalid(`links[${i}]`, `links[${i}] must be a link object, got ${describe(link)}`);
    for (const member of ['href', 'rel'] as const) {
      const value = link[member];
      if (typeof value !== 'string' || value.trim() === '') {
        const field = `links[${i}].${member}`;
        return invalid(field, `${field} must be a non-empty string, got ${describe(value)}`);
      }
    }
    links.push(copyJson(link, `links[${i}]`, warnings) as StacLink);
  }
  return links;
}

/** The record's assets, each with a non-empty `href`; `roles` may be given as comma-separated text. */
function readAssets(rawAssets: unknown, warnings: string[]): Record<string, StacAsset> | Refusal {
  const assets: Record<string, StacAsset> = {};
  if (rawAssets === undefined || rawAssets === null) return assets;
  if (!isPlainObject(rawAssets))
    return invalid('assets', `assets must be an object, got ${describe(rawAssets)}`);
  for (const key of Object.keys(rawAssets)) {
    if (isForbiddenKey(key)) {
      warnings.push(forbiddenKeyWarning(`assets.${key}`));
      continue;
    }
    const asset = rawAssets[key];
    if (asset === undefined) continue;
    const copy = readAsset(key, asset, warnings);
    if (copy instanceof Refusal) return copy;
    assets[key] = copy;
  }
  return assets;
}

function readAsset(key: string, asset: unknown, warnings: string[]): StacAsset | Refusal {
  if (!isPlainObject(asset)) {
    return invalid(`assets.${key}`, `assets.${key} must be an asset object, got ${describe(asset)}`);
  }
  const href = asset.href;
  if (typeof href !== 'string' || href.trim() === '') {
    return invalid(
      `assets.${key}.href`,
      `assets.${key}.href must be a non-empty string, got ${describe(href)}`,
    );
  }
  const copy = copyJson(asset, `assets.${key}`, warnings) as StacAsset;
  const roles = copy.roles as unknown;
  if (roles === null) {
    delete copy.roles;
  } else if (typeof roles === 'string') {
    copy.roles = roles
      .split(',')
      .map((role) => role.trim())
      .filter((role) => role !== '');
  } else if (
    roles !== undefined &&
    (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))
  ) {
    return invalid(
      `assets.${key}.roles`,
      `assets.${key}.roles must be a string or an array of strings, got ${describe(roles)}`,
    );
  }
  return copy;
}

/** The Item, members and leading properties in a stable order. */
function assembleItem(id: string, parts: ItemParts, o: ResolvedOptions): StacItem {
  const { datetime, start, end, created, updated } = parts.times;
  const properties = { datetime: datetime ?? null } as StacItemProperties;
  if (start !== undefined) properties.start_datetime = start;
  if (end !== undefined) properties.end_datetime = end;
  if (created !== undefined) properties.created = created;
  if (updated !== undefined) properties.updated = updated;
  for (const key of Object.keys(parts.gathered)) {
    if (!LEADING_PROPERTIES.has(key)) properties[key] = parts.gathered[key];
  }
  const item = {
    type: 'Feature',
    stac_version: o.stacVersion,
    stac_extensions: parts.header.stacExtensions,
    id,
  } as StacItem;
  if (parts.header.collection !== undefined) item.collection = parts.header.collection;
  item.geometry = parts.place.geometry;
  if (parts.place.bbox !== undefined) item.bbox = parts.place.bbox;
  item.properties = properties;
  item.links = parts.links;
  item.assets = parts.assets;
  return item;
}

function failure(
  id: string | undefined,
  record: unknown,
  origin: RecordOrigin,
  rule: ScaffoldRule,
  field: string | undefined,
  message: string,
  details?: unknown,
): ScaffoldResult {
  const result = createFailure({
    itemId: id ?? syntheticId(origin),
    errorType: 'validation_error',
    message,
    step: 'scaffold',
    sourceData: record,
    file: origin.file,
    line: origin.line,
    field,
    details,
  });
  result.error_context.rule = rule;
  if (origin.url !== undefined) result.error_context.url = origin.url;
  if (origin.index !== undefined) result.error_context.index = origin.index;
  return { ok: false, failure: result };
}

/** A stand-in id for a record without one, pointing at where it came from. */
function syntheticId(origin: RecordOrigin): string {
  const where = origin.file ?? origin.url ?? 'record';
  if (origin.line !== undefined) return `${where}:${origin.line}`;
  if (origin.index !== undefined) return `${where}#${origin.index}`;
  return where === 'record' ? 'unknown' : where;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a${typeof value === 'object' ? 'n object' : ` ${typeof value}`}`;
}
