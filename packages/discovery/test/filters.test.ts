/** The filters on real collections: the PC `gap` collection (four precise boxes) and CMR-STAC's open-ended HLSS30_2.0. */
import { isScmError, type StacCollection } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { compileFilters, parseBboxFilter, parseDatetimeRange } from '../src/filters.js';
import { fixture } from './helpers.js';

const gap = fixture<StacCollection>('pc/collection-gap.json');
const hls = fixture<StacCollection>('cmr-stac/collection-HLSS30_2.0.json');
const keeps = (filters: Parameters<typeof compileFilters>[0], c: StacCollection) =>
  compileFilters(filters).accepts(c, false);

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isScmError(error) && error.code === 'SCM_USAGE') return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('datetime filter', () => {
  it('reads instants, open ends and whole days', () => {
    expect(parseDatetimeRange('2020-01-01')).toEqual({
      start: Date.parse('2020-01-01T00:00:00Z'),
      end: Date.parse('2020-01-02T00:00:00Z') - 1,
    });
    expect(parseDatetimeRange('../2020-01-01T00:00:00Z').start).toBe(Number.NEGATIVE_INFINITY);
    expect(parseDatetimeRange('2020-01-01T00:00:00Z/').end).toBe(Number.POSITIVE_INFINITY);
  });

  it('keeps a collection whose interval overlaps, an open end reaching today', () => {
    expect(keeps({ datetime: '2011-12-30/2012-06-01' }, gap)).toBe(true);
    expect(keeps({ datetime: '2012-01-01/..' }, gap)).toBe(false);
    expect(keeps({ datetime: '2030-01-01T00:00:00Z' }, hls)).toBe(true);
    expect(keeps({ datetime: '../2015-11-27' }, hls)).toBe(false);
  });

  it('rejects what is not RFC 3339, naming the filter', () => {
    expect(usageError(() => parseDatetimeRange('last week'))).toBe(
      'datetime filter "last week": "last week" is not an RFC 3339 date-time',
    );
    expect(usageError(() => parseDatetimeRange('../..'))).toContain('expected an instant or "start/end"');
    expect(usageError(() => parseDatetimeRange('2021-01-01/2020-01-01'))).toContain(
      'the start is after the end',
    );
  });
});

describe('bbox filter', () => {
  it('keeps a collection when any of its boxes overlaps (gap lists the US first, then Alaska, Hawaii, Puerto Rico)', () => {
    expect(keeps({ bbox: [-100, 40, -99, 41] }, gap)).toBe(true);
    expect(keeps({ bbox: [-150, 60, -149, 61] }, gap)).toBe(true);
    expect(keeps({ bbox: [-140, 30, -135, 35] }, gap)).toBe(false);
  });

  it('handles a box that crosses the antimeridian', () => {
    expect(keeps({ bbox: [179, 60, -179, 61] }, gap)).toBe(true);
    expect(keeps({ bbox: [170, -10, -170, 10] }, gap)).toBe(false);
  });

  it('rejects a malformed box', () => {
    expect(usageError(() => parseBboxFilter([0, 10, 5]))).toContain('bbox filter [0,10,5]');
    expect(usageError(() => parseBboxFilter([0, 50, 5, 10]))).toContain('south <= north');
  });
});

describe('ids and providers', () => {
  it('match literally or by wildcard, and provider names come from the collection', () => {
    expect(keeps({ ids: ['HLS?30_*'] }, hls)).toBe(true);
    expect(keeps({ ids: ['hlss30_2.0'] }, hls)).toBe(false);
    expect(keeps({ providers: ['NASA EOSDIS'] }, hls)).toBe(true);
    expect(keeps({ providers: ['USGS*'] }, hls)).toBe(false);
    expect(compileFilters({ ids: ['A', 'B*'] }).ids?.allLiteral).toBe(false);
  });
});
