import { isForbiddenKey, isPlainObject, ScmError } from '@scm/core';
import { isIntervalProblem, LAST_MS_OF_DAY, parseDatetimeInterval } from '@scm/core/time';
import { parseFieldPath } from './paths.js';
import type { AppliesTo, FieldPath, Operation, PropertyTest, Selection, UpdateRule } from './types.js';

/** Options of {@link parseUpdates}. */
export interface ParseUpdatesOptions {
  /** The updates file, named in error locations. */
  file?: string;
}

const RULE_KEYS = new Set(['select', 'applies_to', 'set', 'merge', 'remove', 'rename', 'delete']);
const SELECT_KEYS = new Set(['ids', 'id', 'collection', 'datetime', 'bbox', 'properties']);
const TEST_KEYS = new Set(['equals', 'in', 'min', 'max']);

type Fail = (path: string, message: string) => never;

function failer(file: string | undefined): Fail {
  return (path, message) => {
    throw new ScmError('SCM_CONFIG_INVALID', `updates${file ? ` ${file}` : ''}: ${path}: ${message}`, {
      location: { ...(file ? { file } : {}), path },
      details: { problem: message },
    });
  };
}

function fieldPath(text: unknown, where: string, fail: Fail): FieldPath {
  if (typeof text !== 'string' || text === '') fail(where, 'a field path must be a non-empty string');
  const segments = parseFieldPath(text);
  if (segments.some((s) => s === '')) fail(where, `"${text}" has an empty segment`);
  const bad = segments.find(isForbiddenKey);
  if (bad !== undefined) fail(where, `"${bad}" is not allowed in a field path`);
  return segments;
}

function refuseForbiddenKeys(value: unknown, where: string, fail: Fail): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      refuseForbiddenKeys(v, `${where}[${i}]`, fail);
    });
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (isForbiddenKey(key)) fail(where, `"${key}" is not allowed as a key`);
      refuseForbiddenKeys(v, `${where}.${key}`, fail);
    }
  }
}

function propertyTest(value: unknown, where: string, fail: Fail): PropertyTest {
  const isTest =
    isPlainObject(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => TEST_KEYS.has(k));
  if (!isTest) return { kind: 'equals', value };
  if ('equals' in value) return { kind: 'equals', value: value.equals };
  if ('in' in value) {
    if (!Array.isArray(value.in)) fail(`${where}.in`, 'must be a list');
    return { kind: 'in', values: value.in };
  }
  const bound = (b: unknown, name: string) => {
    if (b !== undefined && typeof b !== 'number' && typeof b !== 'string')
      fail(`${where}.${name}`, 'must be a number or a string');
    return b as number | string | undefined;
  };
  const test: PropertyTest = { kind: 'range' };
  const min = bound(value.min, 'min');
  const max = bound(value.max, 'max');
  if (min !== undefined) test.min = min;
  if (max !== undefined) test.max = max;
  return test;
}

function datetimeRange(value: unknown, where: string, fail: Fail): NonNullable<Selection['datetime']> {
  if (typeof value !== 'string')
    fail(where, 'must be an RFC 3339 instant or interval such as 2024-01-01/2024-06-30');
  const interval = parseDatetimeInterval(value);
  if (isIntervalProblem(interval)) fail(where, `"${value}" is not an RFC 3339 instant or start/end interval`);
  const end = interval.end && (interval.end.dateOnly ? interval.end.ms + LAST_MS_OF_DAY : interval.end.ms);
  return { start: interval.start?.ms, end };
}

function bboxOf(value: unknown, where: string, fail: Fail): readonly [number, number, number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 4 &&
    value.every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!ok) fail(where, 'must be [west, south, east, north]');
  return value as [number, number, number, number];
}

function ids(value: unknown, where: string, fail: Fail): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string')) fail(where, 'ids must be strings');
  return list as string[];
}

function selection(value: unknown, where: string, fail: Fail): Selection {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail(where, 'must be a mapping');
  const unknownKey = Object.keys(value).find((k) => !SELECT_KEYS.has(k));
  if (unknownKey) fail(`${where}.${unknownKey}`, `unknown selection (use ${[...SELECT_KEYS].join(', ')})`);
  const out: Selection = {};
  if (value.ids !== undefined || value.id !== undefined)
    out.ids = ids(value.ids ?? value.id, `${where}.ids`, fail);
  if (value.collection !== undefined) {
    if (typeof value.collection !== 'string') fail(`${where}.collection`, 'must be a collection id');
    out.collection = value.collection;
  }
  if (value.datetime !== undefined) out.datetime = datetimeRange(value.datetime, `${where}.datetime`, fail);
  if (value.bbox !== undefined) out.bbox = bboxOf(value.bbox, `${where}.bbox`, fail);
  if (value.properties !== undefined) {
    if (!isPlainObject(value.properties)) fail(`${where}.properties`, 'must map field paths to tests');
    out.properties = Object.entries(value.properties).map(([key, test]) => ({
      path: fieldPath(key, `${where}.properties`, fail),
      test: propertyTest(test, `${where}.properties.${key}`, fail),
    }));
  }
  return out;
}

