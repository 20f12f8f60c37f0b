import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coreErrors, createStacAjv, stacSchemasDir } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import { findNextLink, normalizeItem, nextRequest, type PageRequest, requestKey } from '../src/index.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as {
    features: Record<string, unknown>[];
    links: unknown;
  };

describe('nextRequest follows real servers’ next links exactly', () => {
  it('Earth Search: POST with merge:false sends the link body as is', () => {
    const page = fixture('earth-search-search-post-page1.json');
    const previous: PageRequest = { method: 'POST', url: 'https://x/search', body: { limit: 2, extra: 1 } };
    const link = findNextLink(page.links)!;
    const next = nextRequest(link, 'https://earth-search.aws.element84.com/v1/search', previous);
    expect(next.method).toBe('POST');
    expect(next.url).toBe('https://earth-search.aws.element84.com/v1/search');
    expect(next.body).toEqual(link.body);
    expect(next.body).not.toHaveProperty('extra');
  });

  it('Planetary Computer: POST without merge is merge:false (the link body is the whole body)', () => {
    const page = fixture('pc-search-post-page1.json');
    const link = findNextLink(page.links)!;
    expect(link).not.toHaveProperty('merge');
    const next = nextRequest(link, 'https://planetarycomputer.microsoft.com/api/stac/v1/search', {
      method: 'POST',
      url: 'https://planetarycomputer.microsoft.com/api/stac/v1/search',
      body: { limit: 10, stale: true },
    });
    expect(next.body).toEqual({
      limit: 10,
      bbox: [-73.21, 43.99, -73.12, 44.05],
      collections: ['naip'],
      token: 'next:naip:vt_m_4307307_nw_18_060_20211029',
    });
  });

  it('merge:true lays the link body over the previous body', () => {
    const next = nextRequest(
      { rel: 'next', href: 'search', method: 'POST', merge: true, body: { token: 't2' } },
      'https://api.test/stac/search',
      { method: 'POST', url: 'https://api.test/stac/search', body: { collections: ['a'], token: 't1' } },
    );
    expect(next).toEqual({
      method: 'POST',
      url: 'https://api.test/stac/search',
      body: { collections: ['a'], token: 't2' },
    });
  });

  it('CMR-STAC: a POST search is continued by the GET link it answers with', () => {
    const page = fixture('cmr-search-post-page1.json');
    const body = fixture('cmr-search-post-request-body.json') as unknown as Record<string, unknown>;
    const next = nextRequest(
      findNextLink(page.links)!,
      'https://cmr.earthdata.nasa.gov/stac/LPCLOUD/search',
      {
        method: 'POST',
        url: 'https://cmr.earthdata.nasa.gov/stac/LPCLOUD/search',
        body,
      },
    );
    expect(next.method).toBe('GET');
    expect(next.body).toBeUndefined();
    expect(new URL(next.url).searchParams.get('cursor')).toMatch(/^eyJ/);
    expect(new URL(next.url).searchParams.get('collections[0]')).toBe('HLSS30_2.0');
  });

  it('Planetary Computer GET token links keep the token verbatim, colons included', () => {
    const page = fixture('pc-items-get-page1.json');
    const next = nextRequest(findNextLink(page.links)!, 'https://planetarycomputer.microsoft.com/x', {
      method: 'GET',
      url: 'https://planetarycomputer.microsoft.com/x',
    });
    expect(new URL(next.url).searchParams.get('token')).toBe(
      'next:landsat-c2-l2:LC09_L2SR_084056_20250722_02_T1',
    );
  });

  it('resolves relative hrefs against the page URL', () => {
    const next = nextRequest(
      { rel: 'next', href: 'items?page=3' },
      'https://api.test/stac/collections/c/items?page=2',
      {
        method: 'GET',
        url: 'https://api.test/stac/collections/c/items?page=2',
      },
    );
    expect(next.url).toBe('https://api.test/stac/collections/c/items?page=3');
  });

  it('gives the same loop-guard key to the same body in any key order', () => {
    const a = requestKey({ method: 'POST', url: 'u', body: { a: 1, b: { c: 2, d: 3 } } });
    const b = requestKey({ method: 'POST', url: 'u', body: { b: { d: 3, c: 2 }, a: 1 } });
    expect(a).toBe(b);
    expect(requestKey({ method: 'GET', url: 'u' })).not.toBe(a);
  });
});

describe('normalizeItem', () => {
  it('restores the links CMR-STAC /items pages drop, so the item passes the STAC schema', () => {
    const page = fixture('cmr-items-page1.json');
    const raw = page.features[0] as never;
    const ajv = createStacAjv({
      schemaDirs: ['schemas.stacspec.org', 'geojson.org'].map((site) => join(stacSchemasDir, site)),
    });
    expect(coreErrors(ajv, raw).length).toBeGreaterThan(0);
    const { item, fixes } = normalizeItem(raw, {
      collectionId: 'HLSS30_2.0',
      collectionUrl: 'https://cmr.earthdata.nasa.gov/stac/LPCLOUD/collections/HLSS30_2.0',
      rootUrl: 'https://cmr.earthdata.nasa.gov/stac/LPCLOUD',
    });
    expect(fixes).toEqual(['collection_link_added', 'parent_link_added', 'root_link_added']);
    expect(item.links.map((l) => l.rel)).toEqual(['self', 'collection', 'parent', 'root']);
    expect(coreErrors(ajv, item as never)).toEqual([]);
  });

  it('drops __proto__ keys, says so, and leaves complete items unchanged', () => {
    const links =
      '"links":[{"rel":"collection","href":"x"},{"rel":"parent","href":"x"},{"rel":"root","href":"y"}]';
    const context = { collectionId: 'c', collectionUrl: 'x', rootUrl: 'y' };
    const raw = JSON.parse(
      `{"type":"Feature","id":"a","collection":"c","properties":{"__proto__":{"polluted":1},"constructor":2},${links}}`,
    );
    const { item, fixes } = normalizeItem(raw, context);
    expect(fixes).toEqual(['forbidden_members_dropped']);
    expect(Object.keys(item.properties)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const complete = JSON.parse(`{"type":"Feature","id":"b","collection":"c","properties":{},${links}}`);
    expect(normalizeItem(complete, context)).toEqual({ item: complete, fixes: [] });
  });
});
