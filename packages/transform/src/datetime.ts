import { type DateTimeFields, daysInMonth, isLeapYear, matchIsoDateTime } from '@scm/core/time';
import { DefinitionError } from './path.js';

/**
 * Calendar fields read from a value, before the time zone is applied; `fraction` is kept without
 * trailing zeros (e.g. `529`).
 */
interface Fields extends DateTimeFields {
  /** Offset from UTC in minutes when the value carries one. */
  offset?: number;
  /** Set instead of the calendar fields by the epoch tokens `X` and `x`. */
  epochMs?: number;
  pm?: boolean;
  twelveHour?: boolean;
}

type Setter = (f: Fields, text: string) => boolean;
type Matcher = (text: string) => Fields | undefined;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*';

function newFields(): Fields {
  return { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: '' };
}

function trimFraction(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end -= 1;
  return digits.slice(0, end);
}

/** Parses `Z`, `+02:00`, `+0200` or `+02` into minutes east of UTC. */
export function parseOffset(text: string): number | undefined {
  if (text === 'Z' || text === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] ? Number(m[3]) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

type NumberField = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/** A setter that stores the matched digits in one field. */
function setNumber(field: NumberField, twelveHour = false): Setter {
  return (f, t) => {
    f[field] = Number(t);
    if (twelveHour) f.twelveHour = true;
    return true;
  };
}

const setTwoDigitYear: Setter = (f, t) => {
  const n = Number(t);
  f.year = n + (n > 68 ? 1900 : 2000);
  return true;
};

const setMonthName: Setter = (f, t) => {
  const i = MONTHS.indexOf(t.toLowerCase());
  f.month = i + 1;
  return i >= 0;
};

const setMonthShort: Setter = (f, t) => {
  const lower = t.toLowerCase();
  const i = MONTHS.findIndex((m) => m.startsWith(lower) && (lower.length === 3 || lower === 'sept'));
  f.month = i + 1;
  return i >= 0;
};

const setMeridiem: Setter = (f, t) => {
  f.pm = t.toLowerCase() === 'pm';
  return true;
};

const setOffset: Setter = (f, t) => {
  f.offset = parseOffset(t);
  return f.offset !== undefined;
};

const setEpochMs: Setter = (f, t) => {
  f.epochMs = Number(t);
  return Number.isSafeInteger(f.epochMs);
};

const ignore: Setter = () => true;

const setFraction: Setter = (f, t) => {
  f.fraction = trimFraction(t);
  return true;
};

/** Format tokens, longest first where one is a prefix of another. */
const TOKENS: [string, string, Setter][] = [
  ['YYYY', '(\\d{4})', setNumber('year')],
  ['YY', '(\\d{2})', setTwoDigitYear],
  ['MMMM', '([A-Za-z]+)', setMonthName],
  ['MMM', '([A-Za-z]{3,4})\\.?', setMonthShort],
  ['MM', '(\\d{2})', setNumber('month')],
  ['M', '(\\d{1,2})', setNumber('month')],
  ['DDDD', '(\\d{3})', (f, t) => setDayOfYear(f, Number(t))],
  ['DD', '(\\d{2})', setNumber('day')],
  ['D', '(\\d{1,2})', setNumber('day')],
  ['dddd', `(${WEEKDAYS})`, ignore],
  ['ddd', `(${WEEKDAYS})`, ignore],
  ['HH', '(\\d{2})', setNumber('hour')],
  ['H', '(\\d{1,2})', setNumber('hour')],
  ['hh', '(\\d{2})', setNumber('hour', true)],
  ['h', '(\\d{1,2})', setNumber('hour', true)],
  ['mm', '(\\d{2})', setNumber('minute')],
  ['m', '(\\d{1,2})', setNumber('minute')],
  ['ss', '(\\d{2})', setNumber('second')],
  ['s', '(\\d{1,2})', setNumber('second')],
  ['A', '([AaPp][Mm])', setMeridiem],
  ['a', '([AaPp][Mm])', setMeridiem],
  ['ZZ', '(Z|z|[+-]\\d{2}:?\\d{2})', setOffset],
  ['Z', '(Z|z|[+-]\\d{2}(?::?\\d{2})?)', setOffset],
  ['X', '(-?\\d+(?:\\.\\d+)?)', (f, t) => setEpochSeconds(f, t)],
  ['x', '(-?\\d+)', setEpochMs],
];

function setDayOfYear(f: Fields, dayOfYear: number): boolean {
  const leap = isLeapYear(f.year);
  if (dayOfYear < 1 || dayOfYear > (leap ? 366 : 365)) return false;
  let remaining = dayOfYear;
  for (let m = 1; m <= 12; m++) {
    const days = daysInMonth(f.year, m);
    if (remaining <= days) {
      f.month = m;
      f.day = remaining;
      return true;
    }
    remaining -= days;
  }
  return false;
}

function setEpochSeconds(f: Fields, text: string): boolean {
  const [whole, frac = ''] = text.split('.');
  const seconds = Number(whole);
  if (!Number.isSafeInteger(seconds)) return false;
  const negative = text.startsWith('-');
  if (frac && negative) {
    // -1.5 s is 1.5 s before the epoch: whole second -2 plus 0.5.
    const value = Number(text);
    const floor = Math.floor(value);
    f.epochMs = floor * 1000;
    const rest = (value - floor).toFixed(Math.min(frac.length, 9)).slice(2);
    f.fraction = trimFraction(rest);
    return true;
  }
  f.epochMs = seconds * 1000;
  f.fraction = trimFraction(frac.slice(0, 9));
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a format such as `DD/MM/YYYY HH:mm` into a matcher. */
function compileTokenFormat(format: string): Matcher {
  let pattern = '';
  const setters: Setter[] = [];
  let i = 0;
  let fieldCount = 0;
  while (i < format.length) {
    if (format[i] === '[') {
      const close = format.indexOf(']', i);
      if (close === -1) throw new DefinitionError(`unclosed "[" in date format "${format}"`);
      pattern += escapeRegExp(format.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    if (format[i] === 'S') {
      let end = i;
      while (format[end] === 'S') end += 1;
      if (end - i > 9) throw new DefinitionError(`at most 9 "S" in date format "${format}"`);
      pattern += '(\\d{1,9})';
      setters.push(setFraction);
      fieldCount += 1;
      i = end;
      continue;
    }
    const token = TOKENS.find(([name]) => format.startsWith(name, i));
    if (token) {
      pattern += token[1];
      setters.push(token[2]);
      fieldCount += 1;
      i += token[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(format[i]!)) {
      // Letters that are not tokens are literals (like "T"); but catch typos such as "yyyy".
      if (/[yY]/.test(format[i]!) || /[dD]/.test(format[i]!)) {
        throw new DefinitionError(
          `"${format[i]}" in date format "${format}" is not a token (tokens: YYYY YY MM M MMM MMMM DD D DDDD HH H hh h mm m ss s S… A Z ZZ X x; put literal text in [brackets])`,
        );
      }
    }
    pattern += escapeRegExp(format[i]!);
    i += 1;
  }
  if (fieldCount === 0) throw new DefinitionError(`date format "${format}" has no tokens`);
  const regex = new RegExp(`^${pattern}$`, 'i');
  return (text) => {
    const m = regex.exec(text);
    if (!m) return undefined;
    const f = newFields();
    for (let k = 0; k < setters.length; k++) {
      if (!setters[k]!(f, m[k + 1]!)) return undefined;
    }
    return f;
  };
}

/**
 * The `iso` format: the ISO 8601 forms of `@scm/core/time` (date-only and
 * reduced precision allowed), with at most 9 fraction digits. Ranges are
 * checked with the other formats' fields, so a bad month is named.
 */
const isoMatcher: Matcher = (text) => {
  const parsed = matchIsoDateTime(text);
  if (!parsed || parsed.fraction.length > 9) return undefined;
  const f = newFields();
  f.year = parsed.year;
  f.month = parsed.month;
  f.day = parsed.day;
  f.hour = parsed.hour;
  f.minute = parsed.minute;
  f.second = parsed.second;
  f.fraction = trimFraction(parsed.fraction);
  if (parsed.offsetMinutes !== undefined) f.offset = parsed.offsetMinutes;
  return f;
};

/** A compiled time zone: a fixed offset, or an IANA zone resolved per instant. */
type Zone = { fixed: number } | { iana: Intl.DateTimeFormat };

/** Compiles the `timezone` option: `UTC`, `Z`, `+02:00`, `-0500` or an IANA name like `Europe/Paris`. */
export function compileZone(timezone: string): Zone {
  if (/^(utc|gmt|z)$/i.test(timezone)) return { fixed: 0 };
  const offset = parseOffset(timezone);
  if (offset !== undefined) return { fixed: offset };
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    return { iana: format };
  } catch {
    throw new DefinitionError(
      `unknown time zone "${timezone}" (use UTC, an offset like +02:00, or an IANA name like Europe/Paris)`,
    );
  }
}

/** Offset in minutes of an IANA zone at a UTC instant. */
function ianaOffset(format: Intl.DateTimeFormat, utcMs: number): number {
  const parts = format.formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** Milliseconds of 0000-01-01T00:00:00Z and of the last millisecond of 9999 (RFC 3339 years). */
const MIN_MS = -62167219200000;
const MAX_MS = 253402300799999;

function utcMsOf(f: Fields): number {
  const ms = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  if (f.year >= 100) return ms;
  // Date.UTC reads years 0-99 as 1900-1999.
  const d = new Date(ms);
  d.setUTCFullYear(f.year);
  return d.getTime();
}

/** The instant a date value stands for: whole UTC milliseconds plus the written fraction digits. */
export interface Instant {
  /** Milliseconds since the epoch, rounded down to the second. */
  secondMs: number;
  /** Fraction-of-second digits (no trailing zeros). */
  fraction: string;
  /** Calendar date as written, before the time zone is applied (for `date`). */
  localDate: { year: number; month: number; day: number };
  /** The UTC wall-clock fields, when the value was already in UTC (saves a Date round trip when formatting). */
  utc?: { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** A parser for date values. */
export type DateParser = (value: unknown) => Instant | string;

/** One input format, compiled. */
interface CompiledFormat {
  format: string;
  match: Matcher;
  epoch: 'seconds' | 'ms' | undefined;
}

function compileFormat(format: string): CompiledFormat {
  return {
    format,
    match: format === 'iso' ? isoMatcher : compileTokenFormat(format),
    epoch: format === 'X' ? 'seconds' : format === 'x' ? 'ms' : undefined,
  };
}

/** The instant of an epoch value (`X`, `x` or a `Date`), or why it is out of range. */
function finishEpoch(epochMs: number, written: string): Instant | string {
  if (Number.isNaN(new Date(epochMs).getTime())) return 'the epoch value is out of range';
  const subSecond = ((epochMs % 1000) + 1000) % 1000;
  const ms = epochMs - subSecond;
  const fraction = written || (subSecond !== 0 ? trimFraction(String(subSecond).padStart(3, '0')) : '');
  const check = new Date(ms);
  const year = check.getUTCFullYear();
  if (year < 0 || year > 9999) return 'the year is outside 0000-9999';
  return {
    secondMs: ms,
    fraction,
    localDate: { year, month: check.getUTCMonth() + 1, day: check.getUTCDate() },
  };
}

/**
 * Resolves a 12-hour clock and checks the calendar fields; returns why they
 * are wrong, or `undefined`. A leap second (`:60`) is accepted, as
 * `@scm/core/time` agrees: it is the instant of the next `:00`.
 */
function fieldsProblem(f: Fields): string | undefined {
  if (f.twelveHour) {
    if (f.hour < 1 || f.hour > 12) return `hour ${f.hour} is not a 12-hour clock hour`;
    if (f.pm === undefined) return 'a 12-hour clock value needs AM or PM (token A)';
    f.hour = (f.hour % 12) + (f.pm ? 12 : 0);
  }
  if (f.month < 1 || f.month > 12) return `month ${f.month} is out of range`;
  if (f.day < 1 || f.day > daysInMonth(f.year, f.month))
    return `day ${f.day} does not exist in ${f.year}-${String(f.month).padStart(2, '0')}`;
  if (f.hour > 23) return `hour ${f.hour} is out of range`;
  if (f.minute > 59) return `minute ${f.minute} is out of range`;
  if (f.second > 60) return `second ${f.second} is out of range`;
  return undefined;
}

/** Minutes east of UTC for wall-clock milliseconds `wall`: the value's own offset, else the zone's. */
function offsetFor(f: Fields, zone: Zone, wall: number): number {
  if (f.offset !== undefined) return f.offset;
  if ('fixed' in zone) return zone.fixed;
  // An IANA offset depends on the instant, which depends on the offset: settle it in two steps.
  const guess = ianaOffset(zone.iana, wall);
  return ianaOffset(zone.iana, wall - guess * 60000);
}

/** The instant of calendar fields read in `zone`, or why there is none. */
function finishCalendar(f: Fields, zone: Zone): Instant | string {
  const problem = fieldsProblem(f);
  if (problem !== undefined) return problem;
  const wall = utcMsOf(f);
  const offset = offsetFor(f, zone, wall);
  const ms = wall - offset * 60000;
  if (ms < MIN_MS || ms > MAX_MS) return 'the year is outside 0000-9999';
  const instant: Instant = {
    secondMs: ms,
    fraction: f.fraction,
    localDate: { year: f.year, month: f.month, day: f.day },
  };
  // A leap second's wall clock is not the instant's: let formatting go through the Date.
  if (offset === 0 && f.second < 60) instant.utc = f;
  return instant;
}

function finish(f: Fields, zone: Zone): Instant | string {
  return f.epochMs !== undefined ? finishEpoch(f.epochMs, f.fraction) : finishCalendar(f, zone);
}

/**
 * Builds a parser from a list of input formats, tried in order. A format is
 * `iso` (RFC 3339 / ISO 8601 extended, date-only forms allowed), `X`
 * (epoch seconds), `x` (epoch milliseconds) or a token pattern such as
 * `DD/MM/YYYY HH:mm`. `timezone` applies to values without an offset.
 * The parser returns the instant or an error message.
 */
export function compileDateParser(formats: readonly string[], timezone: string): DateParser {
  const zone = compileZone(timezone);
  const matchers = formats.map(compileFormat);
  const numeric = matchers.find((m) => m.epoch !== undefined);
  const listed = formats.join(', ');
  return (value) => {
    if (value instanceof Date) {
      const ms = value.getTime();
      return Number.isNaN(ms) ? 'the date is invalid' : finishEpoch(ms, '');
    }
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (!numeric)
        return `a number is not a date in the formats ${listed} (add "X" for epoch seconds or "x" for epoch milliseconds)`;
      const f = numeric.match(String(value));
      return f ? finish(f, zone) : `${String(value)} is not a valid epoch value`;
    }
    if (typeof value !== 'string')
      return `expected a date string, got ${Array.isArray(value) ? 'an array' : typeof value}`;
    const text = value.trim();
    for (const matcher of matchers) {
      const f = matcher.match(text);
      if (f) return finish(f, zone);
    }
    return `"${value}" matches none of the formats ${listed}`;
  };
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Formats an instant as RFC 3339 UTC: `2024-01-12T13:50:00Z`, with the fraction digits when there are some. */
export function formatInstant(instant: Instant): string {
  const fraction = instant.fraction ? `.${instant.fraction}` : '';
  const u = instant.utc;
  if (u) {
    const year = u.year >= 1000 ? String(u.year) : String(u.year).padStart(4, '0');
    return `${year}-${TWO_DIGITS[u.month]}-${TWO_DIGITS[u.day]}T${TWO_DIGITS[u.hour]}:${TWO_DIGITS[u.minute]}:${TWO_DIGITS[u.second]}${fraction}Z`;
  }
  const iso = new Date(instant.secondMs).toISOString();
  return `${iso.slice(0, 19)}${fraction}Z`;
}

/** Formats the calendar date of an instant: `2024-01-12`. */
export function formatLocalDate(instant: Instant): string {
  const { year, month, day } = instant.localDate;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
