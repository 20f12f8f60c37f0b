import { isForbiddenKey, toRfc3339 } from '@scm/core';

/**
 * Deep-copies a JSON-like value so the Item never shares objects with the
 * input record. Keys that could reach a prototype (`__proto__`,
 * `constructor`, `prototype`) are dropped with a warning naming their path;
 * `undefined` members are left out and `Date` values become RFC 3339 strings.
 */
export function copyJson(value: unknown, path: string, warnings: string[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i], `${path}[${i}]`, warnings);
    return out;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : toRfc3339(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key)) {
      warnings.push(forbiddenKeyWarning(path ? `${path}.${key}` : key));
      continue;
    }
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    out[key] = copyJson(member, path ? `${path}.${key}` : key, warnings);
  }
  return out;
}

/** The warning for a dropped forbidden key. */
export function forbiddenKeyWarning(path: string): string {
  return `${path}: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys`;
}
