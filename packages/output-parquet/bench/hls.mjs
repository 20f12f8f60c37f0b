// Writes N HLS-shaped STAC items (about 13 KB and 40 assets each) as NDJSON: the CMR-STAC sample item with a new
// id, datetime and footprint per item, the id repeated in every href as CMR does. Deterministic for a given N;
// the item number is in the id, so every id is distinct (below 1M items the ids keep their length).
// Usage: node bench/hls.mjs <out.ndjson> <count>
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TEMPLATE = join(
  resolve(here, '..', '..', '..'),
  '..',
  'shared/samples/cmr-stac/synthetic/item-HLS.S30.T13SFC.2022273T174141.v2.0.json',
);

/** The sample's text with its id as a placeholder, so each item is one string replace and one parse. */
function loadTemplate(path) {
  const item = JSON.parse(readFileSync(path, 'utf8'));
  return { id: item.id, text: JSON.stringify(item) };
}

function itemAt(template, i) {
  const tile = `T${String(10 + (i % 50))}${'CDEFGHJKLMNPQRSTUVWX'[i % 20]}${'ABCDEFGH'[(i >> 3) % 8]}${'KLMN'[(i >> 6) % 4]}`;
  const day = new Date(Date.UTC(2020, 0, 1) + (i % 1500) * 86_400_000 + (i % 86_400) * 1000);
  const doy = String(Math.floor((day - Date.UTC(day.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(
    3,
    '0',
  );
  const id = `HLS.S30.${tile}.${day.getUTCFullYear()}${doy}T${String(i).padStart(6, '0')}.v2.0`;
  const item = JSON.parse(template.text.replaceAll(template.id, id));
  const when = day.toISOString();
  Object.assign(item.properties, { datetime: when, start_datetime: when, end_datetime: when });
  item.properties['eo:cloud_cover'] = i % 101;
  // The sample lies at -104..-103 degrees: this shift keeps every footprint inside [-180, 180], so it is valid.
  const dx = ((i % 360) - 30) * 0.5;
  const dy = ((i >> 4) % 60) - 30;
  item.geometry.coordinates = item.geometry.coordinates.map((ring) => ring.map(([x, y]) => [x + dx, y + dy]));
  item.bbox = [item.bbox[0] + dx, item.bbox[1] + dy, item.bbox[2] + dx, item.bbox[3] + dy];
  return item;
}

/** Writes `count` items to `path`; resolves to the bytes written. */
export async function generateHls(path, count, templatePath = TEMPLATE) {
  const template = loadTemplate(templatePath);
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const line = `${JSON.stringify(itemAt(template, i))}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [path, count] = process.argv.slice(2);
  const bytes = await generateHls(path, Number(count ?? 1000));
  console.log(`${count} items, ${bytes} bytes`);
}
