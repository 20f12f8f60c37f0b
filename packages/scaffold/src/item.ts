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

/** Scaffolds with options already resolved; the hot path. */
export function scaffoldResolved(record: unknown, o: ResolvedOptions, origin: RecordOrigin): ScaffoldResult {
  if (!isPlainObject(record)) {
    return failure(
      undefined,
      record,
      origin,
      'record_invalid',
      undefined,
      `record must be an object, got ${describe(record)}`,
    );
  }
  const warnings: string[] = [];

  // ------------------------------------------------------------ id
  const rawId = record.id;
  let id: string | undefined;
  if (typeof rawId === 'string') id = rawId.trim() === '' ? undefined : rawId;
  else if ((typeof rawId === 'number' && Number.isFinite(rawId)) || typeof rawId === 'bigint')
    id = String(rawId);
  if (id === undefined) {
    const message =
      rawId === undefined || rawId === null || rawId === ''
        ? 'id is missing; every Item needs a non-empty string id'
        : `id must be a non-empty string or a number, got ${describe(rawId)}`;
    return failure(undefined, record, origin, 'id_missing', 'id', message);
  }
  const itemId = id;
  const fail = (rule: ScaffoldRule, field: string, message: string, details?: unknown) =>
    failure(itemId, record, origin, rule, field, message, details);

  // ------------------------------------------------------------ collection, version, extensions
  let collection = o.collection;
  const rawCollection = record.collection;
  if (typeof rawCollection === 'string' && rawCollection !== '') collection = rawCollection;
  else if (typeof rawCollection === 'number' && Number.isFinite(rawCollection))
    collection = String(rawCollection);
  else if (rawCollection !== undefined && rawCollection !== null && rawCollection !== '') {
    return fail(
      'field_invalid',
      'collection',
      `collection must be a non-empty string, got ${describe(rawCollection)}`,
    );
  }
  if (record.stac_version !== undefined && record.stac_version !== o.stacVersion) {
    warnings.push(`stac_version: replaced ${JSON.stringify(record.stac_version)} with "${o.stacVersion}"`);
  }
  const stacExtensions = [...o.stacExtensions];
  const rawExtensions = record.stac_extensions;
  if (rawExtensions !== undefined && rawExtensions !== null) {
    if (!Array.isArray(rawExtensions)) {
      return fail(
        'field_invalid',
        'stac_extensions',
        `stac_extensions must be an array of schema URIs, got ${describe(rawExtensions)}`,
      );
    }
    for (let i = 0; i < rawExtensions.length; i++) {
      const uri = rawExtensions[i];
      if (typeof uri !== 'string' || uri === '') {
        return fail(
          'field_invalid',
          `stac_extensions[${i}]`,
          `stac_extensions[${i}] must be a schema URI string, got ${describe(uri)}`,
        );
      }
      if (!stacExtensions.includes(uri)) stacExtensions.push(uri);
    }
  }

  // ------------------------------------------------------------ properties (record.properties, then custom top-level fields)
  const rawProperties = record.properties;
  if (rawProperties !== undefined && rawProperties !== null && !isPlainObject(rawProperties)) {
    return fail(
      'field_invalid',
      'properties',
      `properties must be an object, got ${describe(rawProperties)}`,
    );
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

  // ------------------------------------------------------------ datetimes
  const read = (field: string): string | undefined | false => {
    const value = gathered[field];
    if (value === undefined || value === null || value === '') return undefined;
    return normalizeDatetime(value) ?? false;
  };
  const badTime = (field: string) =>
    fail(
      'datetime_invalid',
      `properties.${field}`,
      `properties.${field}: ${describe(gathered[field])} is not ${DATETIME_EXAMPLE}`,
    );
  const datetime = read('datetime');
  if (datetime === false) return badTime('datetime');
  const start = read('start_datetime');
  if (start === false) return badTime('start_datetime');
  const end = read('end_datetime');
  if (end === false) return badTime('end_datetime');
  if ((start === undefined) !== (end === undefined)) {
    const missing = start === undefined ? 'start_datetime' : 'end_datetime';
    return fail(
      'datetime_missing',
      `properties.${missing}`,
      `properties.${missing} is missing; start_datetime and end_datetime must be given together`,
    );
  }
  if (datetime === undefined && start === undefined) {
    return fail(
      'datetime_missing',
      'properties.datetime',
      'properties.datetime is missing; give properties.datetime, or properties.start_datetime and properties.end_datetime',
    );
  }
  if (start !== undefined && end !== undefined && compareDatetimes(start, end) > 0) {
    return fail(
      'datetime_order',
      'properties.start_datetime',
      `properties.start_datetime ${start} is after properties.end_datetime ${end}`,
    );
  }
  let created = read('created');
  if (created === false) return badTime('created');
  let updated = read('updated');
  if (updated === false) return badTime('updated');
  if ((o.createdNow && created === undefined) || o.updated) {
    const now = toRfc3339(o.now());
    if (o.createdNow && created === undefined) created = now;
    if (o.updated) updated = now;
  }

  // ------------------------------------------------------------ geometry and bbox
  const rawGeometry = record.geometry;
  const rawBbox = record.bbox;
  let geometrySource = rawGeometry;
  const fromBbox =
    (rawGeometry === undefined || rawGeometry === null || rawGeometry === '') && isBboxShape(rawBbox);
  if (fromBbox) {
    geometrySource = geometryFromBbox(rawBbox);
    warnings.push('geometry: missing; built from bbox');
  }
  const prepared = prepareGeometry(geometrySource, o);
  if (!prepared.ok) {
    return fail(prepared.rule, 'geometry', `geometry: ${prepared.problems.join('; ')}`, {
      problems: prepared.problems,
    });
  }
  const geometry: Geometry | null = prepared.geometry;
  let bbox: Bbox | undefined;
  if (geometry === null) {
    if (!o.allowNullGeometry) {
      return fail(
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
    if (rawBbox !== undefined && rawBbox !== null && bbox) {
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
  }
  for (const warning of prepared.warnings) warnings.push(warning);

  // ------------------------------------------------------------ links
  const rawLinks = record.links;
  const recordLinks: StacLink[] = [];
  if (rawLinks !== undefined && rawLinks !== null) {
    if (!Array.isArray(rawLinks))
      return fail('field_invalid', 'links', `links must be an array, got ${describe(rawLinks)}`);
    for (let i = 0; i < rawLinks.length; i++) {
      const link = rawLinks[i];
      if (!isPlainObject(link))
        return fail(
          'field_invalid',
          `links[${i}]`,
          `links[${i}] must be a link object, got ${describe(link)}`,
        );
      for (const member of ['href', 'rel'] as const) {
        const value = link[member];
        if (typeof value !== 'string' || value.trim() === '') {
          return fail(
            'field_invalid',
            `links[${i}].${member}`,
            `links[${i}].${member} must be a non-empty string, got ${describe(value)}`,
          );
        }
      }
      recordLinks.push(copyJson(link, `links[${i}]`, warnings) as StacLink);
    }
  }
  const links = buildLinks(recordLinks, itemId, collection, o.links, warnings);

  // ------------------------------------------------------------ assets
  const rawAssets = record.assets;
  const assets: Record<string, StacAsset> = {};
  if (rawAssets !== undefined && rawAssets !== null) {
    if (!isPlainObject(rawAssets))
      return fail('field_invalid', 'assets', `assets must be an object, got ${describe(rawAssets)}`);
    for (const key of Object.keys(rawAssets)) {
      if (isForbiddenKey(key)) {
        warnings.push(forbiddenKeyWarning(`assets.${key}`));
        continue;
      }
      const asset = rawAssets[key];
      if (asset === undefined) continue;
      if (!isPlainObject(asset))
        return fail(
          'field_invalid',
          `assets.${key}`,
          `assets.${key} must be an asset object, got ${describe(asset)}`,
        );
      const href = asset.href;
      if (typeof href !== 'string' || href.trim() === '') {
        return fail(
          'field_invalid',
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
      } else if (roles !== undefined) {
        if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
          return fail(
            'field_invalid',
            `assets.${key}.roles`,
            `assets.${key}.roles must be a string or an array of strings, got ${describe(roles)}`,
          );
        }
      }
      assets[key] = copy;
    }
  }

  // ------------------------------------------------------------ assemble in a stable order
  const properties = { datetime: datetime ?? null } as StacItemProperties;
  if (start !== undefined) properties.start_datetime = start;
  if (end !== undefined) properties.end_datetime = end;
  if (created !== undefined) properties.created = created;
  if (updated !== undefined) properties.updated = updated;
  for (const key of Object.keys(gathered)) {
    if (!LEADING_PROPERTIES.has(key)) properties[key] = gathered[key];
  }
  const item = {
    type: 'Feature',
    stac_version: o.stacVersion,
    stac_extensions: stacExtensions,
    id: itemId,
  } as StacItem;
  if (collection !== undefined) item.collection = collection;
  item.geometry = geometry;
  if (bbox !== undefined) item.bbox = bbox;
  item.properties = properties;
  item.links = links;
  item.assets = assets;
  return { ok: true, item, warnings };
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
