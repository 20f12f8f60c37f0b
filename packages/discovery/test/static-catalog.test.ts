/**
 * A static catalog over HTTP: the stac-spec v1.0.0 examples (test/fixtures/static), whose child links are
 * relative; one child is missing on the server.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { discoverCollections, formatCollections } from '../src/index.js';
import { fixture, stubHttp } from './helpers.js';

const BASE = 'https://static.example.org/examples';

function staticCatalog() {
  return stubHttp({
    [`${BASE}/catalog.json`]: fixture('static/catalog.json'),
    [`${BASE}/collection-only/collection.json`]: fixture('static/collection-only__collection.json'),
    [`${BASE}/collection-only/collection-with-schemas.json`]: fixture('static/collection.json'),
  });
}

describe('discoverCollections on a static catalog', () => {
  it('resolves relative child links against the URL each document came from', async () => {
    const { http } = staticCatalog();
    const result = await discoverCollections({ url: `${BASE}/catalog.json`, http });

    expect(result.collections.map((c) => [c.id, c.url, c.parentUrl])).toEqual([
      ['sentinel-2', `${BASE}/collection-only/collection.json`, `${BASE}/catalog.json`],
      ['simple-collection', `${BASE}/collection-only/collection-with-schemas.json`, `${BASE}/catalog.json`],
    ]);
  });

  it('reports the child that is missing and keeps the others', async () => {
    const { http } = staticCatalog();
    const result = await discoverCollections({ url: `${BASE}/catalog.json`, http });

    expect(result.failures).toMatchObject([
      { url: `${BASE}/extensions-collection/collection.json`, what: 'catalog', status: 404 },
    ]);
  });

  it('formats the result as CSV, quoting descriptions with commas and line breaks', async () => {
    const { http } = staticCatalog();
    const { collections } = await discoverCollections({
      url: `${BASE}/catalog.json`,
      http,
      ids: ['sentinel-2'],
    });
    const csv = formatCollections(collections, 'csv').split('\n');

    expect(csv[0]).toBe(
      'id,title,provider,url,items_url,search_url,parent_url,start,end,west,south,east,north,description',
    );
    expect(csv[1]).toBe(
      `sentinel-2,"Sentinel-2 MSI: MultiSpectral Instrument, Level-1C",,${BASE}/collection-only/collection.json,,,` +
        `${BASE}/catalog.json,2015-06-23T00:00:00Z,,-180,-56,180,83,"Sentinel-2 is a wide-swath, high-resolution, multi-spectral`,
    );
    const parsed = Papa.parse<Record<string, string>>(csv.join('\n'), { header: true, skipEmptyLines: true });
    expect(parsed.data[0]?.description).toBe(collections[0]?.description);
  });
});
