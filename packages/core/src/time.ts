/**
 * The one home of RFC 3339 date-time parsing (`@scm/core/time`).
 *
 * Leap seconds are handled one way everywhere: `:60` is accepted in any
 * minute (the grammar of RFC 3339 section 5.6 allows it; which minutes really
 * had one is a table no parser here keeps) and it stands for the same instant
 * as the `:00` that follows, so `2016-12-31T23:59:60Z` sorts and compares
 * equal to `2017-01-01T00:00:00Z`.
 */

/** Calendar and clock fields of a date-time, as written (before any offset is applied). */
export interface DateTimeFields {
  year: number;
  /** 1-12. */
  month: number;
  /** 1-31. */
  day: number;
  /** 0-23. */
  hour: number;
  /** 0-59. */
  minute: number;
  /** 0-60; 60 is a leap second. */
  second: number;
  /** Fraction-of-second digits exactly as written (`''` when there are none). */
  fraction: string;
}

/** A date-time read by {@link parseRfc3339}. */
export interface Rfc3339DateTime extends DateTimeFields {
  /** The date/time separator as written: `T`, `t`, or a space when allowed. */
  separator: string;
  /** The offset as written: `Z`, `z` or `±hh:mm`. */
  zone: string;
  /** Minutes east of UTC. */
  offsetMinutes: number;
  /** Whole seconds since the Unix epoch; a leap second counts as the next second. */
  epochSecond: number;
}

/** Options of {@link parseRfc3339}. */
export interface Rfc3339Options {
  /** Accept a space between date and time (RFC 3339 section 5.6 lets applications agree on it). Default false. */
  allowSpace?: boolean;
}

const MS_PER_DAY = 86_400_000;

/** True for a Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1-12); exact for every year. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** True when the fields name a real calendar day and clock time (leap second `:60` allowed). */
export function fieldsInRange(f: DateTimeFields): boolean {
  return (
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 &&
    f.minute <= 59 &&
    f.second <= 60
  );
}

/** Seconds since the epoch of the fields read at `offsetMinutes` east of UTC; `:60` runs into the next second. */
export function epochSecondOf(f: DateTimeFields, offsetMinutes: number): number {
  const days = daysFromCivil(f.year, f.month, f.day);
  return days * 86400 + f.hour * 3600 + (f.minute - offsetMinutes) * 60 + f.second;
}

/** Milliseconds since the epoch of a parsed date-time, the fraction included (not rounded). */
export function epochMillis(value: { epochSecond: number; fraction: string }): number {
  const fraction = value.fraction === '' ? 0 : Number(`0.${value.fraction}`) * 1000;
  return value.epochSecond * 1000 + fraction;
}

