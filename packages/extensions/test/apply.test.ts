import {
  defineExtension,
  type StacCatalog,
  type StacCollection,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { describe, expect, it } from 'vitest';
import { applyExtensions, prepareExtension } from '../src/index.js';
import { readJson } from './helpers/stac-ajv.js';

const items = readJson<{ features: StacItem[] }>('items/earth-search-search-post-page1.json').features;
const collection = readJson<StacCollection>('items/pc-collection-gap.json');
const URI = 'https://example.com/tag/v1.0.0/schema.json';

const tag = defineExtension<{ value: string }>({
  name: 'tag',
  prefix: 'tag',
  schemaUris: [URI],
  configSchema: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } },
  applyToItem: (item, { config }) => ({
    ...item,
    stac_extensions: withStacExtension(item.stac_extensions, URI),
    properties: { ...item.properties, 'tag:value': config.value },
  }),
  applyToCollection: (c, { config }) => ({
    ...c,
    stac_extensions: withStacExtension(c.stac_extensions, URI),
    'tag:value': config.value,
  }),
});

const exploding = defineExtension({
  name: 'exploding',
  prefix: 'boom',
  schemaUris: ['https://example.com/boom/v1.0.0/schema.json'],
  configSchema: true,
  applyToItem: () => {
    throw new Error('no CID for asset "red"');
  },
});

const itemOnly = defineExtension({
  name: 'item-only',
  prefix: 'io',
  schemaUris: ['https://example.com/io/v1.0.0/schema.json'],
  configSchema: true,
  applyToItem: (item) => ({ ...item, properties: { ...item.properties, 'io:x': 1 } }),
});

describe('applyExtensions', () => {
  it('applies extensions in order to a real Item and leaves the input alone', () => {
    const item = items[0]!;
    const before = structuredClone(item);
    const result = applyExtensions(item, [prepareExtension(tag, { value: 'a' }), prepareExtension(itemOnly)]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.properties['tag:value']).toBe('a');
    expect(result.value.properties['io:x']).toBe(1);
    expect(result.value.stac_extensions?.filter((u) => u === URI)).toHaveLength(1);
    expect(item).toEqual(before);
  });

  it('applies to Collections, skipping extensions without applyToCollection', () => {
    const result = applyExtensions(collection, [
      prepareExtension(tag, { value: 'c' }),
      prepareExtension(itemOnly),
    ]);
    expect(result.ok && result.value['tag:value']).toBe('c');
    expect(result.ok && 'io:x' in result.value).toBe(false);
  });

  it('returns Catalogs unchanged', () => {
    const catalog: StacCatalog = {
      type: 'Catalog',
      stac_version: '1.0.0',
      id: 'c',
      description: 'd',
      links: [],
    };
    const result = applyExtensions(catalog, [prepareExtension(tag, { value: 'x' })]);
    expect(result).toEqual({ ok: true, value: catalog });
  });

  it('turns a throw inside an extension into a Failure naming the extension', () => {
    const item = items[1]!;
    const result = applyExtensions(
      item,
      [prepareExtension(tag, { value: 'a' }), prepareExtension(exploding)],
      {
        file: 'items.ndjson',
        line: 2,
      },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { failure } = result;
    expect(failure.item_id).toBe(item.id);
    expect(failure.error_type).toBe('other');
    expect(failure.error_context.step).toBe('extend');
    expect(failure.error_message).toMatch(
      /extension "exploding" failed on Item "LC08_L2SP_033032_20231008_02_T1"/,
    );
    expect(failure.error_message).toMatch(/no CID for asset "red"/);
    expect(failure.error_context.details).toEqual({ extension: 'exploding' });
    expect(failure.error_context.file).toBe('items.ndjson');
    expect(failure.error_context.line).toBe(2);
  });

  it('fails when an extension returns something that is not an Item', () => {
    const broken = defineExtension({
      name: 'broken',
      prefix: 'broken',
      schemaUris: ['https://example.com/broken/schema.json'],
      configSchema: true,
      applyToItem: () => undefined as unknown as StacItem,
    });
    const result = applyExtensions(items[0]!, [prepareExtension(broken)]);
    expect(!result.ok && result.failure.error_message).toMatch(
      /"broken" returned something that is not a Item/,
    );
  });

  it('fails for objects that are not STAC', () => {
    const result = applyExtensions({ id: 'x', type: 'Thing' } as never, [
      prepareExtension(tag, { value: 'a' }),
    ]);
    expect(!result.ok && result.failure.error_type).toBe('other');
  });
});
