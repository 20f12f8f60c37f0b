import { toRfc3339 } from '@scm/core';
import { epochSecondOf, type IsoDateTime, parseIsoDateTime, parseRfc3339 } from '@scm/core/time';

/**
 * Normalises a date or date-time to an RFC 3339 UTC string such as
 * `2024-01-12T13:50:00Z`, or returns `undefined` when it is not one. The text
 * is read by `@scm/core/time` (`parseIsoDateTime`), the parser `validate`
 * shares, so both accept the same values.
 *
 * - A date alone (`2024-01-12`) means midnight UTC.
 * - A date-time without an offset is read as UTC; one with an offset is
 *   converted to UTC.
 * - Fractional seconds keep all their digits (trailing zeros dropped).
 * - Calendar checks are strict: `2023-02-29` and `24:00` are rejected.
 * - A leap second (`23:59:60Z`) is accepted and written as the instant it
 *   stands for, the next `:00`.
 * - A valid `Date` object is accepted too. Numbers are not: an epoch number is
 *   ambiguous (seconds or milliseconds) and should be converted by the mapping.
 */
export function normalizeDatetime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : toRfc3339(value);
  if (typeof value !== 'string') return undefined;
  if (isCanonicalUtc(value)) return value;
  const parsed = parseIsoDateTime(value.trim());
  if (!parsed || parsed.precision === 'year' || parsed.precision === 'month') return undefined;
  return utcText(parsed);
}

/** True for an already normalised `YYYY-MM-DDTHH:MM:SSZ` (the common case, returned as it is). */
function isCanonicalUtc(text: string): boolean {
  if (text.length !== 20) return false;
  const parsed = parseRfc3339(text);
  return parsed !== undefined && parsed.separator === 'T' && parsed.zone === 'Z' && parsed.second < 60;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The UTC text of a parsed date-time; `undefined` when the offset moves it out of years 0000-9999. */
function utcText(p: IsoDateTime): string | undefined {
  const trimmed = p.fraction.replace(/0+$/, '');
  const fraction = trimmed ? `.${trimmed}` : '';
  const offset = p.offsetMinutes ?? 0;
  if (offset === 0 && p.second < 60) {
    // Already UTC: reassemble from the checked fields, no Date arithmetic needed.
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${fraction}Z`;
  }
  const date = new Date(epochSecondOf(p, offset) * 1000);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return undefined;
  return `${date.toISOString().slice(0, 19)}${fraction}Z`;
}

/**
 * Compares two strings produced by {@link normalizeDatetime}: negative when
 * `a` is earlier, 0 when equal, positive when later. Exact to every
 * fractional digit.
 */
export function compareDatetimes(a: string, b: string): number {
  const ha = a.slice(0, 19);
  const hb = b.slice(0, 19);
  if (ha !== hb) return ha < hb ? -1 : 1;
  const fa = a.length > 20 ? a.slice(20, -1) : '';
  const fb = b.length > 20 ? b.slice(20, -1) : '';
  const width = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(width, '0');
  const pb = fb.padEnd(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}
