/**
 * RFC 3339 timestamps as Parquet TIMESTAMP(MICROS, UTC) values, and back.
 *
 * Parquet keeps an instant, not the text it came from, so the writer picks one
 * text style per column (the one that reproduces most values of the column)
 * and the reader formats every value in that style. A value that the style
 * cannot reproduce exactly (`+01:00` offsets, nanoseconds, a lower-case `t`)
 * keeps its original text in the round-trip side column.
 */
import { parseRfc3339 } from '@scm/core/time';

/** How many fraction digits a formatted timestamp carries. */
export type FractionStyle = 'f0' | 'f3' | 'f6' | 'f9' | 'auto' | 'py';

/** A text style: fraction digits and the UTC suffix. */
export interface TimestampStyle {
  /**
   * `f0`/`f3`/`f6`/`f9`: always that many digits; `auto`: none when the fraction is zero,
   * else 3 digits when it is whole milliseconds, else 6; `py`: none when zero, else 6.
   */
  fraction: FractionStyle;
  /** `Z` or `+00:00`. */
  suffix: 'Z' | '+00:00';
}

/** The style used when a column has no values (and for files from other writers). */
export const DEFAULT_TIMESTAMP_STYLE: TimestampStyle = { fraction: 'auto', suffix: 'Z' };

const FRACTIONS: readonly FractionStyle[] = ['auto', 'py', 'f3', 'f6', 'f0', 'f9'];
const SUFFIXES: readonly TimestampStyle['suffix'][] = ['Z', '+00:00'];

/** Every style, in tie-break order. */
export const TIMESTAMP_STYLES: readonly TimestampStyle[] = SUFFIXES.flatMap((suffix) =>
  FRACTIONS.map((fraction) => ({ fraction, suffix })),
);

/** Encodes a style as a short string such as `auto|Z`. */
export function styleKey(style: TimestampStyle): string {
  return `${style.fraction}|${style.suffix}`;
}

/** Decodes {@link styleKey}; falls back to the default style for unknown input. */
export function parseStyleKey(key: unknown): TimestampStyle {
  if (typeof key !== 'string') return DEFAULT_TIMESTAMP_STYLE;
  const [fraction, suffix] = key.split('|');
  if (FRACTIONS.includes(fraction as FractionStyle) && (suffix === 'Z' || suffix === '+00:00')) {
    return { fraction: fraction as FractionStyle, suffix };
  }
  return DEFAULT_TIMESTAMP_STYLE;
}

/** A parsed timestamp: the instant and what its text looked like. */
export interface ParsedTimestamp {
  /** Microseconds since the Unix epoch (UTC). */
  micros: bigint;
  /** Number of fraction digits written in the text. */
  digits: number;
  /** Sub-second part in microseconds (0..999999). */
  fractionMicros: number;
  /** The text can be one of the fixed styles (upper-case `T`, `Z` or `+00:00`, no lost precision). */
  regular: boolean;
  /** The UTC suffix as written, when `regular`. */
  suffix: 'Z' | '+00:00' | undefined;
}

/**
 * Reads an RFC 3339 date-time (with `@scm/core/time`; a space may separate
 * date and time here) as a Parquet timestamp. Returns `undefined` for
 * anything that is not one (bad ranges included). A leap second (`:60`)
 * counts as the next second; its text is then not regular.
 */
export function readTimestamp(text: string): ParsedTimestamp | undefined {
  const parsed = parseRfc3339(text, { allowSpace: true });
  if (!parsed) return undefined;
  const fractionText = parsed.fraction;
  const digits = fractionText.length;
  const fractionMicros = digits === 0 ? 0 : Number(`${fractionText}000000`.slice(0, 6));
  const lostPrecision = digits > 6 && !/^0+$/.test(fractionText.slice(6));
  const seconds = parsed.epochSecond;
  const micros =
    Math.abs(seconds) < 9e9
      ? BigInt(seconds * 1_000_000 + fractionMicros)
      : BigInt(seconds) * 1_000_000n + BigInt(fractionMicros);
  const zone = parsed.zone;
  const suffix = zone === 'Z' ? 'Z' : zone === '+00:00' ? '+00:00' : undefined;
  const regular =
    parsed.separator === 'T' &&
    suffix !== undefined &&
    parsed.second < 60 &&
    !lostPrecision &&
    [0, 3, 6, 9].includes(digits);
  return { micros, digits, fractionMicros, regular, suffix };
}

