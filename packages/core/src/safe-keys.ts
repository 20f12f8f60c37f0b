import { ScmError } from './errors.js';

/** Keys that must never be written from data or a mapping: they reach an object's prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True when `key` could reach a prototype if used as a property name. */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/**
 * Sets `key` on `target` as a plain own member: a `__proto__` key is defined, so it never replaces the
 * prototype.
 */
export function setOwnMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * A shallow copy of `object`'s own enumerable members as a plain object, like `{ ...object }` but several
 * times faster for the objects `JSON.parse` makes (an HLS item's 40 assets copied: 95 → 37 µs an item); a
 * `__proto__` member stays a member (see {@link setOwnMember}).
 */
export function plainCopy(object: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) setOwnMember(copy, keys[i] as string, object[keys[i] as string]);
  return copy;
}

/**
 * Throws `SCM_MAPPING_INVALID` when any segment of a key path is forbidden.
 * `what` names the path for the message, e.g. `target_field of rule 3`.
 */
export function assertSafePath(segments: readonly (string | number)[], what: string): void {
  for (const segment of segments) {
    if (typeof segment === 'string' && isForbiddenKey(segment)) {
      throw new ScmError('SCM_MAPPING_INVALID', `${what}: "${segment}" is not allowed in a key path`, {
        details: { segment },
      });
    }
  }
}

/**
 * Deep-copies parsed JSON, dropping forbidden keys. `JSON.parse` itself is
 * safe, but a parsed `__proto__` member becomes dangerous once copied with
 * `Object.assign` or spread into another object.
 */
export function stripForbiddenKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripForbiddenKeys(v)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (isForbiddenKey(key)) continue;
      out[key] = stripForbiddenKeys(v);
    }
    return out as T;
  }
  return value;
}

/**
 * Removes forbidden keys from parsed JSON in place, at any depth, and returns
 * the same value. It allocates nothing, so it costs about a twentieth of
 * {@link stripForbiddenKeys} on large documents (a harvested page of items);
 * use it on values nothing else holds yet.
 */
export function removeForbiddenKeys<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const element of value)
      if (typeof element === 'object' && element !== null) removeForbiddenKeys(element);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (isForbiddenKey(key)) delete record[key];
      else if (typeof record[key] === 'object' && record[key] !== null) removeForbiddenKeys(record[key]);
    }
  }
  return value;
}

const FORBIDDEN_KEY_PATTERN = /"(?:__proto__|constructor|prototype)"/;

/**
 * Parses JSON text and drops `__proto__` / `constructor` / `prototype` members at any depth, telling too
 * whether the value is exactly what the text holds (`intact`: nothing was dropped, so the text may stand
 * for the value). The copy is made only when the text mentions one of those names, so ordinary text pays
 * one regular-expression test. Throws the `SyntaxError` of `JSON.parse`.
 */
export function parseJsonText(text: string): { value: unknown; intact: boolean } {
  const value: unknown = JSON.parse(text);
  if (!FORBIDDEN_KEY_PATTERN.test(text)) return { value, intact: true };
  return { value: stripForbiddenKeys(value), intact: false };
}
