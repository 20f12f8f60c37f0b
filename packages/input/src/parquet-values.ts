import { isForbiddenKey, type JsonValue } from '@scm/core';
import type { ParquetParsers, SchemaElement } from 'hyparquet';

/**
 * Conversion of decoded Parquet values to JSON-friendly values. hyparquet
 * decodes pages into JavaScript values (bigint, Uint8Array, Date, typed
 * arrays); none of those may reach a record, because records are plain JSON.
 */

/** How plain binary (`BYTE_ARRAY` / `FIXED_LEN_BYTE_ARRAY` without a string annotation) is rendered. */
export type BinaryEncoding = 'base64' | 'utf8';

/** Marks a value that could not be decoded (bad WKB, bad JSON); the row becomes a Failure. */
export class UndecodableValue {
  constructor(readonly message: string) {}
}

/** Raised while converting a row that holds an {@link UndecodableValue}. */
export class RowValueError extends Error {}

const utf8 = new TextDecoder('utf-8');
const MILLIS_PER_DAY = 86_400_000;
/** Largest millisecond offset a JavaScript Date can hold. */
const MAX_DATE_MILLIS = 8_640_000_000_000_000n;

/** RFC 3339 UTC text for `ms` milliseconds plus `subMillis` (0 ≤ subMillis < 10^subDigits) after the epoch. */
function formatInstant(ms: bigint, subMillis: bigint, subDigits: number): string {
  const date = new Date(Number(ms));
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ (or ±YYYYYY-… far from now)
  let fraction = iso.slice(-4, -1) + (subDigits > 0 ? subMillis.toString().padStart(subDigits, '0') : '');
  while (fraction.endsWith('000')) fraction = fraction.slice(0, -3);
  return `${iso.slice(0, -5)}${fraction ? `.${fraction}` : ''}Z`;
}

function floorDiv(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q -= 1n;
    r += b;
  }
  return [q, r];
}

function timestamp(value: bigint | number, perMilli: bigint, subDigits: number): string {
  const raw = BigInt(value);
  const [ms, sub] = perMilli === 1n ? [raw, 0n] : floorDiv(raw, perMilli);
  if (ms > MAX_DATE_MILLIS || ms < -MAX_DATE_MILLIS) return raw.toString();
  return formatInstant(ms, sub, subDigits);
}

/** `YYYY-MM-DD` for a day count since 1970-01-01. */
export function formatDate(days: number): string {
  const date = new Date(days * MILLIS_PER_DAY);
  if (Number.isNaN(date.getTime())) return String(days);
  return date.toISOString().slice(0, 10);
}

/** `HH:MM:SS[.fff[fff]]` for a time of day in the given unit. */
export function formatTime(value: bigint | number, unit: 'MILLIS' | 'MICROS' | 'NANOS'): string {
  const perSecond = unit === 'MILLIS' ? 1_000n : unit === 'MICROS' ? 1_000_000n : 1_000_000_000n;
  const digits = unit === 'MILLIS' ? 3 : unit === 'MICROS' ? 6 : 9;
  const raw = BigInt(value);
  const [seconds, fraction] = floorDiv(raw, perSecond);
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  const s = seconds % 60n;
  const pad = (n: bigint) => n.toString().padStart(2, '0');
  let frac = fraction.toString().padStart(digits, '0');
  while (frac.endsWith('000')) frac = frac.slice(0, -3);
  return `${pad(h)}:${pad(m)}:${pad(s)}${frac ? `.${frac}` : ''}`;
}

/** Parsers handed to hyparquet so timestamps, dates, JSON and geometries come out JSON-ready. */
export const jsonParsers: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => timestamp(millis, 1n, 0),
  timestampFromMicroseconds: (micros: bigint) => timestamp(micros, 1_000n, 3),
  timestampFromNanoseconds: (nanos: bigint) => timestamp(nanos, 1_000_000n, 6),
  dateFromDays: (days: number) => formatDate(days),
  jsonFromBytes(bytes: Uint8Array) {
    if (!bytes) return bytes;
    try {
      return JSON.parse(utf8.decode(bytes));
    } catch (error) {
      return new UndecodableValue(`invalid JSON (${(error as Error).message})`);
    }
  },
};

/** Wraps hyparquet's WKB decoders so one bad geometry fails its row, not the file. */
export function guardedGeometryParsers(defaults: ParquetParsers): Partial<ParquetParsers> {
  const guard =
    (decode: (bytes: Uint8Array) => unknown) =>
    (bytes: Uint8Array): unknown => {
      if (!bytes) return bytes;
      try {
        return decode(bytes);
      } catch (error) {
        return new UndecodableValue(`invalid WKB geometry (${(error as Error).message})`);
      }
    };
  return {
    geometryFromBytes: guard(defaults.geometryFromBytes),
    geographyFromBytes: guard(defaults.geographyFromBytes),
  };
}

/** Converts any decoded value to plain JSON. */
export function toJsonValue(value: unknown, binary: BinaryEncoding): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Uint8Array)
    return binary === 'utf8' ? utf8.decode(value) : Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, binary));
  if (ArrayBuffer.isView(value)) {
    return Array.from(value as unknown as ArrayLike<unknown>, (v) => toJsonValue(v, binary));
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? null : formatInstant(BigInt(value.getTime()), 0n, 0);
  }
  if (value instanceof UndecodableValue) throw new RowValueError(value.message);
  const out: { [key: string]: JsonValue } = {};
  for (const [key, v] of Object.entries(value)) {
    if (isForbiddenKey(key)) continue;
    out[key] = toJsonValue(v, binary);
  }
  return out;
}

/** A converter for one top-level column, aware of the annotations hyparquet leaves undecoded. */
export function columnConverter(
  element: SchemaElement,
  binary: BinaryEncoding,
): (value: unknown) => JsonValue {
  const ctype = element.converted_type;
  const ltype = element.logical_type;
  if (ctype === 'ENUM' || ltype?.type === 'ENUM') {
    return (value) => (value instanceof Uint8Array ? utf8.decode(value) : toJsonValue(value, binary));
  }
  if (ltype?.type === 'TIME' || ctype === 'TIME_MILLIS' || ctype === 'TIME_MICROS') {
    const unit = ltype?.type === 'TIME' ? ltype.unit : ctype === 'TIME_MILLIS' ? 'MILLIS' : 'MICROS';
    return (value) =>
      typeof value === 'number' || typeof value === 'bigint'
        ? formatTime(value, unit)
        : toJsonValue(value, binary);
  }
  if (ltype?.type === 'DATE' && ctype !== 'DATE') {
    return (value) => (typeof value === 'number' ? formatDate(value) : toJsonValue(value, binary));
  }
  return (value) => toJsonValue(value, binary);
}
