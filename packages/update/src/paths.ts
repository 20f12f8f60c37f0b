import { isForbiddenKey, isPlainObject, setOwnMember } from '@scm/core';
import { pointerSegments } from '@scm/core/json-pointer';
import type { FieldPath } from './types.js';

/** The wildcard segment of a field path. */
export const WILDCARD = '*';

/**
 * Splits a field path: a JSON Pointer when it starts with `/` (so a key may
 * hold a dot), else dot-separated (`assets.*.roles`).
 */
export function parseFieldPath(text: string): string[] {
  return text.startsWith('/') ? pointerSegments(text) : text.split('.');
}

/** One concrete location a wildcard path reached: its segments and the keys the wildcards stood for. */
export interface ResolvedPath {
  segments: string[];
  /** Key of the segment after `assets`, when that segment was a wildcard or a literal key. */
  assetKey?: string;
}

type Container = Record<string, unknown> | unknown[];

function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((_, i) => String(i));
  // A parsed `__proto__` member is an own key; never walk through it.
  if (isPlainObject(value)) return Object.keys(value).filter((k) => !isForbiddenKey(k));
  return [];
}

/** Reads the own value at `key`, never an inherited one. */
export function ownValue(container: unknown, key: string): unknown {
  if (typeof container !== 'object' || container === null) return undefined;
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/**
 * Expands the wildcards of `path` against `root`: every existing key a `*`
 * stands for, in document order. The last segment need not exist (set
 * creates it); a literal segment before it must lead to an object or array.
 */
export function resolvePaths(root: unknown, path: FieldPath): ResolvedPath[] {
  let found: ResolvedPath[] = [{ segments: [] }];
  path.forEach((segment, depth) => {
    const last = depth === path.length - 1;
    const next: ResolvedPath[] = [];
    for (const at of found) {
      const here = valueAt(root, at.segments);
      const keys = segment === WILDCARD ? keysOf(here) : [segment];
      for (const key of keys) {
        if (!last && typeof ownValue(here, key) !== 'object' && segment === WILDCARD) continue;
        const resolved: ResolvedPath = { segments: [...at.segments, key] };
        const assetKey = at.segments.length === 1 && at.segments[0] === 'assets' ? key : at.assetKey;
        if (assetKey !== undefined) resolved.assetKey = assetKey;
        next.push(resolved);
      }
    }
    found = next;
  });
  return found;
}

/** The value at concrete segments, or undefined. */
export function valueAt(root: unknown, segments: readonly string[]): unknown {
  let here = root;
  for (const segment of segments) here = ownValue(here, segment);
  return here;
}

/** The container holding the last segment, creating missing objects on the way (set); undefined when blocked by a non-object. */
export function parentOf(
  root: Container,
  segments: readonly string[],
  create: boolean,
): Container | undefined {
  let here: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    let next = ownValue(here, segment);
    if (next === undefined && create && isPlainObject(here)) {
      next = {};
      here[segment] = next;
    }
    if (typeof next !== 'object' || next === null) return undefined;
    here = next;
  }
  return here as Container;
}

/** Writes `value` as an own property (see `setOwnMember`: even an odd key never reaches a prototype). */
export function writeOwn(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container) && /^\d+$/.test(key)) container[Number(key)] = value;
  else setOwnMember(container as Record<string, unknown>, key, value);
}
