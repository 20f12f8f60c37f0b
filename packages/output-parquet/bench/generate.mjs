// Writes N Sentinel-2-like STAC items (about 3 KB each) as NDJSON. Deterministic for a given N.
// Usage: node bench/generate.mjs <out.ndjson> <count>
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BANDS = [
  ['blue', 'Blue (band 2) - 10m', 10],
  ['green', 'Green (band 3) - 10m', 10],
  ['red', 'Red (band 4) - 10m', 10],
  ['nir', 'NIR 1 (band 8) - 10m', 10],
  ['scl', 'Scene classification map', 20],
];

export function makeItem(i, rnd) {
  const zone = 10 + (i % 50);
  const band = 'CDEFGHJKLMNPQRSTUVWX'[i % 20];
  const tile = `${zone}${band}${'ABCDEFGH'[i % 8]}${'KLMNPQRS'[(i >> 3) % 8]}`;
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86400000 + Math.floor(rnd() * 86400000));
  const micros = String(Math.floor(rnd() * 1e6)).padStart(6, '0');
  const datetime = `${day.toISOString().slice(0, 19)}.${micros}Z`;
  const x = -180 + rnd() * 358;
  const y = -80 + rnd() * 150;
  const r6 = (v) => Math.round(v * 1e6) / 1e6;
  const ring = [
    [x, y],
    [x + 1.2, y + 0.05],
    [x + 1.25, y + 1.0],
    [x + 0.1, y + 1.02],
    [x - 0.02, y + 0.4],
    [x, y],
  ].map(([a, b]) => [r6(a), r6(b)]);
  const epsg = 32600 + zone;
  const id = `S2B_${tile}_${day.toISOString().slice(0, 10).replaceAll('-', '')}_${i}_L2A`;
  const base = `https://sentinel-cogs.s3.us-west-2.amazonaws.com/sentinel-s2-l2a-cogs/${zone}/${band}/${tile.slice(3)}/${id}`;
  const cloud = i % 7 === 0 ? Math.floor(rnd() * 100) : r6(rnd() * 100);
  const properties = {
    datetime,
    platform: i % 2 ? 'sentinel-2a' : 'sentinel-2b',
    constellation: 'sentinel-2',
    instruments: ['msi'],
    'eo:cloud_cover': cloud,
    'proj:epsg': epsg,
    'mgrs:utm_zone': zone,
    'mgrs:latitude_band': band,
    'mgrs:grid_square': tile.slice(3),
    'grid:code': `MGRS-${tile}`,
    'view:sun_azimuth': r6(rnd() * 360),
    'view:sun_elevation': r6(rnd() * 90),
    's2:nodata_pixel_percentage': r6(rnd() * 100),
    's2:vegetation_percentage': r6(rnd() * 100),
    's2:water_percentage': r6(rnd() * 100),
    's2:product_type': 'S2MSI2A',
    's2:processing_baseline': '05.09',
    's2:datatake_id': `GS2B_${day.toISOString().slice(0, 10).replaceAll('-', '')}T182919_0${i % 100}`,
    created: `${day.toISOString().slice(0, 19)}.${micros.slice(0, 3)}Z`,
    updated: `${day.toISOString().slice(0, 19)}.${micros.slice(0, 3)}Z`,
  };
  if (i % 5 === 0) properties['s2:snow_ice_percentage'] = r6(rnd() * 10);
  const assets = {};
  for (const [key, title, gsd] of BANDS) {
    const size = gsd === 10 ? 10980 : gsd === 20 ? 5490 : 1830;
    assets[key] = {
      href: `${base}/${key}.tif`,
      type: 'image/tiff; application=geotiff; profile=cloud-optimized',
      title,
      gsd,
      'proj:shape': [size, size],
      'proj:transform': [gsd, 0, 399960, 0, -gsd, 4500000],
      'raster:bands': [{ nodata: 0, data_type: 'uint16', scale: 0.0001, offset: -0.1 }],
      roles: ['data'],
    };
  }
  assets.thumbnail = {
    href: `${base}/thumbnail.jpg`,
    type: 'image/jpeg',
    title: 'Thumbnail image',
    roles: ['thumbnail'],
  };
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    stac_extensions: [
      'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
      'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
      'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
      'https://stac-extensions.github.io/view/v1.0.0/schema.json',
    ],
    id,
    collection: 'sentinel-2-l2a',
    geometry: { type: 'Polygon', coordinates: [ring] },
    bbox: [r6(x - 0.02), r6(y), r6(x + 1.25), r6(y + 1.02)],
    properties,
    links: [
      {
        rel: 'self',
        href: `https://earth-search.aws.element84.com/v1/collections/sentinel-2-l2a/items/${id}`,
        type: 'application/geo+json',
      },
      {
        rel: 'parent',
        href: 'https://earth-search.aws.element84.com/v1/collections/sentinel-2-l2a',
        type: 'application/json',
      },
      {
        rel: 'collection',
        href: 'https://earth-search.aws.element84.com/v1/collections/sentinel-2-l2a',
        type: 'application/json',
      },
      {
        rel: 'root',
        href: 'https://earth-search.aws.element84.com/v1',
        type: 'application/json',
        title: 'Earth Search by Element 84',
      },
    ],
    assets,
  };
}

export async function generate(path, count) {
  const rnd = random(42);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const line = `${JSON.stringify(makeItem(i, rnd))}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, count] = process.argv.slice(2);
  const bytes = await generate(path, Number(count));
  console.log(
    `${count} items, ${(bytes / Number(count)).toFixed(0)} bytes/item, ${(bytes / 1e6).toFixed(1)} MB`,
  );
}
