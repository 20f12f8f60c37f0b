import { readFileSync } from 'node:fs';
import type { Failure, SourceRecord, StacItem } from '@scm/core';
import { collect, createFailure, isScmError } from '@scm/core';
import { createStacAjv, schemaErrors, stacSchemasDir } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import type { ScaffoldOptions, ScaffoldResult, ScaffoldWarning } from '../src/index.js';
import { scaffoldItem, scaffoldItems } from '../src/index.js';

const ajv = createStacAjv({ schemaDirs: [stacSchemasDir] });
const itemSchemaErrors = (value: unknown) =>
  schemaErrors(ajv, 'https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json', value);

const scenario4 = JSON.parse(
  readFileSync(new URL('./fixtures/scenario4-mapped.json', import.meta.url), 'utf8'),
) as Record<string, unknown>[];

const base = {
  id: 'rec-1',
  geometry: 'POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))',
  properties: { datetime: '2024-01-12T13:50:00Z' },
  assets: { data: { href: 'https://example.com/rec-1.tif' } },
};

function ok(result: ScaffoldResult): { item: StacItem; warnings: string[] } {
  if (!result.ok) throw new Error(`expected an Item, got: ${result.failure.error_message}`);
  expect(itemSchemaErrors(result.item)).toEqual([]);
  return result;
}

function failed(result: ScaffoldResult): Failure {
  if (result.ok) throw new Error(`expected a failure, got Item ${result.item.id}`);
  return result.failure;
}

const ITEM_KEYS = [
  'type',
  'stac_version',
  'stac_extensions',
  'id',
  'collection',
  'geometry',
  'bbox',
  'properties',
  'links',
  'assets',
];

describe('PRD scenario 4: mapped CSV records become valid Items', () => {
  const results = scenario4.map((record, i) => scaffoldItem(record, {}, { file: 'data.csv', line: i + 2 }));

  it('turns every record into a schema-valid Item with every required field in a stable order', () => {
    for (const result of results) {
      const { item } = ok(result);
      expect(Object.keys(item)).toEqual(ITEM_KEYS);
      expect(item.type).toBe('Feature');
      expect(item.stac_version).toBe('1.0.0');
      expect(item.stac_extensions).toEqual([]);
      expect(item.collection).toBe('field-survey');
      expect(item.links).toEqual([
        { rel: 'collection', href: '../collection.json', type: 'application/json' },
      ]);
      expect(Object.keys(item.properties).slice(0, 1)).toEqual(['datetime']);
    }
  });

  it('keeps custom fields in properties', () => {
    const item = ok(results[0]!).item;
    expect(item.properties).toEqual({
      datetime: '2024-01-12T13:50:00Z',
      sensor: 'MSI',
      cloud_cover: 12.5,
      site: 'Trento',
    });
    expect(ok(results[1]!).item.properties.cloud_cover).toBeNull();
  });

  it('parses WKT into GeoJSON with 2D and 3D bboxes', () => {
    const [polygon, polygonZ, multi, pointZ, , , ewkt] = results.map((r) => ok(r).item);
    expect(polygon!.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [10.1, 45.2],
          [10.6, 45.2],
          [10.6, 45.7],
          [10.1, 45.7],
          [10.1, 45.2],
        ],
      ],
    });
    expect(polygon!.bbox).toEqual([10.1, 45.2, 10.6, 45.7]);
    expect(polygonZ!.bbox).toEqual([-3.7, 40.4, 650, -3.6, 40.5, 700]);
    expect(multi!.geometry?.type).toBe('MultiPolygon');
    expect(multi!.bbox).toEqual([2, 48.8, 2.4, 48.9]);
    expect(pointZ!.geometry).toEqual({ type: 'Point', coordinates: [-122.4194, 37.7749, 16] });
    expect(pointZ!.bbox).toEqual([-122.4194, 37.7749, 16, -122.4194, 37.7749, 16]);
    expect(ewkt!.geometry).toEqual({ type: 'Point', coordinates: [-0.1276, 51.5072] });
  });

  it('normalises datetimes to RFC 3339 UTC', () => {
    const times = results.map((r) => ok(r).item.properties.datetime);
    expect(times).toEqual([
      '2024-01-12T13:50:00Z',
      '2024-02-03T00:00:00Z',
      '2024-03-01T08:00:00Z',
      '2024-04-15T08:30:15.25Z',
      '2024-05-20T00:00:00Z',
      null,
      '2024-07-04T09:15:00Z',
    ]);
    const range = ok(results[5]!).item.properties;
    expect(range).toMatchObject({
      start_datetime: '2024-06-01T00:00:00Z',
      end_datetime: '2024-06-30T23:59:59Z',
    });
  });

  it('turns a numeric id into a string', () => {
    expect(ok(results[6]!).item.id).toBe('1007');
  });

  it('cuts the antimeridian polygon into two parts with a crossing bbox', () => {
    const { item, warnings } = ok(results[4]!);
    expect(item.geometry?.type).toBe('MultiPolygon');
    expect(item.geometry?.type === 'MultiPolygon' && item.geometry.coordinates).toHaveLength(2);
    expect(item.bbox).toEqual([170, -10, -170, 10]);
    expect(warnings).toEqual([
      'geometry: crosses the antimeridian; cut into a MultiPolygon with parts on each side of it (RFC 7946 §3.1.9)',
    ]);
  });

  it('closes the unclosed ring with a warning', () => {
    const { item, warnings } = ok(results[5]!);
    expect(item.geometry?.type === 'Polygon' && item.geometry.coordinates[0]).toHaveLength(5);
    expect(warnings).toEqual([
      'geometry: closed an unclosed ring (coordinates[0]) by repeating the first position',
    ]);
  });

  it.each([
    ['ds-001', 0],
    ['ds-004', 3],
    ['ds-005', 4],
    ['ds-006', 5],
  ])('matches the golden file of %s', async (id, index) => {
    const { item } = ok(results[index]!);
    await expect(`${JSON.stringify(item, null, 2)}\n`).toMatchFileSnapshot(`./fixtures/golden/${id}.json`);
  });
});

