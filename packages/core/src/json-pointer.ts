/**
 * JSON Pointer (RFC 6901) escaping, the one home of `~0`/`~1`
 * (`@scm/core/json-pointer`).
 */

/** Escapes one reference token: `~` becomes `~0`, then `/` becomes `~1` (in that order, so `~1` in a key survives). */
export function escapePointerSegment(segment: string | number): string {
  const text = String(segment);
  // Most keys have neither character: skip the two replacements (a check runs this for every asset).
  if (!text.includes('~') && !text.includes('/')) return text;
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Unescapes one reference token: `~1` becomes `/`, then `~0` becomes `~` (the reverse order of escaping). */
export function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Appends segments to a pointer: `appendPointer('/assets', 'a/b')` is `/assets/a~1b`. */
export function appendPointer(base: string, ...segments: ReadonlyArray<string | number>): string {
  let out = base;
  for (const segment of segments) out += `/${escapePointerSegment(segment)}`;
  return out;
}

/** Builds a pointer from the root: `toPointer(['properties', 'eo:bands', 0])` is `/properties/eo:bands/0`. */
export function toPointer(segments: ReadonlyArray<string | number>): string {
  return appendPointer('', ...segments);
}

/** The unescaped segments of a pointer; the root (`''`) has none. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}