/** Digit value at `i`, or -1 when the character is not a digit. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The number written by `width` digits from `i`, or -1 when one of them is not a digit. */
function digitsAt(s: string, i: number, width: number): number {
  let n = 0;
  for (let k = 0; k < width; k++) {
    const d = digitAt(s, i + k);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Reads `Z`, `z` or `±hh:mm` at `i` (to the end of the text); minutes east of UTC or undefined. */
function strictOffsetAt(s: string, i: number): number | undefined {
  const sign = s[i];
  if (sign === 'Z' || sign === 'z') return s.length === i + 1 ? 0 : undefined;
  if ((sign !== '+' && sign !== '-') || s.length !== i + 6 || s[i + 3] !== ':') return undefined;
  const hours = digitsAt(s, i + 1, 2);
  const minutes = digitsAt(s, i + 4, 2);
  if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Parses an RFC 3339 date-time (section 5.6: `YYYY-MM-DDTHH:MM:SS`, any
 * fraction, `Z` or `±hh:mm`), or returns `undefined` when the text is not one:
 * wrong shape, month 13, February 29 of a common year, hour 24 and the like.
 * Scans characters instead of running a regular expression: this runs for
 * every datetime of every Item.
 */
export function parseRfc3339(text: string, options: Rfc3339Options = {}): Rfc3339DateTime | undefined {
  if (text.length < 20 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') {
    return undefined;
  }
  const separator = text[10]!;
  if (separator !== 'T' && separator !== 't' && !(separator === ' ' && options.allowSpace)) return undefined;
  // Built in one literal, never spread or grown: this object is made for every datetime of every Item.
  const parsed: Rfc3339DateTime = {
    year: digitsAt(text, 0, 4),
    month: digitsAt(text, 5, 2),
    day: digitsAt(text, 8, 2),
    hour: digitsAt(text, 11, 2),
    minute: digitsAt(text, 14, 2),
    second: digitsAt(text, 17, 2),
    fraction: '',
    separator,
    zone: '',
    offsetMinutes: 0,
    epochSecond: 0,
  };
  if (parsed.year < 0 || parsed.hour < 0 || parsed.minute < 0 || parsed.second < 0) return undefined;
  if (!fieldsInRange(parsed)) return undefined;
  let i = 19;
  if (text[i] === '.') {
    const start = i + 1;
    i = start;
    while (digitAt(text, i) >= 0) i++;
    if (i === start) return undefined;
    parsed.fraction = text.slice(start, i);
  }
  const offsetMinutes = strictOffsetAt(text, i);
  if (offsetMinutes === undefined) return undefined;
  parsed.zone = text.slice(i);
  parsed.offsetMinutes = offsetMinutes;
  parsed.epochSecond = epochSecondOf(parsed, offsetMinutes);
  return parsed;
}

/** Milliseconds since the epoch of an RFC 3339 date-time (fraction kept), or `undefined` when it is not one. */
export function rfc3339ToMillis(text: string): number | undefined {
  const parsed = parseRfc3339(text);
  return parsed === undefined ? undefined : epochMillis(parsed);
}

/** How much of a date-time {@link parseIsoDateTime} found. */
export type DateTimePrecision = 'year' | 'month' | 'day' | 'minute' | 'second';

/** A date or date-time read by {@link parseIsoDateTime}. */
export interface IsoDateTime extends DateTimeFields {
  /** The smallest unit written; missing fields are the first of their range (month 1, day 1, 00:00:00). */
  precision: DateTimePrecision;
  /** Minutes east of UTC when the text carries an offset. */
  offsetMinutes?: number;
}

/**
 * The ISO 8601 extended forms people write: `2024`, `2024-01`, `2024-01-12`,
 * `2024-01-12T13:50`, `…:00`, a fraction after `.` or `,`, and an optional
 * offset `Z`, `±hh:mm`, `±hhmm` or `±hh` (whitespace allowed before it).
 */
const ISO_DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?)?)?$/;

function isoPrecision(m: RegExpExecArray): DateTimePrecision {
  if (m[6] !== undefined) return 'second';
  if (m[4] !== undefined) return 'minute';
  if (m[3] !== undefined) return 'day';
  return m[2] !== undefined ? 'month' : 'year';
}

/** Minutes east of UTC from the offset groups of {@link ISO_DATE_TIME}; NaN when out of range. */
function isoOffset(m: RegExpExecArray): number | undefined {
  if (m[8] !== undefined) return 0;
  if (m[9] === undefined) return undefined;
  const hours = Number(m[10]);
  const minutes = m[11] === undefined ? 0 : Number(m[11]);
  if (hours > 23 || minutes > 59) return Number.NaN;
  return (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Reads the shape of the looser ISO 8601 forms that mappings and records
 * carry (see {@link ISO_DATE_TIME}) without checking that the fields are in
 * range, for callers that explain a bad month or day in their own words
 * (every field is a number; an offset out of range is refused). Most callers
 * want {@link parseIsoDateTime}.
 */
export function matchIsoDateTime(text: string): IsoDateTime | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const offset = isoOffset(m);
  if (Number.isNaN(offset)) return undefined;
  const parsed: IsoDateTime = {
    year: Number(m[1]),
    month: m[2] === undefined ? 1 : Number(m[2]),
    day: m[3] === undefined ? 1 : Number(m[3]),
    hour: m[4] === undefined ? 0 : Number(m[4]),
    minute: m[5] === undefined ? 0 : Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    fraction: m[7] ?? '',
    precision: isoPrecision(m),
  };
  if (offset !== undefined) parsed.offsetMinutes = offset;
  return parsed;
}

/**
 * Parses the looser ISO 8601 forms (see {@link matchIsoDateTime}) with the
 * same calendar checks and leap-second rule as {@link parseRfc3339}. Returns
 * `undefined` when the text is not one. The caller decides what a value
 * without an offset means.
 */
export function parseIsoDateTime(text: string): IsoDateTime | undefined {
  const parsed = matchIsoDateTime(text);
  return parsed !== undefined && fieldsInRange(parsed) ? parsed : undefined;
}

/** One end of a parsed interval. */
export interface IntervalBound {
  /** Milliseconds since the epoch of the start of the instant (a date alone is midnight UTC). */
  ms: number;
  /** The bound was a date alone (`2024-01-12`): it covers that whole UTC day. */
  dateOnly: boolean;
  /** The bound as written, trimmed. */
  text: string;
}

/** A `datetime` filter read by {@link parseDatetimeInterval}; an open end is `undefined`. */
export interface DatetimeInterval {
  start: IntervalBound | undefined;
  end: IntervalBound | undefined;
  /** The filter was one instant (no `/`): `start` and `end` are the same bound. */
  instant: boolean;
}

/** Why {@link parseDatetimeInterval} refused a filter. */
export interface IntervalProblem {
  /** `parts`: more than one `/`; `bound`: a part is not a date-time. */
  reason: 'parts' | 'bound';
  /** The offending part, for `bound`. */
  part?: string;
}

/** Milliseconds of the last instant of a date-only bound's day. */
export const LAST_MS_OF_DAY = MS_PER_DAY - 1;

/** Reads one bound: `''`/`..` is open, a date alone is its UTC midnight, anything else must be RFC 3339. */
function parseBound(raw: string): IntervalBound | undefined | null {
  const text = raw.trim();
  if (text === '' || text === '..') return undefined;
  const full = rfc3339ToMillis(text);
  if (full !== undefined) return { ms: full, dateOnly: false, text };
  const date = text.length === 10 ? parseIsoDateTime(text) : undefined;
  if (date?.precision !== 'day') return null;
  return { ms: daysFromCivil(date.year, date.month, date.day) * MS_PER_DAY, dateOnly: true, text };
}

/**
 * Parses the `--datetime` / STAC API `datetime` filter: an instant, or
 * `start/end` where `..` or an empty part is an open end (`a/b`, `../b`,
 * `a/..`). Each bound is an RFC 3339 date-time or a date alone. Returns the
 * bounds, or a problem for the caller to phrase; whether an empty or fully
 * open filter is allowed, and how the ends are ordered, is the caller's rule.
 */
export function parseDatetimeInterval(filter: string): DatetimeInterval | IntervalProblem {
  const parts = filter.split('/');
  if (parts.length > 2) return { reason: 'parts' };
  const bounds: Array<IntervalBound | undefined> = [];
  for (const part of parts) {
    const bound = parseBound(part);
    if (bound === null) return { reason: 'bound', part: part.trim() };
    bounds.push(bound);
  }
  const start = bounds[0];
  return { start, end: parts.length === 2 ? bounds[1] : start, instant: parts.length === 1 };
}

/** True when {@link parseDatetimeInterval} refused its filter. */
export function isIntervalProblem(value: DatetimeInterval | IntervalProblem): value is IntervalProblem {
  return 'reason' in value;
}