function fractionDigitsFor(style: FractionStyle, fractionMicros: number): number {
  switch (style) {
    case 'f0':
      return 0;
    case 'f3':
      return 3;
    case 'f6':
      return 6;
    case 'f9':
      return 9;
    case 'py':
      return fractionMicros === 0 ? 0 : 6;
    default:
      return fractionMicros === 0 ? 0 : fractionMicros % 1000 === 0 ? 3 : 6;
  }
}

/** True when formatting `parsed` in `style` gives back the text it was parsed from. */
export function styleReproduces(parsed: ParsedTimestamp, style: TimestampStyle): boolean {
  if (!parsed.regular || parsed.suffix !== style.suffix) return false;
  const digits = fractionDigitsFor(style.fraction, parsed.fractionMicros);
  if (digits !== parsed.digits) return false;
  // Fewer digits than the value needs would drop precision.
  if (digits === 0) return parsed.fractionMicros === 0;
  if (digits === 3) return parsed.fractionMicros % 1000 === 0;
  return true;
}

/** Formats microseconds since the epoch in `style`. Years outside 0000-9999 use the ISO expanded form. */
export function formatTimestamp(micros: bigint, style: TimestampStyle): string {
  let seconds: number;
  let fractionMicros: number;
  if (micros > -9_000_000_000_000_000n && micros < 9_000_000_000_000_000n) {
    const n = Number(micros);
    seconds = Math.floor(n / 1_000_000);
    fractionMicros = n - seconds * 1_000_000;
  } else {
    let s = micros / 1_000_000n;
    let f = micros % 1_000_000n;
    if (f < 0n) {
      f += 1_000_000n;
      s -= 1n;
    }
    seconds = Number(s);
    fractionMicros = Number(f);
  }
  const base = new Date(seconds * 1000).toISOString();
  const head = base.slice(0, base.indexOf('.'));
  const digits = fractionDigitsFor(style.fraction, fractionMicros);
  let text = head;
  if (digits > 0) {
    const six = String(fractionMicros).padStart(6, '0');
    text += `.${digits <= 6 ? six.slice(0, digits) : `${six}000`.slice(0, digits)}`;
  }
  return text + style.suffix;
}

/** Counts, per style, how many values of a column it reproduces. */
export class TimestampStyleCounter {
  /** Values seen. */
  total = 0;
  private readonly hits = new Array<number>(TIMESTAMP_STYLES.length).fill(0);

  /** Records one parsed value. */
  add(parsed: ParsedTimestamp): void {
    this.total += 1;
    if (!parsed.regular) return;
    for (let i = 0; i < TIMESTAMP_STYLES.length; i++) {
      if (styleReproduces(parsed, TIMESTAMP_STYLES[i]!)) this.hits[i]! += 1;
    }
  }

  /** A counter with the counts of `data`, a counter that crossed threads (a structured clone keeps no class). */
  static revive(data: TimestampStyleCounter): TimestampStyleCounter {
    const counter = new TimestampStyleCounter();
    counter.total = data.total;
    counter.hits.splice(0, counter.hits.length, ...data.hits);
    return counter;
  }

  /** The style that reproduces the most values, and how many values it misses. */
  best(): { style: TimestampStyle; misses: number } {
    let bestIndex = 0;
    for (let i = 1; i < TIMESTAMP_STYLES.length; i++) {
      if (this.hits[i]! > this.hits[bestIndex]!) bestIndex = i;
    }
    return { style: TIMESTAMP_STYLES[bestIndex]!, misses: this.total - this.hits[bestIndex]! };
  }
}
