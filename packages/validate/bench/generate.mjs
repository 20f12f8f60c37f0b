/**
 * Deterministic Sentinel-2 L2A / HLS-like STAC Items (core + eo + projection, about 3 KB of JSON each)
 * for the benchmark. A small linear congruential generator keeps runs identical.
 */

export const EO = 'https://stac-extensions.github.io/eo/v1.0.0/schema.json';
export const PROJ = 'https://stac-extensions.github.io/projection/v1.1.0/schema.json';

const BANDS = [
  ['B02', 'blue', 0.49, 10],
  ['B03', 'green', 0.56, 10],
  ['B04', 'red', 0.665, 10],
  ['B05', 'rededge', 0.704, 20],
  ['B08', 'nir', 0.842, 10],
  ['B8A', 'nir08', 0.865, 20],
  ['B11', 'swir16', 1.61, 20],
  ['B12', 'swir22', 2.19, 20],
];

function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function round(n) {
  return Math.round(n * 1e6) / 1e6;
}

/** The `index`-th item (0-based). */
export function makeItem(index) {
  const rand = lcg(index * 7919 + 17);
  const zone = 10 + (index % 50);
  const lat = round(-60 + rand() * 130);
  const lon = round(-170 + rand() * 330);
  const day = 1 + (index % 28);
  const month = 1 + (Math.floor(index / 28) % 12);
  const date = `2023-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const tile = `${zone}${'CDEFGHJKLMNPQRSTUVWX'[index % 20]}${'ABCDEFGHJK'[index % 10]}${'ABCDEFGHJK'[(index >> 3) % 10]}`;
  const id = `S2B_MSIL2A_${date.replaceAll('-', '')}T${String(index % 24).padStart(2, '0')}1559_T${tile}_${index}`;
  // A slightly irregular footprint of about 1°, closed, counter-clockwise.
  const w = 0.9 + rand() * 0.2;
  const h = 0.9 + rand() * 0.2;
  const ring = [
    [lon, lat],
    [round(lon + w), round(lat + rand() * 0.01)],
    [round(lon + w + rand() * 0.01), round(lat + h)],
    [round(lon + rand() * 0.3), round(lat + h - rand() * 0.01)],
    [lon, lat],
  ];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const epsg = 32600 + zone;
  const assets = {};
  for (const [name, common, wavelength, gsd] of BANDS) {
    const size = gsd === 10 ? 10980 : 5490;
    assets[name] = {
      href: `https://sentinel-cogs.example.org/sentinel-s2-l2a-cogs/${zone}/${tile}/${date}/${name}.tif`,
      type: 'image/tiff; application=geotiff; profile=cloud-optimized',
      title: `Band ${name.slice(1)} - ${common}`,
      roles: ['data'],
      gsd,
      'eo:bands': [{ name, common_name: common, center_wavelength: wavelength }],
      'proj:shape': [size, size],
    };
  }
  assets.thumbnail = {
    href: `https://sentinel-cogs.example.org/sentinel-s2-l2a-cogs/${zone}/${tile}/${date}/preview.jpg`,
    type: 'image/jpeg',
    title: 'Thumbnail',
    roles: ['thumbnail'],
  };
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [EO, PROJ],
    id,
    collection: 'sentinel-2-l2a',
    geometry: { type: 'Polygon', coordinates: [ring] },
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    properties: {
      datetime: `${date}T${String(index % 24).padStart(2, '0')}:15:59.024000Z`,
      platform: 'sentinel-2b',
      constellation: 'sentinel-2',
      instruments: ['msi'],
      'eo:cloud_cover': round(rand() * 100),
      'proj:epsg': epsg,
      'proj:transform': [10, 0, 399960, 0, -10, 5000040],
      created: '2023-12-01T10:00:00Z',
    },
    links: [
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'root', href: '../../catalog.json', type: 'application/json' },
    ],
    assets,
  };
}
