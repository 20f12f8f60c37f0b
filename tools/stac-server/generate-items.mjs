#!/usr/bin/env node
// Writes a synthetic HLS-shaped collection of N items as NDJSON on stdout, for
// loading into the CI's stac-fastapi-pgstac server (`pypgstac load items -`).
//
//   node tools/stac-server/generate-items.mjs --count 100000 [--collection ID] [--collection-json FILE]
//     [--invalid-every N] [--ipfs]
//
// Items are the CMR-STAC HLS S30 sample with a new id, datetime, footprint and
// asset hrefs; about 13 KB each. The datetimes are deterministic and uneven on
// purpose: the density grows over the years and 2019 is empty, so a
// partitioned harvest meets dense, sparse and empty time windows. With --invalid-every N, two items in
// every N are made invalid STAC on purpose (pgstac takes them, a validator must not): the last of each N has
// an `eo:cloud_cover` of 150 (the eo schema's maximum is 100), the middle one an asset without `href`.
// With --ipfs, each data asset gets an IPFS alternate (alternate-assets v1.2.0) with a made-up CIDv1 as
// EasierData's items carry, so the dgeo extension finds content addresses.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    collection: { type: 'string', default: 'HLSS30_2.0_synthetic' },
    'collection-json': { type: 'string' },
    'invalid-every': { type: 'string', default: '0' },
    ipfs: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const collectionId = values.collection;
const invalidEvery = Number(values['invalid-every']);
const here = new URL('.', import.meta.url);
const template = JSON.parse(readFileSync(new URL('fixtures/hls-item-template.json', here), 'utf8'));
const templateId = template.id;
const assetsText = JSON.stringify(template.assets);
const viaLinks = template.links.filter((link) => link.rel === 'via');

/** Start and end of the synthetic archive; 2019 has no items. */
const START = Date.UTC(2016, 0, 1);
const END = Date.UTC(2024, 0, 1);
const GAP = [Date.UTC(2019, 0, 1), Date.UTC(2020, 0, 1)];

/**
 * The i-th datetime: quadratic density (more items in later years), with the
 * gap year folded onto the following years so that none lands inside it.
 */
function datetimeOf(i) {
  const fraction = Math.sqrt((i + 0.5) / count);
  const span = END - START - (GAP[1] - GAP[0]);
  let t = START + Math.floor(fraction * span);
  if (t >= GAP[0]) t += GAP[1] - GAP[0];
  return new Date(t);
}

/** A 1x1 degree footprint on a deterministic grid cell. */
function footprint(i) {
  const lon = -180 + ((i * 37) % 360);
  const lat = -60 + ((i * 11) % 120);
  const ring = [
    [lon, lat],
    [lon + 1, lat],
    [lon + 1, lat + 1],
    [lon, lat + 1],
    [lon, lat],
  ];
  return { geometry: { type: 'Polygon', coordinates: [ring] }, bbox: [lon, lat, lon + 1, lat + 1] };
}

function julian(date) {
  const day = Math.floor((date - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const hms = date.toISOString().slice(11, 19).replaceAll(':', '');
  return `${date.getUTCFullYear()}${String(day).padStart(3, '0')}T${hms}`;
}

function itemOf(i) {
  const when = datetimeOf(i);
  const tile = `T${String(i % 60).padStart(2, '0')}${String.fromCharCode(65 + (i % 26))}${i.toString(36).toUpperCase().padStart(4, '0')}`;
  const id = `HLS.S30.${tile}.${julian(when)}.v2.0`;
  const datetime = when.toISOString();
  const { geometry, bbox } = footprint(i);
  return {
    type: 'Feature',
    id,
    stac_version: template.stac_version,
    stac_extensions: template.stac_extensions,
    properties: {
      ...template.properties,
      datetime,
      start_datetime: datetime,
      end_datetime: datetime,
      'eo:cloud_cover': i % 101,
    },
    geometry,
    bbox,
    assets: JSON.parse(assetsText.replaceAll(templateId, id)),
    links: viaLinks,
    collection: collectionId,
  };
}

function collectionOf() {
  return {
    type: 'Collection',
    id: collectionId,
    stac_version: '1.1.0',
    description: 'Synthetic HLS S30-shaped items for harvest tests and benchmarks',
    license: 'CC0-1.0',
    extent: {
      spatial: { bbox: [[-180, -90, 180, 90]] },
      temporal: { interval: [[new Date(START).toISOString(), new Date(END).toISOString()]] },
    },
    links: [],
  };
}

if (values['collection-json'])
  writeFileSync(values['collection-json'], `${JSON.stringify(collectionOf())}\n`);
const ALTERNATE_ASSETS = 'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A made-up CIDv1 (base32, dag-pb sha2-256 shape: `bafybei` and 52 more characters) for a name. */
function cidOf(name) {
  const digest = createHash('sha256').update(name).digest();
  let cid = 'bafybei';
  for (let k = 0; k < 52; k++) cid += BASE32[digest[k % digest.length] % 32];
  return cid;
}

/** Gives each data asset of `item` an IPFS alternate, as EasierData's items have. */
function addIpfs(item) {
  for (const [key, asset] of Object.entries(item.assets)) {
    if (!asset.roles?.includes('data')) continue;
    const href = `https://gateway.easierdata.info/ipfs/${cidOf(`${item.id}/${key}`)}`;
    asset.alternate = { ...asset.alternate, IPFS: { href, 'alternate:name': 'IPFS' } };
  }
  item.stac_extensions = [...item.stac_extensions, ALTERNATE_ASSETS];
}

/** The i-th item, made invalid on purpose when --invalid-every says so. */
function maybeInvalid(i) {
  const item = itemOf(i);
  if (values.ipfs) addIpfs(item);
  if (invalidEvery <= 0) return item;
  if (i % invalidEvery === invalidEvery - 1) item.properties['eo:cloud_cover'] = 150;
  if (i % invalidEvery === Math.floor(invalidEvery / 2)) delete Object.values(item.assets)[0].href;
  return item;
}

for (let i = 0; i < count; i += 1) {
  if (!process.stdout.write(`${JSON.stringify(maybeInvalid(i))}\n`)) await once(process.stdout, 'drain');
}