describe('scaffoldItem failures', () => {
  const origin = { file: 'data.csv', line: 17 };

  it('fails a bow-tie polygon, naming the geometry and the problem', () => {
    const failure = failed(
      scaffoldItem({ ...base, geometry: 'POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))' }, {}, origin),
    );
    expect(failure).toMatchObject({
      item_id: 'rec-1',
      error_type: 'validation_error',
      error_message: 'geometry: coordinates: polygon boundary crosses or touches itself near [0.5, 0.5]',
      error_context: {
        step: 'scaffold',
        field: 'geometry',
        rule: 'geometry_self_intersection',
        file: 'data.csv',
        line: 17,
      },
    });
    expect(failure.error_context.source_data).toEqual({
      ...base,
      geometry: 'POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))',
    });
    expect(failure.error_context.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  });

  it('fails a latitude of 95', () => {
    const failure = failed(scaffoldItem({ ...base, geometry: 'POINT (10 95)' }));
    expect(failure.error_message).toBe('geometry: coordinates: latitude 95 is outside [-90, 90]');
    expect(failure.error_context).toMatchObject({ field: 'geometry', rule: 'geometry_out_of_range' });
  });

  it('fails NaN coordinates', () => {
    const geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [Number.NaN, 1],
          [0, 0],
        ],
      ],
    };
    const failure = failed(scaffoldItem({ ...base, geometry }));
    expect(failure.error_message).toBe('geometry: coordinates[0][2]: ordinate 0 is NaN, not a finite number');
    expect(failure.error_context.rule).toBe('geometry_not_finite');
  });

  it('fails an unclosed ring when closeRings is false', () => {
    const failure = failed(
      scaffoldItem({ ...base, geometry: 'POLYGON((0 0, 1 0, 1 1, 0 1))' }, { closeRings: false }),
    );
    expect(failure.error_context.rule).toBe('geometry_ring_not_closed');
  });

  it('fails unreadable and missing geometries', () => {
    expect(failed(scaffoldItem({ ...base, geometry: 'POLYGON((0 0, 1 0' })).error_context).toMatchObject({
      field: 'geometry',
      rule: 'geometry_invalid',
    });
    const missing = failed(scaffoldItem({ ...base, geometry: undefined }));
    expect(missing.error_context).toMatchObject({ field: 'geometry', rule: 'geometry_missing' });
    expect(missing.error_message).toContain('allowNullGeometry');
  });

  it('fails a bad datetime, naming properties.datetime', () => {
    const failure = failed(scaffoldItem({ ...base, properties: { datetime: '2024-13-45' } }));
    expect(failure.error_message).toBe(
      'properties.datetime: "2024-13-45" is not an RFC 3339 date-time or a date, e.g. "2024-01-12T13:50:00Z" or "2024-01-12"',
    );
    expect(failure.error_context).toMatchObject({ field: 'properties.datetime', rule: 'datetime_invalid' });
    const numeric = failed(scaffoldItem({ ...base, properties: { datetime: 1705067400 } }));
    expect(numeric.error_context.field).toBe('properties.datetime');
  });

  it('fails records without any datetime, with half a range, or with a range that runs backwards', () => {
    expect(failed(scaffoldItem({ ...base, properties: { datetime: '' } })).error_context).toMatchObject({
      field: 'properties.datetime',
      rule: 'datetime_missing',
    });
    expect(
      failed(scaffoldItem({ ...base, properties: { start_datetime: '2024-01-01' } })).error_context,
    ).toMatchObject({ field: 'properties.end_datetime', rule: 'datetime_missing' });
    const backwards = failed(
      scaffoldItem({
        ...base,
        properties: { start_datetime: '2024-02-01', end_datetime: '2024-01-01T00:00:00.5Z' },
      }),
    );
    expect(backwards.error_message).toBe(
      'properties.start_datetime 2024-02-01T00:00:00Z is after properties.end_datetime 2024-01-01T00:00:00.5Z',
    );
    expect(backwards.error_context.rule).toBe('datetime_order');
    expect(
      failed(scaffoldItem({ ...base, properties: { datetime: '2024-01-01', end_datetime: 'soon' } }))
        .error_context.field,
    ).toBe('properties.end_datetime');
  });

  it('fails records without an id and uses the origin as failure id', () => {
    const failure = failed(scaffoldItem({ ...base, id: '  ' }, {}, origin));
    expect(failure.item_id).toBe('data.csv:17');
    expect(failure.error_context).toMatchObject({ field: 'id', rule: 'id_missing' });
    expect(
      failed(scaffoldItem({ ...base, id: undefined }, {}, { url: 'https://x/items', index: 3 })).item_id,
    ).toBe('https://x/items#3');
    expect(failed(scaffoldItem({ ...base, id: { nested: true } })).error_message).toBe(
      'id must be a non-empty string or a number, got an object',
    );
  });

  it.each([
    [
      { assets: { data: { title: 'no href' } } },
      'assets.data.href',
      'assets.data.href must be a non-empty string, got nothing',
    ],
    [{ assets: { data: 'https://example.com/x.tif' } }, 'assets.data', 'assets.data must be an asset object'],
    [
      { assets: { data: { href: 'x', roles: [1] } } },
      'assets.data.roles',
      'must be a string or an array of strings',
    ],
    [{ assets: [] }, 'assets', 'assets must be an object, got an array'],
    [{ links: [{ href: 'x' }] }, 'links[0].rel', 'links[0].rel must be a non-empty string'],
    [{ links: {} }, 'links', 'links must be an array'],
    [{ collection: ['a'] }, 'collection', 'collection must be a non-empty string'],
    [{ stac_extensions: 'https://x' }, 'stac_extensions', 'stac_extensions must be an array'],
    [{ stac_extensions: [5] }, 'stac_extensions[0]', 'stac_extensions[0] must be a schema URI string'],
    [{ properties: [1] }, 'properties', 'properties must be an object'],
  ])('fails %j naming %s', (patch, field, message) => {
    const failure = failed(scaffoldItem({ ...base, ...patch } as Record<string, unknown>));
    expect(failure.error_context).toMatchObject({ field, rule: 'field_invalid' });
    expect(failure.error_message).toContain(message);
  });

  it('fails a record that is not an object', () => {
    const failure = failed(
      scaffoldItem('id,geometry' as unknown as Record<string, unknown>, {}, { file: 'x.ndjson', line: 3 }),
    );
    expect(failure).toMatchObject({ item_id: 'x.ndjson:3', error_context: { rule: 'record_invalid' } });
  });

  it('throws SCM_SCAFFOLD_OPTIONS_INVALID for malformed options only', () => {
    const attempt = (options: unknown) => () => scaffoldItem(base, options as ScaffoldOptions);
    for (const options of [
      { closeRings: 'yes' },
      { stacVersion: 1 },
      { links: { home: 'x' } },
      { bboxTolerance: -1 },
    ]) {
      expect(attempt(options)).toThrow(expect.objectContaining({ code: 'SCM_SCAFFOLD_OPTIONS_INVALID' }));
    }
    try {
      attempt({ collection: '' })();
    } catch (error) {
      expect(isScmError(error) && error.message).toBe(
        'scaffold option "collection" must be a non-empty string, got ""',
      );
    }
  });
});

