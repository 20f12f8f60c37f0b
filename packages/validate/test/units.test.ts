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

describe('createAjv / compileSchema (the one Ajv set-up)', () => {
  it('checks the iri formats the STAC schemas use, and none when asked', async () => {
    const { createAjv } = await import('../src/ajv.js');
    const schema = { type: 'string', format: 'iri' };
    expect(createAjv().compile(schema)('not an iri')).toBe(false);
    expect(createAjv().compile(schema)('https://example.com/x')).toBe(true);
    expect(createAjv({ formats: 'none', strict: false }).compile(schema)('not an iri')).toBe(true);
  });

  it('is the compiler of the core contract once @scm/validate is imported', async () => {
    const { requireSchemaCompiler } = await import('@scm/core');
    const { compileSchema } = await import('../src/index.js');
    expect(requireSchemaCompiler()).toBe(compileSchema);
    const check = compileSchema({ type: 'object', required: ['a'] }, { allErrors: true });
    expect(check({})).toBe(false);
    expect(check.errors?.[0]).toMatchObject({ keyword: 'required', params: { missingProperty: 'a' } });
  });

  it('refuses an unknown keyword in strict mode unless it is declared', async () => {
    const { compileSchema } = await import('../src/ajv.js');
    const schema = { type: 'string', errorMessage: 'say it plainly' };
    expect(() => compileSchema(schema, { strict: true })).toThrow(/unknown keyword/);
    expect(compileSchema(schema, { strict: true, keywords: ['errorMessage'] })('x')).toBe(true);
  });
});