function operations(rule: Record<string, unknown>, where: string, fail: Fail): Operation[] {
  const ops: Operation[] = [];
  if (rule.set !== undefined) {
    if (!isPlainObject(rule.set)) fail(`${where}.set`, 'must map field paths to values');
    for (const [key, value] of Object.entries(rule.set)) {
      refuseForbiddenKeys(value, `${where}.set.${key}`, fail);
      ops.push({ op: 'set', path: fieldPath(key, `${where}.set`, fail), value });
    }
  }
  if (rule.merge !== undefined) {
    if (!isPlainObject(rule.merge)) fail(`${where}.merge`, 'must be a JSON merge patch object');
    refuseForbiddenKeys(rule.merge, `${where}.merge`, fail);
    ops.push({ op: 'merge', patch: rule.merge });
  }
  if (rule.remove !== undefined) {
    const list = Array.isArray(rule.remove) ? rule.remove : [rule.remove];
    for (const path of list) ops.push({ op: 'remove', path: fieldPath(path, `${where}.remove`, fail) });
  }
  if (rule.rename !== undefined) {
    if (!isPlainObject(rule.rename)) fail(`${where}.rename`, 'must map old field paths to new ones');
    for (const [from, to] of Object.entries(rule.rename)) {
      const target = fieldPath(to, `${where}.rename.${from}`, fail);
      if (target.includes('*')) fail(`${where}.rename.${from}`, 'the new path cannot hold a wildcard');
      ops.push({ op: 'rename', from: fieldPath(from, `${where}.rename`, fail), to: target });
    }
  }
  if (rule.delete !== undefined && typeof rule.delete !== 'boolean')
    fail(`${where}.delete`, 'must be true or false');
  if (rule.delete === true) ops.push({ op: 'delete' });
  if (ops.length === 0) fail(where, 'has no operation (set, merge, remove, rename or delete)');
  return ops;
}

function appliesTo(value: unknown, where: string, fail: Fail): AppliesTo {
  if (value === undefined) return 'items';
  if (value === 'items' || value === 'collections' || value === 'both') return value;
  return fail(`${where}.applies_to`, 'must be items, collections or both');
}

function parseRule(value: unknown, index: number, fail: Fail): UpdateRule {
  const where = `updates[${index}]`;
  if (!isPlainObject(value)) fail(where, 'must be a mapping');
  const unknownKey = Object.keys(value).find((k) => !RULE_KEYS.has(k));
  if (unknownKey) fail(`${where}.${unknownKey}`, `unknown key (use ${[...RULE_KEYS].join(', ')})`);
  if (
    value.delete === true &&
    Object.keys(value).some((k) => ['set', 'merge', 'remove', 'rename'].includes(k))
  ) {
    fail(where, 'delete cannot be combined with other operations');
  }
  const target = appliesTo(value.applies_to, where, fail);
  // A collection's items would be left without it; delete its items instead.
  if (value.delete === true && target !== 'items')
    fail(`${where}.applies_to`, 'delete applies to items only');
  return {
    index,
    select: selection(value.select, `${where}.select`, fail),
    appliesTo: target,
    operations: operations(value, where, fail),
  };
}

/**
 * Reads a parsed updates document (`{ updates: [rule, ...] }`, or the list
 * alone) into rules. Throws `SCM_CONFIG_INVALID` naming the file and the
 * rule's key path for anything it cannot read: an unknown key, a bad value,
 * a `__proto__`/`constructor`/`prototype` key or path segment.
 */
export function parseUpdates(document: unknown, options: ParseUpdatesOptions = {}): UpdateRule[] {
  const fail: Fail = failer(options.file);
  const list = isPlainObject(document) ? document.updates : document;
  if (!Array.isArray(list) || list.length === 0) fail('updates', 'must be a non-empty list of rules');
  return list.map((rule, index) => parseRule(rule, index, fail));
}

/** Options of {@link parseSelection}. */
export interface ParseSelectionOptions {
  /** What the selection came from, named in errors (e.g. `rebuild-catalog --ids`, a config file). Default `selection`. */
  label?: string;
  /** Key path of the selection in its document, for errors. Default `select`. */
  where?: string;
}

/**
 * Reads one selection (`ids`, `collection`, `datetime` as an RFC 3339
 * instant or interval, `bbox`, `properties` tests), as an updates rule's
 * `select` reads it. Throws `SCM_CONFIG_INVALID` naming the key path.
 */
export function parseSelection(value: unknown, options: ParseSelectionOptions = {}): Selection {
  const label = options.label ?? 'selection';
  const fail: Fail = (path, message) => {
    throw new ScmError('SCM_CONFIG_INVALID', `${label}: ${path}: ${message}`, {
      location: { path },
      details: { problem: message },
    });
  };
  return selection(value, options.where ?? 'select', fail);
}
