import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ALTERNATE_ASSETS_SCHEMAS,
  ALTERNATE_ASSETS_V1_0_0,
  ALTERNATE_ASSETS_V1_1_0,
  ALTERNATE_ASSETS_V1_2_0,
  alternateAssetsExtension,
  alternateHref,
  declaredVersions,
  fillTemplate,
  regexProblem,
  schemeName,
  supersededUris,
} from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('bundled schemas', () => {
  it('are the files named in schemas/vendor/SOURCES.md, byte for byte, keyed by their $id', () => {
    const sources = readFileSync(path.join(here, '../schemas/vendor/SOURCES.md'), 'utf8');
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
      const file = `alternate-assets-v${version}.schema.json`;
      const bytes = readFileSync(path.join(here, '../schemas/vendor', file));
      expect(sources).toContain(createHash('sha256').update(bytes).digest('hex'));
      const uri = `https://stac-extensions.github.io/alternate-assets/v${version}/schema.json`;
      expect((ALTERNATE_ASSETS_SCHEMAS[uri] as { $id: string }).$id).toBe(`${uri}#`);
    }
  });

  it('declares v1.2.0 by default and v1.1.0 on request; v1.0.0 is only read and checked', () => {
    expect(alternateAssetsExtension.schemaUris).toEqual([
      ALTERNATE_ASSETS_V1_2_0,
      ALTERNATE_ASSETS_V1_1_0,
      ALTERNATE_ASSETS_V1_0_0,
    ]);
    expect(alternateAssetsExtension.schemaUri?.({ alternates: [] })).toBe(ALTERNATE_ASSETS_V1_2_0);
    expect(alternateAssetsExtension.schemaUri?.({ version: '1.1.0', alternates: [] })).toBe(
      ALTERNATE_ASSETS_V1_1_0,
    );
    expect(supersededUris('1.2.0')).toEqual([
      ALTERNATE_ASSETS_V1_0_0,
      `${ALTERNATE_ASSETS_V1_0_0}#`,
      ALTERNATE_ASSETS_V1_1_0,
      `${ALTERNATE_ASSETS_V1_1_0}#`,
      `${ALTERNATE_ASSETS_V1_2_0}#`,
    ]);
    expect(
      declaredVersions([
        `${ALTERNATE_ASSETS_V1_1_0}#`,
        'https://example.com/x.json',
        ALTERNATE_ASSETS_V1_2_0,
        'http://stac-extensions.github.io/alternate-assets/v1.0.0/schema.json',
      ]),
    ).toEqual(['1.1.0', '1.2.0', '1.0.0']);
  });
});

describe('regexProblem', () => {
  it.each([
    '^https://data\\.example\\.com/(.*)$',
    '^https://(?<bucket>[^.]+)\\.s3\\.(?<region>[a-z0-9-]+)\\.amazonaws\\.com/(?<key>.*)$',
    '^(https|http)://mirror\\.example\\.com/([^?#]+)',
    '^https://example\\.com/(\\d{4})/(\\d{2})/(.+)$',
    '^s3://[a-z0-9.-]{3,63}/(?:[^/]+/){2}(.*)$',
    '[(*+]',
  ])('accepts %s', (pattern) => {
    expect(regexProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['(a+)+$', /nested quantifier/],
    ['^(\\w|\\d)*$', /nested quantifier/],
    ['^((ab)*)+$', /nested quantifier/],
    ['^(.*,){12}$', /nested quantifier/],
    ['(', /not a valid regular expression/],
    ['^(a)\\1$', /backreference/],
    ['.*.*.*.*', /4 unbounded quantifiers/],
    ['a'.repeat(600), /longer than 512/],
  ])('refuses %s', (pattern, message) => {
    expect(regexProblem(pattern)).toMatch(message);
  });
});

describe('templates and rules', () => {
  const values = { assetKey: 'B02', id: 'item-1', collection: 'HLSS30_2.0' };

  it('fills groups, named groups, rest and object values', () => {
    expect(
      fillTemplate('s3://{bucket}/{1}/{asset_key}/{id}/{collection}/{rest}/{9}', {
        ...values,
        groups: ['all', 'g1'],
        named: { bucket: 'b' },
        rest: 'r',
      }),
    ).toBe('s3://b/g1/B02/item-1/HLSS30_2.0/r/');
  });

  it('builds hrefs for match and prefix rules, or nothing when the href does not fit', () => {
    const href = 'https://data.example.com/a/b.tif';
    expect(
      alternateHref(
        { key: 's3', match: '^https://data\\.example\\.com/(.*)$', href: 's3://bucket/{1}' },
        href,
        values,
      ),
    ).toBe('s3://bucket/a/b.tif');
    expect(
      alternateHref(
        { key: 's3', prefix: 'https://data.example.com/', replace_prefix: 's3://bucket/' },
        href,
        values,
      ),
    ).toBe('s3://bucket/a/b.tif');
    expect(
      alternateHref(
        { key: 'm', prefix: 'https://data.example.com/', href: 'https://mirror.org/{rest}?src={0}' },
        href,
        values,
      ),
    ).toBe('https://mirror.org/a/b.tif?src=https://data.example.com/a/b.tif');
    expect(
      alternateHref({ key: 's3', prefix: 'https://other/', replace_prefix: 's3://x/' }, href, values),
    ).toBeUndefined();
  });

  it('names the primary location after the href scheme', () => {
    expect(schemeName('https://a/b')).toBe('HTTPS');
    expect(schemeName('s3://a/b')).toBe('S3');
    expect(schemeName('./b.tif')).toBeUndefined();
  });
});
