import { readFileSync } from 'node:fs';
import type { StacItem } from '@scm/core';
import { createStacAjv, schemaErrors, stacSchemasDir } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import {
  buildCollection,
  createExtentAccumulator,
  scaffoldCollection,
  scaffoldItem,
  scaffoldItems,
} from '../src/index.js';

const ajv = createStacAjv({ schemaDirs: [stacSchemasDir] });
const collectionSchemaErrors = (value: unknown) =>
  schemaErrors(ajv, 'https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json', value);

const scenario4 = JSON.parse(
  readFileSync(new URL('./fixtures/scenario4-mapped.json', import.meta.url), 'utf8'),
) as Record<string, unknown>[];

function item(bbox: number[] | undefined, properties: Record<string, unknown>): StacItem {
  const out = {
    type: 'Feature',
    stac_version: '1.0.0',
    id: 'x',
    geometry: null,
    properties,
    links: [],
    assets: {},
  };
  return (bbox ? { ...out, bbox } : out) as unknown as StacItem;
}

describe('scaffoldCollection', () => {
  it('builds a valid STAC 1.0.0 Collection from the scenario 4 Items', async () => {
    async function* items() {
      for (const record of scenario4) {
        const result = scaffoldItem(record);
        if (result.ok) yield result.item;
      }
    }
    const collection = await scaffoldCollection(
      {
        id: 'field-survey',
        title: 'Field survey',
        description: 'Sites surveyed in 2024.',
        keywords: ['survey', 'survey', 'lidar'],
        providers: [{ name: 'Example Org', roles: ['producer'], url: 'https://example.com' }],
        links: [{ rel: 'license', href: 'https://example.com/license.html' }],
        'sci:doi': '10.1234/example',
      },
      items(),
    );
    expect(collectionSchemaErrors(collection)).toEqual([]);
    expect(Object.keys(collection)).toEqual([
      'type',
      'stac_version',
      'stac_extensions',
      'id',
      'title',
      'description',
      'keywords',
      'license',
      'providers',
      'extent',
      'links',
      'sci:doi',
    ]);
    expect(collection.license).toBe('proprietary');
    expect(collection.keywords).toEqual(['survey', 'lidar']);
    // ds-005 crosses the antimeridian, so the union is taken on the circle: it leaves out the widest
    // empty stretch (10.6 to 151.2, Trento to Sydney) and runs from Sydney east across the antimeridian,
    // the Americas and Europe back to Trento.
    expect(collection.extent).toEqual({
      spatial: { bbox: [[151.2, -33.9, 10.6, 51.5072]] },
      temporal: { interval: [['2024-01-12T13:50:00Z', '2024-07-04T09:15:00Z']] },
    });
    await expect(`${JSON.stringify(collection, null, 2)}\n`).toMatchFileSnapshot(
      './fixtures/golden/collection-field-survey.json',
    );
  });

  it('takes the plain union when no Item crosses, and accepts streamed SourceRecords and Failures', async () => {
    const records = scenario4
      .filter((r) => r.id !== 'ds-005')
      .map((value, i) => ({ value, origin: { line: i + 2 } }));
    const collection = await scaffoldCollection(
      { id: 'c' },
      scaffoldItems([...records, { value: { id: 'bad' }, origin: {} }]),
    );
    expect(collection.description).toBe('c');
    expect(collection.extent.spatial.bbox).toEqual([[-122.4194, -33.9, 151.3, 51.5072]]);
    expect(collection.extent.temporal.interval).toEqual([['2024-01-12T13:50:00Z', '2024-07-04T09:15:00Z']]);
    expect(collectionSchemaErrors(collection)).toEqual([]);
  });

  it('gives a valid Collection for no Items', async () => {
    const collection = await scaffoldCollection({ id: 'empty', title: 'Empty' }, []);
    expect(collection.extent).toEqual({
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [[null, null]] },
    });
    expect(collection.description).toBe('Empty');
    expect(collectionSchemaErrors(collection)).toEqual([]);
  });

  it('refuses malformed metadata with SCM_SCAFFOLD_OPTIONS_INVALID', async () => {
    await expect(scaffoldCollection({ id: '' }, [])).rejects.toMatchObject({
      code: 'SCM_SCAFFOLD_OPTIONS_INVALID',
    });
    expect(() =>
      buildCollection({ id: 'a', keywords: 'x' as unknown as string[] }, createExtentAccumulator().extent()),
    ).toThrow('collection metadata "keywords" must be an array of non-empty strings, got "x"');
    expect(() =>
      buildCollection({ id: 'a', providers: [{ url: 'x' }] }, createExtentAccumulator().extent()),
    ).toThrow(/providers/);
  });

  it('never copies forbidden keys from metadata', () => {
    const meta = JSON.parse(
      '{"id": "a", "__proto__": {"polluted": 1}, "summaries": {"constructor": {"x": 1}, "gsd": [10]}}',
    );
    const collection = buildCollection(meta, createExtentAccumulator().extent());
    expect(JSON.stringify(collection)).not.toMatch(/polluted|constructor|__proto__/);
    expect(collection.summaries).toEqual({ gsd: [10] });
  });
});

