import { describe, expect, it } from 'vitest';
import { normalizeDatetime } from '../src/index.js';
import { compareDatetimes } from '../src/datetime.js';

describe('normalizeDatetime', () => {
  it.each([
    ['2024-01-12T13:50:00Z', '2024-01-12T13:50:00Z'],
    ['2024-01-12', '2024-01-12T00:00:00Z'],
    ['2024-01-12T13:50:00', '2024-01-12T13:50:00Z'],
    ['2024-01-12 13:50', '2024-01-12T13:50:00Z'],
    ['2024-01-12t13:50:00z', '2024-01-12T13:50:00Z'],
    ['2024-01-12T13:50:00+00:00', '2024-01-12T13:50:00Z'],
    ['2024-01-12T13:50:00-00:00', '2024-01-12T13:50:00Z'],
    ['2024-03-01T10:00:00+02:00', '2024-03-01T08:00:00Z'],
    ['2024-03-01T01:30:00+0530', '2024-02-29T20:00:00Z'],
    ['2023-12-31T22:00:00-03', '2024-01-01T01:00:00Z'],
    ['2024-04-15T08:30:15.250Z', '2024-04-15T08:30:15.25Z'],
    ['2024-04-15T08:30:15.000Z', '2024-04-15T08:30:15Z'],
    ['2024-04-15T08:30:15.123456789+01:00', '2024-04-15T07:30:15.123456789Z'],
    ['2024-04-15T08:30:15,5Z', '2024-04-15T08:30:15.5Z'],
    ['  2024-01-12T13:50:00Z  ', '2024-01-12T13:50:00Z'],
    ['2024-02-29', '2024-02-29T00:00:00Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00Z'],
    ['2017-01-01T00:59:60.5+01:00', '2017-01-01T00:00:00.5Z'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeDatetime(input)).toBe(expected);
    expect(normalizeDatetime(expected)).toBe(expected);
  });

  it.each([
    '2023-02-29',
    '1900-02-29T00:00:00Z',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-12T24:00:00Z',
    '2024-01-12T23:60:00Z',
    '2024-01-12T13:50:00+25:00',
    '2024-1-12',
    '12/01/2024',
    '2024-01-12T13',
    'yesterday',
    '',
    '2024-01-1XT13:50:00Z',
    '202X-01-12T13:50:00Z',
    '0000-01-01T00:30:00+01:00',
  ])('rejects %j', (input) => {
    expect(normalizeDatetime(input)).toBeUndefined();
  });

  it('accepts valid Date objects and rejects numbers and other types', () => {
    expect(normalizeDatetime(new Date(Date.UTC(2024, 0, 12, 13, 50)))).toBe('2024-01-12T13:50:00Z');
    expect(normalizeDatetime(new Date(Number.NaN))).toBeUndefined();
    expect(normalizeDatetime(1705067400)).toBeUndefined();
    expect(normalizeDatetime(null)).toBeUndefined();
  });

  it('compares normalised values to every fractional digit', () => {
    expect(compareDatetimes('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.5Z')).toBeLessThan(0);
    expect(compareDatetimes('2024-01-01T00:00:00.000001Z', '2024-01-01T00:00:00Z')).toBeGreaterThan(0);
    expect(compareDatetimes('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.50Z')).toBe(0);
    expect(compareDatetimes('2023-12-31T23:59:59.9Z', '2024-01-01T00:00:00Z')).toBeLessThan(0);
  });
});