describe('scaffoldItem fields', () => {
  it('moves top-level custom fields into properties and warns on clashes', () => {
    const { item, warnings } = ok(
      scaffoldItem({
        ...base,
        platform: 'sentinel-2a',
        type: 'survey',
        properties: { datetime: '2024-01-12', site: 'a' },
        site: 'b',
      }),
    );
    expect(item.type).toBe('Feature');
    expect(item.properties).toEqual({
      datetime: '2024-01-12T00:00:00Z',
      site: 'a',
      platform: 'sentinel-2a',
      type: 'survey',
    });
    expect(warnings).toEqual(['site: top-level field ignored; properties.site is already set']);
  });

  it('never lets __proto__, constructor or prototype keys through', () => {
    const record = JSON.parse(`{
      "id": "evil", "geometry": "POINT (1 2)", "__proto__": { "polluted": "top" }, "constructor": { "prototype": { "x": 1 } },
      "properties": { "datetime": "2024-01-12", "__proto__": { "polluted": "props" },
        "nested": { "ok": 1, "__proto__": { "polluted": "nested" }, "list": [{ "__proto__": { "polluted": "list" } }] } },
      "assets": { "__proto__": { "href": "x" }, "data": { "href": "y", "__proto__": { "polluted": "asset" } } },
      "links": [{ "rel": "via", "href": "z", "__proto__": { "polluted": "link" } }]
    }`);
    const { item, warnings } = ok(scaffoldItem(record));
    const json = JSON.stringify(item);
    expect(json).not.toContain('__proto__');
    expect(json).not.toContain('polluted');
    expect(json).not.toContain('prototype');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(item.properties)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(item.assets)).toBe(Object.prototype);
    expect(item.properties).toEqual({ datetime: '2024-01-12T00:00:00Z', nested: { ok: 1, list: [{}] } });
    expect(item.assets).toEqual({ data: { href: 'y' } });
    expect(warnings).toEqual(
      expect.arrayContaining([
        'properties.__proto__: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys',
        'properties.nested.list[0].__proto__: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys',
        '__proto__: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys',
        'constructor: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys',
        'assets.__proto__: dropped; "__proto__", "constructor" and "prototype" are not allowed as keys',
      ]),
    );
  });

  it('does not modify the record and shares no objects with it', () => {
    const record = structuredClone({
      ...base,
      geometry: { type: 'Point', coordinates: [1, 2] },
      properties: { datetime: '2024-01-12', tags: ['a'] },
    });
    const copy = structuredClone(record);
    const { item } = ok(scaffoldItem(record));
    expect(record).toEqual(copy);
    (item.properties.tags as string[]).push('b');
    expect(record.properties.tags).toEqual(['a']);
    expect(item.geometry).not.toBe(record.geometry);
  });

  it('normalises asset roles to arrays', () => {
    const { item } = ok(
      scaffoldItem({
        ...base,
        assets: {
          data: { href: 'a.tif', roles: 'data' },
          meta: { href: 'a.xml', roles: 'metadata, overview ,' },
          thumb: { href: 'a.png', roles: null, type: 'image/png' },
          list: { href: 'b.tif', roles: ['data'] },
        },
      }),
    );
    expect(item.assets).toEqual({
      data: { href: 'a.tif', roles: ['data'] },
      meta: { href: 'a.xml', roles: ['metadata', 'overview'] },
      thumb: { href: 'a.png', type: 'image/png' },
      list: { href: 'b.tif', roles: ['data'] },
    });
  });

  it('deduplicates stac_extensions from the record and the options', () => {
    const uri = 'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json';
    const { item } = ok(
      scaffoldItem(
        { ...base, stac_extensions: [uri, uri] },
        { stacExtensions: [uri, 'https://example.com/other/v1.0.0/schema.json'] },
      ),
    );
    expect(item.stac_extensions).toEqual([uri, 'https://example.com/other/v1.0.0/schema.json']);
  });

  it('writes stac_version 1.0.0 and says when it replaced another', () => {
    const { item, warnings } = ok(scaffoldItem({ ...base, stac_version: '1.1.0' }));
    expect(item.stac_version).toBe('1.0.0');
    expect(warnings).toEqual(['stac_version: replaced "1.1.0" with "1.0.0"']);
  });

  it('checks a given bbox against the computed one', () => {
    expect(ok(scaffoldItem({ ...base, bbox: [0, 0, 1, 1.0000001] })).warnings).toEqual([]);
    const wrong = ok(scaffoldItem({ ...base, bbox: [0, 0, 2, 2] }));
    expect(wrong.item.bbox).toEqual([0, 0, 1, 1]);
    expect(wrong.warnings).toEqual([
      'bbox: replaced [0, 0, 2, 2] with [0, 0, 1, 1] computed from the geometry',
    ]);
    const malformed = ok(scaffoldItem({ ...base, bbox: [0, 0, 1] }));
    expect(malformed.item.bbox).toEqual([0, 0, 1, 1]);
    expect(malformed.warnings[0]).toMatch(/^bbox: replaced an array \(not 4 or 6 finite numbers\)/);
  });

  it('builds the geometry from a bbox when the record has only a bbox', () => {
    const { item, warnings } = ok(scaffoldItem({ ...base, geometry: null, bbox: [170, -10, -170, 10] }));
    expect(item.geometry?.type).toBe('MultiPolygon');
    expect(item.bbox).toEqual([170, -10, -170, 10]);
    expect(warnings).toEqual(['geometry: missing; built from bbox']);
  });

  it('allows a null geometry only when asked, and then writes no bbox', () => {
    const { item, warnings } = ok(
      scaffoldItem({ ...base, geometry: null, bbox: 'x' }, { allowNullGeometry: true }),
    );
    expect(item.geometry).toBeNull();
    expect('bbox' in item).toBe(false);
    expect(warnings).toEqual(['bbox: dropped; an Item with a null geometry has no bbox']);
  });

  it('wraps 0..360 longitudes when asked', () => {
    const record = { ...base, geometry: 'POLYGON((170 0, 190 0, 190 5, 170 5, 170 0))' };
    expect(failed(scaffoldItem(record)).error_message).toContain('set normalizeLongitude');
    const { item } = ok(scaffoldItem(record, { normalizeLongitude: true }));
    expect(item.bbox).toEqual([170, 0, -170, 5]);
    expect(item.geometry?.type).toBe('MultiPolygon');
  });

  it('can leave crossing geometries uncut', () => {
    const { item } = ok(
      scaffoldItem({ ...base, geometry: 'LINESTRING(170 0, -170 1)' }, { splitAntimeridian: false }),
    );
    expect(item.geometry?.type).toBe('LineString');
    expect(item.bbox).toEqual([170, 0, -170, 1]);
  });

  it('stamps created and updated when asked, and normalises given ones', () => {
    const now = () => new Date(Date.UTC(2025, 5, 1, 12));
    const stamped = ok(scaffoldItem(base, { createdNow: true, updated: true, now })).item.properties;
    expect(stamped).toEqual({
      datetime: '2024-01-12T13:50:00Z',
      created: '2025-06-01T12:00:00Z',
      updated: '2025-06-01T12:00:00Z',
    });
    const kept = ok(
      scaffoldItem(
        { ...base, properties: { datetime: '2024-01-12', created: '2020-01-01T01:00:00+01:00' } },
        { createdNow: true, now },
      ),
    ).item.properties;
    expect(kept.created).toBe('2020-01-01T00:00:00Z');
    expect(
      failed(scaffoldItem({ ...base, properties: { datetime: '2024-01-12', updated: 'later' } }))
        .error_context.field,
    ).toBe('properties.updated');
  });
});

