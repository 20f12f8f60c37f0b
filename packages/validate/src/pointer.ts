/** The readable field labels used in messages; JSON Pointer escaping itself lives in `@scm/core/json-pointer`. */
import { appendPointer, escapePointerSegment, pointerSegments } from '@scm/core/json-pointer';

/** Escapes one JSON Pointer segment (`~` → `~0`, `/` → `~1`). */
export const escapeSegment = escapePointerSegment;

/** Joins a pointer and more segments. */
export const pointer = appendPointer;

/** The segments of a JSON Pointer (unescaped). */
export const segments = pointerSegments;

const PLAIN_KEY = /^[A-Za-z_$][\w$:-]*$/;

/**
 * A field name people read easily: `properties.datetime`, `assets.B01.href`, `geometry.coordinates[0][4]`,
 * `assets["my file"].href`. The root is called `the object`.
 */
export function fieldLabel(path: string): string {
  const parts = segments(path);
  if (parts.length === 0) return 'the object';
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part) && out !== '') out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** True when `child` is `parent` or below it. */
export function isWithin(child: string, parent: string): boolean {
  return child === parent || child.startsWith(`${parent}/`);
}

/** True when `child` is exactly one segment below `parent`. */
export function isDirectChild(child: string, parent: string): boolean {
  return child.startsWith(`${parent}/`) && !child.slice(parent.length + 1).includes('/');
}

/** A short JSON rendering of a value for messages. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** The JSON type of a value, for "got …" phrases. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
