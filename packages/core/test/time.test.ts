import {
  isIntervalProblem,
  parseDatetimeInterval,
  parseIsoDateTime,
  parseRfc3339,
  rfc3339ToMillis,
} from '@scm/core/time';
import { describe, expect, it } from 'vitest';

describe('rfc3339ToMillis', () => {
  it.each([
    ['2024-01-12T13:50:00Z', Date.UTC(2024, 0, 12, 13, 50)],
    ['2024-01-12t13:50:00z', Date.UTC(2024, 0, 12, 13, 50)],
    ['2024-01-12T15:50:00+02:00', Date.UTC(2024, 0, 12, 13, 50)],
    ['2024-01-12T13:50:00.250Z', Date.UTC(2024, 0, 12, 13, 50) + 250],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1)],
  ])('accepts %s', (text, ms) => {
    expect(rfc3339ToMillis(text)).toBe(ms);
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-12T24:00:00Z',
    '2024-01-12 13:50:00Z',
    '2024-01-12T13:50:00',
    '2024-01-12',
    '2024-01-12T13:50:00+25:00',
    '12/01/2024',
  ])('rejects %s', (text) => {
    expect(rfc3339ToMillis(text)).toBeUndefined();
  });

  it('keeps sub-millisecond order', () => {
    expect(rfc3339ToMillis('2024-01-01T00:00:00.0001Z')!).toBeGreaterThan(
      rfc3339ToMillis('2024-01-01T00:00:00Z')!,
    );
  });
});

describe('parseRfc3339', () => {
  it('keeps what the text looked like: separator, zone and fraction digits', () => {
    const parsed = parseRfc3339('2024-01-12t13:50:00.120000+00:00');
    expect(parsed).toMatchObject({ separator: 't', zone: '+00:00', fraction: '120000', offsetMinutes: 0 });
    expect(parsed?.epochSecond).toBe(Date.UTC(2024, 0, 12, 13, 50) / 1000);
  });

  it('accepts a space separator only when asked', () => {
    expect(parseRfc3339('2024-01-12 13:50:00Z')).toBeUndefined();
    expect(parseRfc3339('2024-01-12 13:50:00Z', { allowSpace: true })?.separator).toBe(' ');
  });

  it('counts a leap second as the next second, whatever the offset', () => {
    expect(parseRfc3339('2016-12-31T23:59:60Z')?.epochSecond).toBe(Date.UTC(2017, 0, 1) / 1000);
    expect(rfc3339ToMillis('2017-01-01T00:59:60+01:00')).toBe(Date.UTC(2017, 0, 1));
    expect(rfc3339ToMillis('2016-12-31T23:59:61Z')).toBeUndefined();
  });

  it('keeps every fraction digit and rejects an empty fraction', () => {
    expect(parseRfc3339('2024-01-12T13:50:00.123456789012345Z')?.fraction).toBe('123456789012345');
    expect(parseRfc3339('2024-01-12T13:50:00.Z')).toBeUndefined();
    expect(parseRfc3339('2024-01-12T13:50:00Zjunk')).toBeUndefined();
  });

  it('is exact for years far from the epoch', () => {
    expect(parseRfc3339('0001-01-01T00:00:00Z')?.epochSecond).toBe(-62135596800);
    expect(parseRfc3339('9999-12-31T23:59:59Z')?.epochSecond).toBe(253402300799);
  });
});

describe('parseIsoDateTime', () => {
  it('reads reduced precision, loose offsets and comma fractions', () => {
    expect(parseIsoDateTime('2024')).toMatchObject({ year: 2024, month: 1, day: 1, precision: 'year' });
    expect(parseIsoDateTime('2024-03')?.precision).toBe('month');
    expect(parseIsoDateTime('2024-03-05')?.precision).toBe('day');
    expect(parseIsoDateTime('2024-03-05T10:20')).toMatchObject({ precision: 'minute', second: 0 });
    expect(parseIsoDateTime('2024-03-05 10:20:30,5 +0200')).toMatchObject({
      precision: 'second',
      fraction: '5',
      offsetMinutes: 120,
    });
    expect(parseIsoDateTime('2024-03-05T10:20:30-05')?.offsetMinutes).toBe(-300);
    expect(parseIsoDateTime('2024-03-05T10:20:30')?.offsetMinutes).toBeUndefined();
  });

  it('applies the calendar checks and the leap-second rule of parseRfc3339', () => {
    expect(parseIsoDateTime('2023-02-29')).toBeUndefined();
    expect(parseIsoDateTime('2024-01-12T24:00')).toBeUndefined();
    expect(parseIsoDateTime('2024-01-12T10:00+24:00')).toBeUndefined();
    expect(parseIsoDateTime('2016-12-31T23:59:60Z')?.second).toBe(60);
  });
});

describe('parseDatetimeInterval', () => {
  it('reads an instant, closed and half-open intervals', () => {
    const instant = parseDatetimeInterval('2024-01-12T13:50:00Z');
    expect(instant).toMatchObject({ instant: true, start: { ms: Date.UTC(2024, 0, 12, 13, 50) } });
    if (!isIntervalProblem(instant)) expect(instant.end).toBe(instant.start);
    expect(parseDatetimeInterval('2024-01-01/2024-02-01')).toMatchObject({
      start: { ms: Date.UTC(2024, 0, 1), dateOnly: true },
      end: { ms: Date.UTC(2024, 1, 1), dateOnly: true },
      instant: false,
    });
    expect(parseDatetimeInterval('../2024-02-01T00:00:00Z')).toMatchObject({ start: undefined });
    expect(parseDatetimeInterval('2024-01-01T00:00:00Z/..')).toMatchObject({ end: undefined });
    expect(parseDatetimeInterval('2024-01-01T00:00:00Z/')).toMatchObject({ end: undefined });
  });

  it('names the bad part, and refuses more than one slash', () => {
    expect(parseDatetimeInterval('2024-01-01/soon')).toEqual({ reason: 'bound', part: 'soon' });
    expect(parseDatetimeInterval('2024-01-01T00:00')).toEqual({ reason: 'bound', part: '2024-01-01T00:00' });
    expect(parseDatetimeInterval('a/b/c')).toEqual({ reason: 'parts' });
  });
});
