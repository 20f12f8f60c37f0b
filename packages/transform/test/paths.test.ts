import { describe, expect, it } from 'vitest';
import { applyMapping, type MappingRule, parseMapping } from '../src/index.js';

function map(rules: MappingRule[], record: unknown): Record<string, unknown> {
  const result = applyMapping(record, parseMapping(rules));
  if (!result.ok) throw new Error(result.failure.error_message);
  return result.value;
}

describe('dot paths and indexes', () => {
  const record = {
    a: { b: [{ c: 1 }, { c: 2 }] },
    'eo:cloud_cover': 12,
    'key.with.dots': 'dots',
    properties: { 'eo:cloud_cover': 5, 'sat:orbit_state': 'ascending' },
    assets: { thumbnail: { href: 'https://x/t.png' }, 'ANG.txt': { href: 'https://x/ang' } },
    list: ['x', 'y', 'z'],
  };

  it('reads nested keys, indexes, negative indexes and quoted keys', () => {
    const out = map(
      [
        { source_field: 'a.b[0].c', target_field: 'first' },
        { source_field: 'a.b[1].c', target_field: 'second' },
        { source_field: 'list[-1]', target_field: 'last' },
        { source_field: 'list.1', target_field: 'middle' },
        { source_field: '["key.with.dots"]', target_field: 'quoted' },
        { source_field: 'assets."ANG.txt".href', target_field: 'ang' },
        { source_field: "assets['ANG.txt'].href", target_field: 'ang2' },
        { source_field: 'assets.thumbnail.href', target_field: 'thumb' },
      ],
      record,
    );
    expect(out).toEqual({
      first: 1,
      second: 2,
      last: 'z',
      middle: 'y',
      quoted: 'dots',
      ang: 'https://x/ang',
      ang2: 'https://x/ang',
      thumb: 'https://x/t.png',
    });
  });

  it('accepts keys with colons plainly or bracket-quoted, on both sides', () => {
    const out = map(
      [
        { source_field: 'properties.eo:cloud_cover', target_field: 'properties["eo:cloud_cover"]' },
        { source_field: 'properties["sat:orbit_state"]', target_field: 'properties.sat:orbit_state' },
        { source_field: 'eo:cloud_cover', target_field: 'assets.data["file:checksum"]', transform: 'string' },
      ],
      record,
    );
    expect(out).toEqual({
      properties: { 'eo:cloud_cover': 5, 'sat:orbit_state': 'ascending' },
      assets: { data: { 'file:checksum': '12' } },
    });
  });

  it('creates arrays for index segments in targets and fills gaps with null', () => {
    const out = map(
      [
        { source_field: 'list[0]', target_field: 'providers[1].name' },
        { constant: 'producer', target_field: 'providers[1].roles[0]' },
        { constant: 'https://a', target_field: 'links[0].href' },
      ],
      record,
    );
    expect(out).toEqual({
      providers: [null, { name: 'x', roles: ['producer'] }],
      links: [{ href: 'https://a' }],
    });
  });

  it('rejects malformed paths at load time', () => {
    for (const bad of ['a..b', 'a.', '', ' ', 'a[', 'a[x]', '"unterminated', 'a["b"]c']) {
      let error: unknown;
      try {
        parseMapping([{ source_field: bad, target_field: 't' }]);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toMatchObject({
        code: 'SCM_MAPPING_INVALID',
        details: { rule: 0, field: 'source_field' },
      });
    }
    expect(() => parseMapping([{ source_field: 'a', target_field: 'list[-1]' }])).toThrow(
      /negative index is only allowed in source paths/,
    );
    expect(() => parseMapping([{ source_field: 'a', target_field: 'list[99999]' }])).toThrow(
      /above the limit/,
    );
  });

  it('does not read inherited members', () => {
    const out = applyMapping(
      { a: {} },
      parseMapping([{ source_field: 'a.toString', target_field: 't', optional: true }]),
    );
    expect(out.ok && out.value).toEqual({});
    const out2 = applyMapping(
      {},
      parseMapping([{ source_field: 'hasOwnProperty', target_field: 't', optional: true }]),
    );
    expect(out2.ok && out2.value).toEqual({});
  });

  it('writes through inherited names as own keys', () => {
    const out = map([{ constant: 1, target_field: 'toString.x' }], {});
    expect(Object.hasOwn(out, 'toString')).toBe(true);
    expect(out).toEqual({ toString: { x: 1 } });
  });
});

describe('wildcards', () => {
  const item = {
    links: [
      { rel: 'self', href: 'https://x/self' },
      { rel: 'root', href: 'https://x/root' },
    ],
    assets: {
      B01: { href: 's3://b/B01.tif', 'file:size': '100' },
      B02: { href: 's3://b/B02.tif', 'file:size': '200' },
    },
    checksums: { B01: 'aa', B02: 'bb' },
  };

  it('collects wildcard matches into an array when the target has no wildcard', () => {
    const out = map(
      [
        { source_field: 'links[*].href', target_field: 'hrefs' },
        {
          source_field: 'assets.*.href',
          target_field: 'asset_hrefs',
          transform: { type: 'join', separator: ' ' },
        },
        {
          source_field: 'assets.*.file:size',
          target_field: 'sizes',
          transform: { type: 'integer', each: true },
        },
      ],
      item,
    );
    expect(out).toEqual({
      hrefs: ['https://x/self', 'https://x/root'],
      asset_hrefs: 's3://b/B01.tif s3://b/B02.tif',
      sizes: [100, 200],
    });
  });

  it('pairs source and target wildcards in order', () => {
    const out = map(
      [
        {
          source_field: 'assets.*.href',
          target_field: 'assets.*.href',
          transform: { type: 'template', template: 'https://mirror/{$key}/{$value|urlencode}' },
        },
        { source_field: 'assets.*.file:size', target_field: 'assets.*.file:size', transform: 'integer' },
        { source_field: 'links[*].href', target_field: 'links[*].href', transform: 'uppercase' },
      ],
      item,
    );
    expect(out).toEqual({
      assets: {
        B01: { href: 'https://mirror/B01/s3%3A%2F%2Fb%2FB01.tif', 'file:size': 100 },
        B02: { href: 'https://mirror/B02/s3%3A%2F%2Fb%2FB02.tif', 'file:size': 200 },
      },
      links: [{ href: 'HTTPS://X/SELF' }, { href: 'HTTPS://X/ROOT' }],
    });
  });

  it('builds target keys from {$key} and {$index}', () => {
    const out = map(
      [
        { source_field: 'links[*].href', target_field: 'assets.link-{$index}.href' },
        { source_field: 'assets.*.href', target_field: 'properties["src:{$key}"]' },
      ],
      item,
    );
    expect(out).toEqual({
      assets: { 'link-0': { href: 'https://x/self' }, 'link-1': { href: 'https://x/root' } },
      properties: { 'src:B01': 's3://b/B01.tif', 'src:B02': 's3://b/B02.tif' },
    });
  });

  it('expands a target wildcard over what the output already holds, with {$key} in the source path', () => {
    const out = map(
      [
        { source_field: 'assets.*.href', target_field: 'assets.*.href' },
        { target_field: 'assets.*.roles', constant: ['data'] },
        { target_field: 'assets.*.file:checksum', source_field: 'checksums.{$key}' },
        { target_field: 'assets.*.title', template: 'Band {$key} ({$index})' },
      ],
      item,
    );
    expect(out.assets).toEqual({
      B01: { href: 's3://b/B01.tif', roles: ['data'], 'file:checksum': 'aa', title: 'Band B01 (0)' },
      B02: { href: 's3://b/B02.tif', roles: ['data'], 'file:checksum': 'bb', title: 'Band B02 (1)' },
    });
    // every asset got its own copy of the constant
    const assets = out.assets as Record<string, { roles: string[] }>;
    expect(assets.B01!.roles).not.toBe(assets.B02!.roles);
  });

  it('handles several wildcards', () => {
    const record = { groups: { g1: { items: [{ v: 1 }, { v: 2 }] }, g2: { items: [{ v: 3 }] } } };
    const out = map(
      [{ source_field: 'groups.*.items[*].v', target_field: 'out.*.values[*]', transform: 'string' }],
      record,
    );
    expect(out).toEqual({ out: { g1: { values: ['1', '2'] }, g2: { values: ['3'] } } });
    const keys = map(
      [{ source_field: 'groups.*.items[*].v', target_field: 'flat["{$key0}-{$key1}"]' }],
      record,
    );
    expect(keys).toEqual({ flat: { 'g1-0': 1, 'g1-1': 2, 'g2-0': 3 } });
  });

  it('rejects wildcard combinations that cannot be paired', () => {
    expect(() => parseMapping([{ source_field: 'a.*.b', target_field: 'x.*.y.*' }])).toThrow(
      /paired in order/,
    );
    expect(() => parseMapping([{ source_field: 'a', target_field: 'x.{$key}' }])).toThrow(/need a wildcard/);
    expect(() => parseMapping([{ source_field: 'a.{$key}', target_field: 'x' }])).toThrow(
      /need a wildcard in target_field/,
    );
    expect(() => parseMapping([{ template: '{$key}', target_field: 'x' }])).toThrow(/need a wildcard/);
    expect(() => parseMapping([{ source_field: 'a.{$foo}', target_field: 'x.*' }])).toThrow(
      /unknown placeholder/,
    );
  });

  it('a required wildcard rule with no match fails; an optional one is skipped', () => {
    const mapping = parseMapping([{ source_field: 'assets.*.href', target_field: 'assets.*.href' }]);
    const result = applyMapping({ assets: {} }, mapping);
    expect(!result.ok && result.failure.error_message).toMatch(/no value matches assets\.\*\.href/);
    const optional = parseMapping([{ target_field: 'assets.*.roles', constant: ['data'], optional: true }]);
    const ok = applyMapping({}, optional);
    expect(ok.ok && ok.value).toEqual({});
  });
});
