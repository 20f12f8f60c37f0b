import { join, resolve } from 'node:path';
import { isScmError } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { assertInside, DEFAULT_MAX_SEGMENT_LENGTH, safePathSegment } from '../src/index.js';

const SAFE = /^[A-Za-z0-9._~-]+$/;

describe('safePathSegment', () => {
  it.each([
    ['LC09_L2SP_089090_20240417_02_T1', 'LC09_L2SP_089090_20240417_02_T1'],
    ['HLS.S30.T13SFC.2022273T174141.v2.0', 'HLS.S30.T13SFC.2022273T174141.v2.0'],
    ['a/b', 'a~2Fb'],
    ['a\\b', 'a~5Cb'],
    ['../../escape', '~2E.~2F..~2Fescape'],
    ['..', '~2E~2E'],
    ['.', '~2E'],
    ['.hidden', '~2Ehidden'],
    ['trailing.', 'trailing~2E'],
    ['trailing ', 'trailing~20'],
    ['a b:c*?"<>|', 'a~20b~3Ac~2A~3F~22~3C~3E~7C'],
    ['~', '~7E'],
    ['100%', '100~25'],
    ['é', '~C3~A9'],
    ['日本', '~E6~97~A5~E6~9C~AC'],
    ['🛰', '~F0~9F~9B~B0'],
    ['con', '~63on'],
    ['CON', '~43ON'],
    ['nul.txt', '~6Eul.txt'],
    ['Com1', '~43om1'],
    ['lpt9.tar.gz', '~6Cpt9.tar.gz'],
    ['console', 'console'],
    ['catalog.json', 'catalog~2Ejson'],
    ['collection.JSON', 'collection~2EJSON'],
    ['collections.ndjson', 'collections~2Endjson'],
    ['NUL.json', '~4EUL~2Ejson'],
    ['a\u0000b', 'a~00b'],
  ])('%j → %s', (id, name) => {
    expect(safePathSegment(id)).toBe(name);
  });

  it('gives an empty id a hashed name', () => {
    expect(safePathSegment('')).toMatch(/^~h[0-9a-f]{16}$/);
  });

  it('cuts long names, adds a hash, and keeps them apart', () => {
    const a = `${'x'.repeat(300)}a`;
    const b = `${'x'.repeat(300)}b`;
    const nameA = safePathSegment(a);
    const nameB = safePathSegment(b);
    expect(nameA.length).toBeLessThanOrEqual(DEFAULT_MAX_SEGMENT_LENGTH);
    expect(nameA).toMatch(/^x+~h[0-9a-f]{16}$/);
    expect(nameA).not.toBe(nameB);
    const exact = 'y'.repeat(DEFAULT_MAX_SEGMENT_LENGTH);
    expect(safePathSegment(exact)).toBe(exact);
    expect(safePathSegment(`${exact}y`)).toMatch(/~h[0-9a-f]{16}$/);
  });

  it('never splits an escape when cutting', () => {
    const name = safePathSegment('é'.repeat(100));
    expect(name).toMatch(/^(~C3~A9)+~h[0-9a-f]{16}$/);
    expect(name.length).toBeLessThanOrEqual(DEFAULT_MAX_SEGMENT_LENGTH);
  });

  it('honours maxLength and refuses one too small to hold the hash', () => {
    expect(safePathSegment('a'.repeat(40), { maxLength: 30 })).toHaveLength(30);
    expect(() => safePathSegment('a', { maxLength: 10 })).toThrow(RangeError);
  });

  it('gives different ids different names, case-insensitively distinct where the ids differ by more than case', () => {
    const ids = [
      '',
      '.',
      '..',
      '...',
      '~2E',
      '~2E~2E',
      'a/b',
      'a~2Fb',
      'a%2Fb',
      'a_b',
      'con',
      '~63on',
      'c',
      'catalog.json',
      'catalog~2Ejson',
      '\uD800',
      '\uD801',
      '\uFFFD',
      'x'.repeat(500),
      `${'x'.repeat(500)}y`,
      'é',
      'e\u0301',
      'a.',
      'a',
      'a ',
    ];
    const names = ids.map((id) => safePathSegment(id));
    expect(new Set(names).size).toBe(ids.length);
    for (const name of names) {
      expect(name).toMatch(SAFE);
      expect(name).not.toMatch(/^\./);
      expect(name).not.toMatch(/\.$/);
      expect(['.', '..']).not.toContain(name);
    }
  });
});

describe('assertInside', () => {
  const root = resolve('/tmp/scm-out');

  it('accepts paths inside the root and returns them resolved', () => {
    expect(assertInside(root, 'a/b.json')).toBe(join(root, 'a', 'b.json'));
    expect(assertInside(root, join(root, 'x'))).toBe(join(root, 'x'));
    expect(assertInside(root, '..foo/x')).toBe(join(root, '..foo', 'x'));
    expect(assertInside(root, '.')).toBe(root);
  });

  it.each(['../x', '../../etc/passwd', '/etc/passwd', 'a/../../x', '../scm-out2/x'])(
    'refuses %s with SCM_OUTPUT_PATH',
    (target) => {
      try {
        assertInside(root, target);
        expect.unreachable();
      } catch (error) {
        expect(isScmError(error) && error.code).toBe('SCM_OUTPUT_PATH');
      }
    },
  );
});
