import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExtensionDefinition, type StacCollection, type StacItem, withStacExtension } from '@scm/core';
import { importPlugin } from '@scm/extensions';
import { describe, expect, it } from 'vitest';
import { foreignChanges, jsonEqual, testExtension } from '../src/index.js';
import { describeExtensionConformance } from '../src/vitest.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const exampleDir = path.resolve(here, '../../../examples/plugin-extension');
const readJson = <T>(name: string): T =>
  JSON.parse(readFileSync(path.join(here, 'fixtures', name), 'utf8')) as T;
const items = [
  ...readJson<{ features: StacItem[] }>('items/earth-search-search-post-page1.json').features,
  ...readJson<StacItem[]>('items/items-naip-pc.json'),
];
const collections = [readJson<StacCollection>('items/pc-collection-gap.json')];
const URI = 'https://example.com/ok/v1.0.0/schema.json';

const ok: ExtensionDefinition = {
  name: 'ok',
  prefix: 'ok',
  schemaUris: [URI],
  schemas: {
    [URI]: {
      type: 'object',
      required: ['properties'],
      properties: {
        properties: { type: 'object', required: ['ok:n'], properties: { 'ok:n': { type: 'integer' } } },
      },
    },
  },
  configSchema: { type: 'object', properties: { n: { type: 'integer' } } },
  applyToItem: (item, { config }) => ({
    ...item,
    stac_extensions: withStacExtension(item.stac_extensions, URI),
    properties: { ...item.properties, 'ok:n': (config.n as number | undefined) ?? 1 },
  }),
};

function variant(patch: Partial<ExtensionDefinition>): ExtensionDefinition {
  return { ...ok, ...patch };
}

const checksOf = (def: unknown, config: Record<string, unknown> = {}) =>
  [...new Set(testExtension(def, { items, collections, config }).map((p) => p.check))].sort();

describe('testExtension', () => {
  it('finds nothing wrong with a well-behaved extension', () => {
    expect(testExtension(ok, { items, collections, config: { n: 2 } })).toEqual([]);
  });

  it.each([
    ['definition', variant({ name: 'Not OK' })],
    ['pure', variant({ applyToItem: (item) => Object.assign(item.properties, { 'ok:n': 1 }) && item })],
    [
      'idempotent',
      variant({
        applyToItem: (item) => ({
          ...item,
          stac_extensions: withStacExtension(item.stac_extensions, URI),
          properties: { ...item.properties, 'ok:n': ((item.properties['ok:n'] as number) ?? 0) + 1 },
        }),
      }),
    ],
    [
      'owned-fields',
      variant({
        applyToItem: (item) => ({
          ...item,
          stac_extensions: withStacExtension(item.stac_extensions, URI),
          properties: { ...item.properties, 'ok:n': 1, platform: 'mine' },
        }),
      }),
    ],
    [
      'schema-uri',
      variant({ applyToItem: (item) => ({ ...item, properties: { ...item.properties, 'ok:n': 1 } }) }),
    ],
    [
      'check-object',
      variant({
        checkObject: () => [
          { path: '/properties/ok:n', message: 'too small', kind: 'ok', severity: 'error' },
        ],
      }),
    ],
    [
      'schema',
      variant({
        applyToItem: (item) => ({
          ...item,
          stac_extensions: withStacExtension(item.stac_extensions, URI),
          properties: { ...item.properties, 'ok:n': 'one' },
        }),
      }),
    ],
    ['apply', variant({ applyToItem: () => ({ type: 'Collection' }) as never })],
  ])('reports %s problems', (check, def) => {
    expect(checksOf(def)).toEqual([check]);
  });

  it('reports a URI added twice', () => {
    const twice = variant({
      applyToItem: (item) => ({
        ...item,
        stac_extensions: [...(item.stac_extensions ?? []).filter((u) => u !== URI), URI, URI],
        properties: { ...item.properties, 'ok:n': 1 },
      }),
    });
    const problems = testExtension(twice, { items: items.slice(0, 1) });
    expect(problems).toEqual([
      { check: 'schema-uri', object: `Item ${items[0]!.id}`, message: `declares ${URI} 2 times` },
    ]);
  });

  it('reports a config that the extension refuses, and stops there', () => {
    expect(testExtension(ok, { items, config: { n: 'x' } })).toEqual([
      { check: 'config', message: 'config.n: must be integer' },
    ]);
  });
});

describe('helpers', () => {
  it('jsonEqual ignores key order', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('foreignChanges lists changes outside the prefix as JSON Pointers', () => {
    const before = { stac_extensions: [], properties: { a: 1 }, assets: { 'x/y': { href: 'h' } } };
    const after = {
      stac_extensions: ['u'],
      properties: { a: 2, 'p:q': 1 },
      assets: { 'x/y': { href: 'h2', p: { any: 1 } } },
    };
    expect(foreignChanges(before, after, 'p')).toEqual(['/properties/a', '/assets/x~1y/href']);
  });
});

describe('the example plugin', async () => {
  const plain = await importPlugin(path.join(exampleDir, 'index.mjs'), 'demo');
  describeExtensionConformance(plain, [
    {
      name: 'examples/plugin-extension, assets tagged',
      items,
      collections,
      config: { label: 'demo run', tag_assets: true },
    },
    { name: 'examples/plugin-extension, label only', items, collections, config: { label: 'x' } },
  ]);
});
