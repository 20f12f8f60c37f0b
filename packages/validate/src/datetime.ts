import { isPlainObject, type ValidationIssue } from '@scm/core';
import { ITEM_DATETIME_PROPERTIES } from '@scm/core/stac-item';
import { rfc3339ToMillis } from '@scm/core/time';
import { fieldLabel, pointer, preview } from './pointer.js';

const FIELDS = ITEM_DATETIME_PROPERTIES;
const EXAMPLE = '"2024-01-12T13:50:00Z"';

function issue(path: string, text: string): ValidationIssue {
  return { path, message: `${fieldLabel(path)} ${text}`, kind: 'datetime', severity: 'error' };
}

/** Checks the datetime fields of one container (Item properties, an asset, a Collection). */
function checkFields(
  container: Record<string, unknown>,
  base: () => string,
  issues: ValidationIssue[],
): void {
  let parsed: Partial<Record<(typeof FIELDS)[number], number>> | undefined;
  for (const field of FIELDS) {
    const value = container[field];
    if (value === undefined || (value === null && field === 'datetime')) continue;
    const ms = typeof value === 'string' ? rfc3339ToMillis(value) : undefined;
    if (ms === undefined) {
      const kind = typeof value === 'string' ? '' : ' string';
      issues.push(
        issue(
          pointer(base(), field),
          `must be an RFC 3339 date-time${kind} such as ${EXAMPLE}, got ${preview(value)}`,
        ),
      );
      continue;
    }
    if (field === 'start_datetime' || field === 'end_datetime') {
      parsed ??= {};
      parsed[field] = ms;
    }
  }
  if (!parsed) return;
  if (parsed.start_datetime !== undefined && parsed.end_datetime !== undefined) {
    if (parsed.start_datetime > parsed.end_datetime) {
      issues.push(
        issue(
          pointer(base(), 'start_datetime'),
          `(${String(container.start_datetime)}) is after ${fieldLabel(pointer(base(), 'end_datetime'))} ` +
            `(${String(container.end_datetime)}); the start must not be later than the end`,
        ),
      );
    }
  }
}

/**
 * The `datetime` checks: RFC 3339 for datetime / start_datetime / end_datetime / created / updated (Item
 * properties, assets, Collection and Catalog top level), start ≤ end, `datetime: null` only together with both
 * `start_datetime` and `end_datetime`, and ordered Collection temporal intervals.
 */
export function checkDatetimes(object: Record<string, unknown>, issues: ValidationIssue[]): void {
  if (object.type === 'Feature') {
    const properties = object.properties;
    if (isPlainObject(properties)) {
      checkFields(properties, () => '/properties', issues);
      if (!('datetime' in properties)) {
        issues.push(
          issue(
            '/properties/datetime',
            'is required; use null together with start_datetime and end_datetime for a time range',
          ),
        );
      } else if (properties.datetime === null) {
        const missing = ['start_datetime', 'end_datetime'].filter(
          (f) => properties[f] === undefined || properties[f] === null,
        );
        if (missing.length > 0) {
          issues.push(
            issue(
              '/properties/datetime',
              `is null, which is allowed only when start_datetime and end_datetime are both set; missing ${missing.join(' and ')}`,
            ),
          );
        }
      }
    }
  } else {
    checkFields(pick(object, ['created', 'updated']), () => '', issues);
  }
  if (isPlainObject(object.assets)) {
    for (const [key, asset] of Object.entries(object.assets)) {
      if (isPlainObject(asset)) checkFields(asset, () => pointer('/assets', key), issues);
    }
  }
  if (object.type === 'Collection') checkIntervals(object, issues);
}

function pick(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in object) out[key] = object[key];
  return out;
}

function checkIntervals(collection: Record<string, unknown>, issues: ValidationIssue[]): void {
  const extent = collection.extent;
  if (!isPlainObject(extent) || !isPlainObject(extent.temporal)) return;
  const intervals = extent.temporal.interval;
  if (!Array.isArray(intervals)) return;
  for (let i = 0; i < intervals.length; i++) {
    const interval = intervals[i];
    if (!Array.isArray(interval)) continue;
    const bounds: Array<number | undefined> = [];
    for (let j = 0; j < Math.min(2, interval.length); j++) {
      const value = interval[j];
      if (value === null) {
        bounds.push(undefined);
        continue;
      }
      const ms = typeof value === 'string' ? rfc3339ToMillis(value) : undefined;
      if (ms === undefined) {
        issues.push(
          issue(
            pointer('/extent/temporal/interval', i, j),
            `must be an RFC 3339 date-time such as ${EXAMPLE} or null, got ${preview(value)}`,
          ),
        );
      }
      bounds.push(ms);
    }
    const [start, end] = bounds;
    if (start !== undefined && end !== undefined && start > end) {
      issues.push(
        issue(
          pointer('/extent/temporal/interval', i),
          `starts (${String(interval[0])}) after it ends (${String(interval[1])})`,
        ),
      );
    }
  }
}
