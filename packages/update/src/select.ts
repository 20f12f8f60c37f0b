import { isPlainObject } from '@scm/core';
import { horizontal, isBboxShape } from '@scm/core/geojson';
import { rfc3339ToMillis } from '@scm/core/time';
import { valueAt } from './paths.js';
import type { AppliesTo, PropertyTest, Selection } from './types.js';

type StacObject = Record<string, unknown>;

/** True when a rule that applies to `appliesTo` touches an object of this STAC `type`. */
export function appliesToType(appliesTo: AppliesTo, type: unknown): boolean {
  if (type === 'Feature') return appliesTo !== 'collections';
  if (type === 'Collection') return appliesTo !== 'items';
  return false;
}

/** The object's time span in milliseconds: an Item's datetime (or start/end), a Collection's first temporal interval. */
function timeSpan(object: StacObject): [number | undefined, number | undefined] | undefined {
  if (object.type === 'Collection') {
    const interval = valueAt(object, ['extent', 'temporal', 'interval', '0']);
    if (!Array.isArray(interval)) return undefined;
    const [start, end] = interval.map((t) => (typeof t === 'string' ? rfc3339ToMillis(t) : undefined));
    return [start, end];
  }
  const props = isPlainObject(object.properties) ? object.properties : {};
  const at = (key: string) => (typeof props[key] === 'string' ? rfc3339ToMillis(props[key]) : undefined);
  const instant = at('datetime');
  if (instant !== undefined) return [instant, instant];
  const start = at('start_datetime');
  const end = at('end_datetime');
  return start === undefined && end === undefined ? undefined : [start, end];
}

function overlapsTime(object: StacObject, range: NonNullable<Selection['datetime']>): boolean {
  const span = timeSpan(object);
  if (!span) return false;
  const [start, end] = span;
  if (range.end !== undefined && start !== undefined && start > range.end) return false;
  if (range.start !== undefined && end !== undefined && end < range.start) return false;
  return true;
}

function overlapsBbox(object: StacObject, box: readonly [number, number, number, number]): boolean {
  const own =
    object.type === 'Collection' ? valueAt(object, ['extent', 'spatial', 'bbox', '0']) : object.bbox;
  if (!isBboxShape(own)) return false;
  const [w, s, e, n] = horizontal(own);
  return w <= box[2] && e >= box[0] && s <= box[3] && n >= box[1];
}

function compare(a: unknown, b: number | string): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Whether a property value passes a test; equality is deep (JSON). */
export function passes(value: unknown, test: PropertyTest): boolean {
  if (test.kind === 'equals') return JSON.stringify(value) === JSON.stringify(test.value);
  if (test.kind === 'in') return test.values.some((v) => JSON.stringify(v) === JSON.stringify(value));
  if (value === undefined) return false;
  const low = test.min === undefined ? 0 : compare(value, test.min);
  const high = test.max === undefined ? 0 : compare(value, test.max);
  return low !== undefined && high !== undefined && low >= 0 && high <= 0;
}

/** True when the object meets every criterion of the selection. */
export function matchesSelection(object: StacObject, select: Selection): boolean {
  const id = object.id;
  if (select.ids && !(typeof id === 'string' && select.ids.includes(id))) return false;
  if (select.collection !== undefined) {
    const collection = object.type === 'Collection' ? id : object.collection;
    if (collection !== select.collection) return false;
  }
  if (select.datetime && !overlapsTime(object, select.datetime)) return false;
  if (select.bbox && !overlapsBbox(object, select.bbox)) return false;
  const holder = object.type === 'Feature' ? object.properties : object;
  return (select.properties ?? []).every(({ path, test }) => passes(valueAt(holder, path), test));
}
