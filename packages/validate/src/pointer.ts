/** JSON Pointer helpers and the readable field labels used in messages. */

/** Escapes one JSON Pointer segment (`~` → `~0`, `/` → `~1`). */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Joins a pointer and more segments. */
export function pointer(base: string, ...segments: Array<string | number>): string {
  let out = base;
  for (const segment of segments) out += `/${escapeSegment(segment)}`;
  return out;
}

/** The segments of a JSON Pointer (unescaped). */
export function segments(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

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