describe('createExtentAccumulator', () => {
  it('unions 2D boxes and times from datetime and ranges', () => {
    const extent = createExtentAccumulator();
    extent.add(item([0, 0, 1, 1], { datetime: '2024-01-02T00:00:00Z' }));
    extent.add(
      item([5, -3, 6, 2], {
        datetime: null,
        start_datetime: '2023-12-01T00:00:00Z',
        end_datetime: '2024-02-01T00:00:00.5Z',
      }),
    );
    extent.add(item(undefined, { datetime: '2024-01-15T00:00:00+01:00' }));
    expect(extent.count).toBe(3);
    expect(extent.extent()).toEqual({
      spatial: { bbox: [[0, -3, 6, 2]] },
      temporal: { interval: [['2023-12-01T00:00:00Z', '2024-02-01T00:00:00.5Z']] },
    });
  });

  it('gives a 3D box only when every box is 3D', () => {
    const extent = createExtentAccumulator();
    extent.addBbox([0, 0, 10, 1, 1, 20]);
    extent.addBbox([2, 2, -5, 3, 3, 5]);
    expect(extent.extent().spatial.bbox).toEqual([[0, 0, -5, 3, 3, 20]]);
    extent.addBbox([4, 4, 5, 5]);
    expect(extent.extent().spatial.bbox).toEqual([[0, 0, 5, 5]]);
  });

  it('gives a crossing box when Items cross the antimeridian', () => {
    const extent = createExtentAccumulator();
    extent.addBbox([170, -10, -170, 10]);
    extent.addBbox([160, 0, 165, 5]);
    extent.addBbox([-150, -20, -140, 0]);
    expect(extent.extent().spatial.bbox).toEqual([[160, -20, -140, 10]]);
    // A box on the far side of the world widens the crossing range the shorter way round.
    extent.addBbox([10, 0, 20, 1]);
    expect(extent.extent().spatial.bbox).toEqual([[10, -20, -140, 10]]);
  });

  it('keeps open interval ends open and ignores malformed input', () => {
    const extent = createExtentAccumulator();
    extent.addInterval('2020-01-01', null);
    extent.addInterval('not a date', '2021-01-01T00:00:00Z');
    extent.addBbox([1, 2, 3] as number[]);
    expect(extent.extent()).toEqual({
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [['2020-01-01T00:00:00Z', null]] },
    });
  });

  it('stays bounded with many disjoint boxes and still covers them all', () => {
    const extent = createExtentAccumulator();
    const boxes: number[][] = [];
    for (let i = 0; i < 5000; i++) {
      const west = -179 + ((i * 137.035) % 350);
      const box = [west, -1, west + 0.001, 1];
      boxes.push(box);
      extent.addBbox(box);
    }
    extent.addBbox([179, 0, -179.5, 1]); // crossing, so the union is taken on the circle
    const [west, , east] = extent.extent().spatial.bbox[0]!;
    const covered = (x: number) => (west! <= east! ? x >= west! && x <= east! : x >= west! || x <= east!);
    for (const box of boxes) expect(covered(box[0]!) && covered(box[2]!)).toBe(true);
  });
});
