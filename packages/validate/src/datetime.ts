import { isPlainObject, type ValidationIssue } from '@scm/core';
import { fieldLabel, pointer, preview } from './pointer.js';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time (section 5.6, `T` separator, `Z` or `±hh:mm` offset, any fraction) into
 * milliseconds since the epoch (fractional), or `undefined` when the text is not one: wrong shape, month 13,
 * February 30, hour 24 and the like. A leap second (`:60`) is accepted.
 */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] ? Number(m[7]) * 1000 : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  return utc + (second === 60 ? 1000 : 0) + fraction - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const FIELDS = ['datetime', 'start_datetime', 'end_datetime', 'created', 'updated'] as const;
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
    const ms = typeof value === 'string' ? parseRfc3339(value) : undefined;
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
      const ms = typeof value === 'string' ? parseRfc3339(value) : undefined;
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
