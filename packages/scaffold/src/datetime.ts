import { toRfc3339 } from '@scm/core';

/**
 * Date, date-time with optional seconds and fraction, and an optional
 * offset (`Z`, `+02:00`, `+0200`, `+02`). `T`, `t` or a space separate date
 * and time.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * Normalises a date or date-time to an RFC 3339 UTC string such as
 * `2024-01-12T13:50:00Z`, or returns `undefined` when it is not one.
 *
 * - A date alone (`2024-01-12`) means midnight UTC.
 * - A date-time without an offset is read as UTC; one with an offset is
 *   converted to UTC.
 * - Fractional seconds keep all their digits (trailing zeros dropped).
 * - Calendar checks are strict: `2023-02-29` and `24:00` are rejected.
 * - A valid `Date` object is accepted too. Numbers are not: an epoch number is
 *   ambiguous (seconds or milliseconds) and should be converted by the mapping.
 */
export function normalizeDatetime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : toRfc3339(value);
  if (typeof value !== 'string') return undefined;
  if (isCanonicalUtc(value)) return value;
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const fraction = m[7] === undefined ? '' : m[7].replace(/0+$/, '');
  if (offsetMinutes === 0) {
    // Already UTC: reassemble from the checked parts, no Date arithmetic needed.
    if (m[4] === undefined) return `${m[1]}-${m[2]}-${m[3]}T00:00:00Z`;
    return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${fraction ? `.${fraction}` : ''}Z`;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return undefined;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Digit value at `i`, or NaN when it is not a digit (NaN spreads through the sums and fails every range check). */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

/** True for an already normalised, valid `YYYY-MM-DDTHH:MM:SSZ`; checked without a regular expression. */
function isCanonicalUtc(s: string): boolean {
  if (s.length !== 20) return false;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[19] !== 'Z')
    return false;
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
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
