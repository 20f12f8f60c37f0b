import { describe, expect, it } from 'vitest';
import { hrefProblem, isIri, isIriReference } from '../src/href.js';
import { fieldLabel, pointer } from '../src/pointer.js';

describe('iri formats', () => {
  it.each([
    ['https://stac-extensions.github.io/eo/v1.0.0/schema.json', true, true],
    ['s3://bucket/key.tif', true, true],
    ['urn:ogc:def:crs:EPSG::4326', true, true],
    ['file:///data/x.tif', true, true],
    ['./item.json', false, true],
    ['../collection.json#frag', false, true],
    ['https://example.com/a%20b.tif', true, true],
    ['https://', false, false],
    ['has space.tif', false, false],
    ['bad%zz', false, false],
  ])('%s: iri %s, iri-reference %s', (value, iri, reference) => {
    expect(isIri(value)).toBe(iri);
    expect(isIriReference(value)).toBe(reference);
  });
});

describe('hrefProblem', () => {
  it.each([
    'https://e.org/x.tif',
    's3://b/k',
    'gs://b/k',
    'ipfs://bafy/x',
    './x.tif',
    'x.tif',
    '/abs/x.tif',
    'x?y=1',
  ])('accepts %s', (href) => {
    expect(hrefProblem(href)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    [' x.tif', /whitespace/],
    ['a b.tif', /whitespace/],
    ['C:\\x.tif', /Windows/],
    ['dir\\x.tif', /backslash/],
    ['https:', /nothing after it/],
    ['s3:/bucket/k', /s3:\/\/host/],
    ['https:///path', /without a host/],
    ['x%2.tif', /hex digits/],
    [42, /must be a string/],
  ])('rejects %j', (href, message) => {
    expect(hrefProblem(href)).toMatch(message);
  });
});

describe('field labels', () => {
  it('turns JSON Pointers into readable names', () => {
    expect(fieldLabel('')).toBe('the object');
    expect(fieldLabel('/properties/datetime')).toBe('properties.datetime');
    expect(fieldLabel('/geometry/coordinates/0/4')).toBe('geometry.coordinates[0][4]');
    expect(fieldLabel(pointer('/assets', 'my file.tif', 'href'))).toBe('assets["my file.tif"].href');
    expect(pointer('', 'a/b', 'c~d')).toBe('/a~1b/c~0d');
  });
});
