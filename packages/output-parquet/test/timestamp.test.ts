import { describe, expect, it } from 'vitest';
import {
  formatTimestamp,
  readTimestamp,
  styleReproduces,
  TIMESTAMP_STYLES,
  TimestampStyleCounter,
} from '../src/timestamp.js';
import { random } from './helpers/generate.js';

describe('RFC 3339 timestamps', () => {
  it('parses to microseconds since the epoch', () => {
    expect(readTimestamp('1970-01-01T00:00:00Z')!.micros).toBe(0n);
    expect(readTimestamp('2020-01-01T00:00:00.123456Z')!.micros).toBe(1577836800123456n);
    expect(readTimestamp('2020-01-01T01:00:00+01:00')!.micros).toBe(1577836800000000n);
    expect(readTimestamp('1969-12-31T23:59:59.5Z')!.micros).toBe(-500000n);
    expect(readTimestamp('0001-01-01T00:00:00Z')!.micros).toBe(-62135596800000000n);
    expect(readTimestamp('9999-12-31T23:59:59.999999Z')!.micros).toBe(253402300799999999n);
  });

  it('rejects what is not a date-time', () => {
    for (const text of [
      '2020-13-01T00:00:00Z',
      '2021-02-29T00:00:00Z',
      '2020-01-01',
      '2020-01-01T24:00:00Z',
      'soon',
      '',
    ]) {
      expect(readTimestamp(text), text).toBeUndefined();
    }
    expect(readTimestamp('2020-02-29T00:00:00Z')).toBeDefined();
  });

  it('reads a leap second as the next second, as scaffold and validate do, keeping its text aside', () => {
    const leap = readTimestamp('2016-12-31T23:59:60Z')!;
    expect(leap.micros).toBe(readTimestamp('2017-01-01T00:00:00Z')!.micros);
    expect(leap.regular).toBe(false);
    expect(readTimestamp('2016-12-31T23:59:61Z')).toBeUndefined();
  });

  it('formats in each style', () => {
    const micros = readTimestamp('2021-06-30T12:34:56.120000Z')!.micros;
    const texts = TIMESTAMP_STYLES.map((style) => formatTimestamp(micros, style));
    expect(texts).toEqual([
      '2021-06-30T12:34:56.120Z',
      '2021-06-30T12:34:56.120000Z',
      '2021-06-30T12:34:56.120Z',
      '2021-06-30T12:34:56.120000Z',
      '2021-06-30T12:34:56Z',
      '2021-06-30T12:34:56.120000000Z',
      '2021-06-30T12:34:56.120+00:00',
      '2021-06-30T12:34:56.120000+00:00',
      '2021-06-30T12:34:56.120+00:00',
      '2021-06-30T12:34:56.120000+00:00',
      '2021-06-30T12:34:56+00:00',
      '2021-06-30T12:34:56.120000000+00:00',
    ]);
  });

  it('styleReproduces(parsed, style) holds exactly when formatting gives the text back', () => {
    const rnd = random(3);
    const fractions = [
      '',
      '.0',
      '.000',
      '.5',
      '.123',
      '.120',
      '.123456',
      '.100000',
      '.000001',
      '.123456789',
      '.123456000',
      '.1234',
    ];
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const seconds = Math.floor((rnd() * 2 - 0.5) * 4e9);
      const base = new Date(seconds * 1000).toISOString().slice(0, 19);
      const text =
        base.replace(rnd() < 0.05 ? 'T' : '\u0000', 't') +
        fractions[Math.floor(rnd() * fractions.length)] +
        ['Z', '+00:00', 'z', '-00:00', '+02:00'][Math.floor(rnd() * 5)];
      const parsed = readTimestamp(text);
      if (!parsed) continue;
      for (const style of TIMESTAMP_STYLES) {
        expect(styleReproduces(parsed, style), `${text} ${style.fraction}|${style.suffix}`).toBe(
          formatTimestamp(parsed.micros, style) === text,
        );
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('picks the style that reproduces most values of a column', () => {
    const counter = new TimestampStyleCounter();
    for (const text of [
      '2020-01-01T00:00:00Z',
      '2020-01-01T00:00:00.123456Z',
      '2020-01-01T00:00:01.500000Z',
      '2020-01-01T00:00:01.5Z',
    ]) {
      counter.add(readTimestamp(text)!);
    }
    const { style, misses } = counter.best();
    expect(style).toEqual({ fraction: 'py', suffix: 'Z' });
    expect(misses).toBe(1);
  });
});
