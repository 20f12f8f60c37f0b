#!/usr/bin/env node
// Turns the real-server fixtures (copies of shared/samples) into the two NDJSON
// files `pypgstac load` reads: collections.ndjson and items.ndjson.
//
//   node tools/stac-server/prepare-samples.mjs <out-dir>
//
// pgstac needs each item's collection loaded first; a sampled collection that
// has no collection document of its own gets a minimal one whose extent covers
// its items.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: prepare-samples.mjs <out-dir>');
  process.exit(2);
}
const samplesDir = new URL('fixtures/samples/', import.meta.url).pathname;

/** Items of a sample file: a JSON array, an ItemCollection page, or nothing. */
function itemsOf(document) {
  if (Array.isArray(document)) return document;
  if (document?.type === 'FeatureCollection') return document.features;
  return [];
}

function minimalCollection(id, items) {
  const boxes = items.map((item) => item.bbox).filter(Array.isArray);
  const times = items
    .map((item) => item.properties?.datetime)
    .filter(Boolean)
    .sort();
  const bbox = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b.at(-2))),
    Math.max(...boxes.map((b) => b.at(-1))),
  ];
  return {
    type: 'Collection',
    id,
    stac_version: '1.1.0',
    description: `Sample items of ${id}`,
    license: 'other',
    extent: { spatial: { bbox: [bbox] }, temporal: { interval: [[times[0], times.at(-1)]] } },
    links: [],
  };
}

const collections = new Map();
const itemsByKey = new Map();
for (const name of readdirSync(samplesDir).sort()) {
  const document = JSON.parse(readFileSync(join(samplesDir, name), 'utf8'));
  if (document.type === 'Collection') collections.set(document.id, document);
  for (const item of itemsOf(document)) itemsByKey.set(`${item.collection}\u0000${item.id}`, item);
}
const items = [...itemsByKey.values()];
for (const id of new Set(items.map((item) => item.collection))) {
  if (!collections.has(id)) {
    collections.set(
      id,
      minimalCollection(
        id,
        items.filter((item) => item.collection === id),
      ),
    );
  }
}
const ndjson = (objects) => objects.map((o) => `${JSON.stringify(o)}\n`).join('');
writeFileSync(join(outDir, 'collections.ndjson'), ndjson([...collections.values()]));
writeFileSync(join(outDir, 'items.ndjson'), ndjson(items));
console.log(`samples: ${collections.size} collections, ${items.length} items`);
