import { isPlainObject } from '@scm/core';
import { toPointer } from '@scm/core/json-pointer';
import { applyMergePatch } from './merge-patch.js';
import { type ResolvedPath, parentOf, resolvePaths, valueAt, writeOwn } from './paths.js';
import { appliesToType, matchesSelection } from './select.js';
import type { Operation, UpdateChange, UpdateOutcome, UpdateRule } from './types.js';

type StacObject = Record<string, unknown>;

/** Options of {@link updateObject}. */
export interface UpdateObjectOptions {
  /** The time stamped into a changed Item's `properties.updated` (default: now). */
  now?: Date;
}

/** Fills `{item_id}`, `{collection_id}` and `{asset_key}` in every string of a value; other braces stay as written. */
export function fillTemplate(value: unknown, names: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\{(item_id|collection_id|asset_key)\}/g,
      (whole, name: string) => names[name] ?? whole,
    );
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, names));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) writeOwn(out, k, fillTemplate(v, names));
    return out;
  }
  return value;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Records a change when `before` and `after` differ. */
function record(
  changes: UpdateChange[],
  object: StacObject,
  op: UpdateChange['op'],
  segments: readonly string[],
  before: unknown,
  after: unknown,
): void {
  if (same(before, after)) return;
  const change: UpdateChange = {
    id: String(object.id),
    type: String(object.type),
    op,
    path: toPointer(segments),
  };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  changes.push(change);
}

function setAt(
  object: StacObject,
  at: ResolvedPath,
  value: unknown,
  changes: UpdateChange[],
  op: UpdateChange['op'],
): void {
  const parent = parentOf(object, at.segments, true);
  if (!parent) return;
  const key = at.segments[at.segments.length - 1]!;
  const before = valueAt(parent, [key]);
  record(changes, object, op, at.segments, before, value);
  writeOwn(parent, key, value);
}

function removeAt(
  object: StacObject,
  at: ResolvedPath,
  changes: UpdateChange[],
  op: UpdateChange['op'],
): unknown {
  const parent = parentOf(object, at.segments, false);
  const key = at.segments[at.segments.length - 1]!;
  const before = valueAt(parent, [key]);
  if (!parent || before === undefined) return undefined;
  record(changes, object, op, at.segments, before, undefined);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return before;
}

/** Applies one operation to the copy; true when it deletes the object. */
function applyOperation(object: StacObject, operation: Operation, changes: UpdateChange[]): boolean {
  const names = { item_id: String(object.id), collection_id: collectionId(object) };
  switch (operation.op) {
    case 'delete':
      return true;
    case 'set':
      for (const at of resolvePaths(object, operation.path)) {
        setAt(
          object,
          at,
          fillTemplate(operation.value, { ...names, asset_key: at.assetKey }),
          changes,
          'set',
        );
      }
      return false;
    case 'remove':
      // Backwards, so removing array elements keeps the other indices valid.
      for (const at of resolvePaths(object, operation.path).reverse())
        removeAt(object, at, changes, 'remove');
      return false;
    case 'rename':
      for (const at of resolvePaths(object, operation.from)) {
        // A value is only taken away once its new place is known to exist.
        if (valueAt(object, at.segments) === undefined || !parentOf(object, operation.to, true)) continue;
        const moved = removeAt(object, at, changes, 'rename');
        setAt(object, { segments: [...operation.to] }, moved, changes, 'rename');
      }
      return false;
    case 'merge':
      mergeInto(object, fillTemplate(operation.patch, names), changes);
      return false;
  }
}

function collectionId(object: StacObject): string | undefined {
  const id = object.type === 'Collection' ? object.id : object.collection;
  return typeof id === 'string' ? id : undefined;
}

/** Merges a patch into the top level, recording one change per top-level member it alters. */
function mergeInto(object: StacObject, patch: unknown, changes: UpdateChange[]): void {
  const merged = applyMergePatch(object, patch) as StacObject;
  for (const key of new Set([...Object.keys(object), ...Object.keys(merged)])) {
    const before = object[key];
    const after = Object.hasOwn(merged, key) ? merged[key] : undefined;
    record(changes, object, 'merge', [key], before, after);
    if (after === undefined) delete object[key];
    else writeOwn(object, key, after);
  }
}

/**
 * Applies the rules that select `object`, in order, to a deep copy of it, and
 * returns the copy with the list of changes. A changed Item gets
 * `properties.updated` (RFC 3339, `options.now`). A rule with `delete`
 * removes the object: the outcome has no object and one `delete` change. The
 * input is never modified. Selection is decided on the object as each rule
 * finds it, so a later rule sees an earlier rule's changes.
 */
export function updateObject<T extends object>(
  object: T,
  rules: readonly UpdateRule[],
  options: UpdateObjectOptions = {},
): UpdateOutcome<T> {
  const copy = structuredClone(object) as unknown as StacObject;
  const changes: UpdateChange[] = [];
  for (const rule of rules) {
    if (!appliesToType(rule.appliesTo, copy.type) || !matchesSelection(copy, rule.select)) continue;
    for (const operation of rule.operations) {
      if (!applyOperation(copy, operation, changes)) continue;
      const gone: UpdateChange = {
        id: String(copy.id),
        type: String(copy.type),
        op: 'delete',
        path: '',
        before: object,
      };
      return { object: undefined, status: 'deleted', changes: [gone] };
    }
  }
  if (changes.length === 0) return { object, status: 'unchanged', changes };
  if (copy.type === 'Feature') stamp(copy, options.now ?? new Date(), changes);
  return { object: copy as unknown as T, status: 'updated', changes };
}

function stamp(item: StacObject, now: Date, changes: UpdateChange[]): void {
  if (!isPlainObject(item.properties)) writeOwn(item, 'properties', {});
  setAt(item, { segments: ['properties', 'updated'] }, now.toISOString(), changes, 'stamp');
}