describe('scaffoldItem links', () => {
  const record = {
    ...base,
    collection: 'landsat c2/l2',
    links: [
      { rel: 'self', href: 'https://old.example.com/item.json' },
      { rel: 'license', href: 'https://example.com/license.html', title: 'Licence' },
    ],
  };

  it('keeps record links as they are when no link options are given, adding the required collection link', () => {
    const { item } = ok(scaffoldItem(record));
    expect(item.links).toEqual([
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      ...record.links,
    ]);
  });

  it('writes structural links from explicit hrefs and keeps the other links', () => {
    const { item } = ok(
      scaffoldItem(record, {
        links: { root: '../../catalog.json', collection: '../collection.json', self: './{id}.json' },
      }),
    );
    expect(item.links).toEqual([
      { rel: 'self', href: './rec-1.json', type: 'application/geo+json' },
      { rel: 'root', href: '../../catalog.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      { rel: 'license', href: 'https://example.com/license.html', title: 'Licence' },
    ]);
  });

  it('lays links out under a base URL', () => {
    const { item } = ok(
      scaffoldItem({ ...record, id: 'a b' }, { links: { base: 'https://stac.example.com/catalog' } }),
    );
    expect(item.links.slice(0, 4)).toEqual([
      {
        rel: 'self',
        href: 'https://stac.example.com/catalog/landsat%20c2%2Fl2/a%20b/a%20b.json',
        type: 'application/geo+json',
      },
      { rel: 'root', href: 'https://stac.example.com/catalog/catalog.json', type: 'application/json' },
      {
        rel: 'parent',
        href: 'https://stac.example.com/catalog/landsat%20c2%2Fl2/collection.json',
        type: 'application/json',
      },
      {
        rel: 'collection',
        href: 'https://stac.example.com/catalog/landsat%20c2%2Fl2/collection.json',
        type: 'application/json',
      },
    ]);
    const bare = ok(scaffoldItem(base, { links: { base: 'https://stac.example.com/' } })).item;
    expect(bare.links.map((l) => [l.rel, l.href])).toEqual([
      ['self', 'https://stac.example.com/rec-1/rec-1.json'],
      ['root', 'https://stac.example.com/catalog.json'],
      ['parent', 'https://stac.example.com/catalog.json'],
    ]);
  });

  it('takes the collection from the options when the record has none', () => {
    const { item } = ok(scaffoldItem(base, { collection: 'default-collection' }));
    expect(item.collection).toBe('default-collection');
    expect(
      ok(scaffoldItem({ ...base, collection: 'own' }, { collection: 'default-collection' })).item.collection,
    ).toBe('own');
  });

  it('drops a collection link when the Item has no collection id', () => {
    const { item, warnings } = ok(
      scaffoldItem({ ...base, links: [{ rel: 'collection', href: '../c.json' }] }),
    );
    expect(item.links).toEqual([]);
    expect('collection' in item).toBe(false);
    expect(warnings).toEqual([
      'links: dropped the "collection" link; the Item has no collection id (STAC 1.0.0 requires both or neither)',
    ]);
  });
});

describe('scaffoldItems', () => {
  it('streams Items with their origin, yields failures in order and passes earlier failures through', async () => {
    const earlier = createFailure({
      itemId: 'data.csv:2',
      errorType: 'transformation_error',
      message: 'bad row',
      step: 'transform',
    });
    const source: (SourceRecord | Failure)[] = [
      earlier,
      { value: scenario4[0], origin: { file: 'data.csv', line: 3 } },
      { value: { ...base, geometry: 'POINT (0 95)' }, origin: { file: 'data.csv', line: 4 } },
      { value: scenario4[5], origin: { file: 'data.csv', line: 5 } },
    ];
    const warnings: ScaffoldWarning[] = [];
    const out = await collect(scaffoldItems(source, { onWarning: (w) => warnings.push(w) }));
    expect(out).toHaveLength(4);
    expect(out[0]).toBe(earlier);
    expect(out[1]).toMatchObject({
      value: { id: 'ds-001', type: 'Feature' },
      origin: { file: 'data.csv', line: 3 },
    });
    expect(out[2]).toMatchObject({
      item_id: 'rec-1',
      error_context: { line: 4, field: 'geometry', step: 'scaffold' },
    });
    expect(out[3]).toMatchObject({ value: { id: 'ds-006' } });
    expect(warnings).toEqual([
      {
        itemId: 'ds-006',
        message: 'geometry: closed an unclosed ring (coordinates[0]) by repeating the first position',
        origin: { file: 'data.csv', line: 5 },
      },
    ]);
  });

  it('logs warnings through the logger when no callback is given', async () => {
    const lines: unknown[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (message: string, context?: unknown) => lines.push([message, context]),
      error() {},
      child() {
        return logger;
      },
    };
    async function* source() {
      yield { value: { ...base, stac_version: '0.9.0' }, origin: { file: 'a.ndjson', line: 1 } };
    }
    await collect(scaffoldItems(source(), { logger }));
    expect(lines).toEqual([
      ['stac_version: replaced "0.9.0" with "1.0.0"', { item_id: 'rec-1', file: 'a.ndjson', line: 1 }],
    ]);
  });

  it('checks options before the first record and stops with SCM_ABORTED when aborted', async () => {
    expect(() => scaffoldItems([], { allowNullGeometry: 1 as unknown as boolean })).toThrow(
      /allowNullGeometry/,
    );
    const controller = new AbortController();
    const stream = scaffoldItems(
      [
        { value: base, origin: {} },
        { value: base, origin: {} },
      ],
      { signal: controller.signal },
    );
    expect((await stream.next()).done).toBe(false);
    controller.abort();
    await expect(stream.next()).rejects.toMatchObject({ code: 'SCM_ABORTED' });
  });
});
