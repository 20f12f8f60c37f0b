import type { StacItem } from '@scm/core';

/** A small deterministic PRNG (mulberry32) so generated sets are stable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function square(x: number, y: number, size: number, z?: number): number[][][] {
  const p = (a: number, b: number) => (z === undefined ? [a, b] : [a, b, z]);
  return [[p(x, y), p(x + size, y), p(x + size, y + size), p(x, y + size), p(x, y)]];
}

/**
 * Items built to stress the round trip: property types that disagree across
 * items, explicit nulls next to absent members, 3D bboxes and geometries,
 * MultiPolygons, antimeridian-crossing geometries, items without assets or
 * with different asset keys, timestamp texts of every flavour, foreign
 * members, reserved property names and geometries with extra members.
 */
export function mixedItems(count = 60, seed = 7): StacItem[] {
  const rnd = random(seed);
  const items: StacItem[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 12;
    const x = Math.round((rnd() * 340 - 170) * 1e6) / 1e6;
    const y = Math.round((rnd() * 160 - 80) * 1e6) / 1e6;
    const properties: Record<string, unknown> = {
      datetime: [
        '2020-01-01T00:00:00Z',
        '2020-01-01T00:00:00.000Z',
        '2021-06-30T12:34:56.123456Z',
        '2021-06-30T12:34:56.5Z',
        '2022-02-28T23:59:59+00:00',
        '2022-02-28T23:59:59.100+02:00',
        '2019-12-31T23:59:60Z',
        '2018-05-05T05:05:05.123456789Z',
        '2018-05-05t05:05:05z',
      ][i % 9],
    };
    // mixed types in one property: int, double, string, bool, object, array, null, absent
    const mixedValues: unknown[] = [1, 2.5, 'three', true, { four: 4 }, [5], null];
    if (i % 8 !== 7) properties.mixed = mixedValues[i % 7];
    // int column that becomes double
    properties.count = i % 5 === 0 ? i + 0.5 : i;
    // null versus absent, majority absent
    if (i % 10 === 0) properties.sometimes = null;
    else if (i % 3 === 0) properties.sometimes = `value ${i}`;
    // null versus absent, majority null
    if (i % 10 === 1) properties.mostly_null = 'set';
    else if (i % 10 !== 2) properties.mostly_null = null;
    // only nulls
    properties.always_null = null;
    // nested objects with members coming and going
    properties['proj:centroid'] =
      i % 4 === 0 ? { lat: y, lon: x } : i % 4 === 1 ? { lat: y } : { lat: null, lon: x };
    properties.tags = i % 6 === 0 ? [] : i % 6 === 1 ? ['a', null, 'b'] : ['c'];
    properties.matrix = [
      [1, 2],
      [3, i],
    ];
    properties.negative_zero = i % 2 === 0 ? -0 : 0.25;
    properties.big = 2 ** 53 + (i % 2 === 0 ? 0 : 2);
    if (i % 7 === 0) properties.empty_object = {};
    if (i % 9 === 0) properties.start_datetime = '2020-01-01T00:00:00Z';
    if (i % 9 === 0) properties.end_datetime = '2020-01-02T00:00:00.999999Z';
    if (i % 11 === 0) properties.expires = i % 22 === 0 ? '2030-01-01T00:00:00Z' : 'never';
    if (i % 11 === 5) properties.published = i % 33 === 5 ? '2030-01-01T00:00:00Z' : 'unknown'; // mostly not a date
    if (i % 13 === 0) properties.id = `property-id-${i}`; // reserved name: kept in the side column
    if (i % 5 === 1) properties['proj:geometry'] = { type: 'Point', coordinates: [x * 1000, y * 1000] };
    properties['unicode ключ 🌍'] = 'naïve';

    let geometry: unknown;
    let bbox: number[] | undefined;
    switch (kind) {
      case 0:
        geometry = { type: 'Polygon', coordinates: square(x, y, 1) };
        bbox = [x, y, x + 1, y + 1];
        break;
      case 1:
        geometry = {
          type: 'MultiPolygon',
          coordinates: [square(x, y, 0.5), square(x + 2, y + 2, 0.25)],
        };
        bbox = [x, y, x + 2.25, y + 2.25];
        break;
      case 2:
        // crosses the antimeridian, split per RFC 7946 and with a crossing bbox
        geometry = {
          type: 'MultiPolygon',
          coordinates: [
            [
              [
                [179, 10],
                [180, 10],
                [180, 12],
                [179, 12],
                [179, 10],
              ],
            ],
            [
              [
                [-180, 10],
                [-179, 10],
                [-179, 12],
                [-180, 12],
                [-180, 10],
              ],
            ],
          ],
        };
        bbox = [179, 10, -179, 12];
        break;
      case 3:
        geometry = { type: 'Polygon', coordinates: square(x, y, 1, 100 + i) };
        bbox = [x, y, 100 + i, x + 1, y + 1, 100 + i];
        break;
      case 4:
        geometry = { type: 'Point', coordinates: [x, y, -5.5] };
        bbox = [x, y, -5.5, x, y, -5.5];
        break;
      case 5:
        geometry = null;
        bbox = undefined;
        break;
      case 6:
        geometry = {
          type: 'LineString',
          coordinates: [
            [x, y],
            [x + 1, y - 1],
          ],
          bbox: [x, y - 1, x + 1, y],
        };
        bbox = [x, y - 1, x + 1, y];
        break;
      case 7:
        geometry = {
          type: 'GeometryCollection',
          geometries: [
            { type: 'Point', coordinates: [x, y] },
            {
              type: 'MultiLineString',
              coordinates: [
                [
                  [x, y],
                  [x, y + 1],
                ],
              ],
            },
          ],
        };
        bbox = [x, y, x, y + 1];
        break;
      case 8:
        geometry = {
          type: 'MultiPoint',
          coordinates: [
            [x, y],
            [x + 0.1, y + 0.1],
          ],
        };
        bbox = [x, y, x + 0.1, y + 0.1];
        break;
      default:
        geometry = { type: 'Polygon', coordinates: square(x, y, 0.01) };
        bbox = [x, y, x + 0.01, y + 0.01];
    }

    const assets: Record<string, Record<string, unknown>> = {};
    if (kind !== 9) {
      assets.data = {
        href: `s3://bucket/${i}/data.tif`,
        type: 'image/tiff; application=geotiff',
        roles: ['data'],
      };
      if (i % 2 === 0) assets.data.title = 'Data';
      if (i % 3 === 0)
        assets.data['raster:bands'] = [{ nodata: 0, scale: 1.5, statistics: { minimum: 1 } }, {}];
      if (i % 4 === 0) assets.data.description = null;
      if (i % 6 === 0)
        assets.data['proj:geometry'] = { type: 'Polygon', coordinates: square(x * 1e5, y * 1e5, 10) };
      if (i % 3 === 1) assets[`extra-${i % 2}`] = { href: `./extra-${i}.json`, 'file:size': i * 1000 };
      if (i % 5 === 3) assets.thumbnail = { href: './thumb.png', type: 'image/png', roles: [] };
    }

    const item: Record<string, unknown> = {
      type: 'Feature',
      stac_version: i % 15 === 14 ? '1.0.0' : '1.1.0',
      id: `item-${String(i).padStart(4, '0')}`,
      geometry,
      properties,
      links:
        i % 8 === 3
          ? []
          : [
              { rel: 'self', href: `https://example.com/items/${i}`, type: 'application/geo+json' },
              { rel: 'parent', href: '../collection.json', title: i % 2 ? 'Parent' : null },
              ...(i % 4 === 0
                ? [
                    {
                      rel: 'next',
                      href: 'https://example.com/search',
                      method: 'POST',
                      body: { token: `t${i}` },
                      merge: false,
                    },
                  ]
                : []),
            ],
      assets,
      collection: 'mixed',
    };
    if (bbox) item.bbox = bbox;
    if (i % 2 === 0)
      item.stac_extensions = ['https://stac-extensions.github.io/projection/v2.0.0/schema.json'];
    else if (i % 6 === 1) item.stac_extensions = [];
    if (i % 10 === 4) item['foreign:member'] = { note: 'top-level member outside the Item spec', n: i };
    if (i % 25 === 24) delete item.collection;
    items.push(item as StacItem);
  }
  return items;
}
