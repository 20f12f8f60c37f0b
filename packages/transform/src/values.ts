import { isForbiddenKey } from '@scm/core';

/** True for a non-null object that is not an array (a JSON object). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when a value counts as missing: `undefined`, `null`, `NaN` (a null
 * Parquet float), or a string that is empty once trimmed (an empty CSV cell).
 */
export function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  if (typeof value === 'string') {
    if (value.length === 0) return true;
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(value.length - 1);
    if (first <= 32 || last <= 32 || first === 0xa0 || last === 0xa0 || first === 0xfeff) {
      return value.trim().length === 0;
    }
  }
  return false;
}

/**
 * Deep-copies a value made of plain data, dropping keys that could reach a
 * prototype. Every value written to an output goes through here, so no two
 * outputs share an object and no `__proto__` member from data survives.
 * Dates become ISO 8601 strings, BigInts (Parquet int64) numbers when they
 * are safe integers and decimal text otherwise; functions and symbols are
 * dropped.
 */
export function safeClone(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return bigintToJson(value);
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = safeClone(value[i]);
      out[i] = v === undefined ? null : v;
    }
    return out;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key)) continue;
    const v = safeClone((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/**
 * Merges `source` into `target` in place: members that are objects on both
 * sides are merged recursively, everything else (arrays included) is
 * replaced. Both sides must already be safe (built by this package).
 */
export function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    if (isForbiddenKey(key)) continue;
    const next = source[key];
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isObject(current) && isObject(next)) deepMerge(current, next);
    else target[key] = next;
  }
}

/** A short, single-line description of a value for messages (at most ~80 characters). */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean "x"?)` when a known word is close to `word`, else an empty string. */
export function didYouMean(word: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}

/** A BigInt as JSON: a number when it is a safe integer, else its decimal text. */
export function bigintToJson(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
