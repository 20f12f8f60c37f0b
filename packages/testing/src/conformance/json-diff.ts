import { isPlainObject } from '@scm/core';
import { toPointer as pointer } from '@scm/core/json-pointer';

/** Deep equality of JSON values, ignoring key order and members set to `undefined`. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

function isOwnedKey(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}:`);
}

/**
 * JSON Pointers of the changes between `before` and `after` made outside the extension's `prefix`
 * (members named `prefix` or `prefix:…`, at any depth) and outside the root `stac_extensions`.
 */
export function foreignChanges(before: unknown, after: unknown, prefix: string): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, at: (string | number)[]) => {
    if (jsonEqual(a, b)) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (isOwnedKey(key, prefix)) continue;
        if (at.length === 0 && key === 'stac_extensions') continue;
        walk(a[key], b[key], [...at, key]);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((v, i) => {
        walk(v, b[i], [...at, i]);
      });
      return;
    }
    out.push(pointer(at));
  };
  walk(before, after, []);
  return out;
}
