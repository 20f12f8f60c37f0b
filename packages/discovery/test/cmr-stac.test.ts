/**
 * Discovery against a CMR-STAC built from the sample responses in
 * ../shared/samples/cmr-stac (copied into test/fixtures): a root that lists
 * providers as child catalogs plus the virtual `ALL`, provider catalogs whose
 * collections sit behind `rel=data` and page with `?cursor=`, collection ids
 * with `/` and spaces.
 */
import { isScmError, type StacCollection } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { discoverCollections } from '../src/index.js';
import { Fail, fixture, rewrite, stubHttp } from './helpers.js';

const STAC = 'https://cmr.earthdata.nasa.gov/stac';
const ORNL_ID = '10.3334/cdiac/otg.vos_alligatorhope_1999-2001_Not applicable';
const ORNL_URL = `${STAC}/ORNL_CLOUD/collections/10.3334%2Fcdiac%2Fotg.vos_alligatorhope_1999-2001_Not%20applicable`;
const PROVIDERS = [
  'ASF',
  'GES_DISC',
  'LAADS',
  'LARC_ASDC',
  'LPCLOUD',
  'LPDAAC_ECS',
  'NSIDC_ECS',
  'ORNL_CLOUD',
  'POCLOUD',
  'USGS_EROS',
];

const hls = fixture<StacCollection>('cmr-stac/collection-HLSS30_2.0.json');
const lpcloudPage1 = fixture('cmr-stac/collections-LPCLOUD-limit2.json');
const page1Next =
  (lpcloudPage1.links as { rel: string; href: string }[]).find((l) => l.rel === 'next')?.href ?? '';

function collection(id: string, provider: string, interval: [string, string | null]): StacCollection {
  const doc = rewrite(rewrite(hls, 'HLSS30_2.0', encodeURIComponent(id)), 'LPCLOUD', provider);
  return { ...doc, id, title: `${id} title`, extent: { ...doc.extent, temporal: { interval: [interval] } } };
}

const astgtm = collection('ASTGTM_003', 'LPCLOUD', ['2000-03-01T00:00:00.000Z', '2013-11-30T23:59:59.999Z']);
const ornl = collection(ORNL_ID, 'ORNL_CLOUD', ['1999-01-01T00:00:00.000Z', '2001-12-31T00:00:00.000Z']);

function collectionsPage(
  provider: string,
  collections: StacCollection[],
  next?: string,
): Record<string, unknown> {
  const links = [
    { rel: 'self', href: `${STAC}/${provider}/collections` },
    { rel: 'root', href: STAC },
    ...(next ? [{ rel: 'next', href: next, type: 'application/geo+json' }] : []),
  ];
  return { description: `All collections provided by ${provider}`, links, collections };
}

/** `ALL`: no item search, and its collection list repeats every provider's collections with their real hrefs. */
function allCatalog(): Record<string, unknown> {
  const catalog = rewrite(fixture('cmr-stac/provider-catalog-LPCLOUD.json'), 'LPCLOUD', 'ALL');
  const links = (catalog.links as { rel: string }[]).filter((l) => l.rel !== 'search');
  return { ...catalog, id: 'ALL', links, conformsTo: ['https://api.stacspec.org/v1.0.0/core'] };
}

/** URL -> response of a small CMR-STAC: ten providers and ALL. */
function cmrStac(overrides: Record<string, unknown> = {}): ReturnType<typeof stubHttp> {
  const routes: Record<string, unknown> = { [STAC]: fixture('cmr-stac/root-catalog.json') };
  for (const provider of PROVIDERS) {
    routes[`${STAC}/${provider}`] = rewrite(
      fixture('cmr-stac/provider-catalog-LPCLOUD.json'),
      'LPCLOUD',
      provider,
    );
    routes[`${STAC}/${provider}/collections?limit=100`] = collectionsPage(provider, []);
  }
  routes[`${STAC}/LPCLOUD/collections?limit=100`] = lpcloudPage1;
  routes[page1Next] = collectionsPage('LPCLOUD', [astgtm]);
  routes[`${STAC}/ORNL_CLOUD/collections?limit=100`] = collectionsPage('ORNL_CLOUD', [ornl]);
  routes[ORNL_URL] = ornl;
  routes[`${STAC}/LPCLOUD/collections/HLSS30_2.0`] = hls;
  routes[`${STAC}/ALL`] = allCatalog();
  const everything = [...(lpcloudPage1.collections as StacCollection[]), astgtm, ornl];
  routes[`${STAC}/ALL/collections?limit=100`] = collectionsPage('ALL', everything);
  return stubHttp({ ...routes, ...overrides });
}

describe('discoverCollections on CMR-STAC', () => {
  it('walks every provider catalog, follows the cursor pages, and lists each collection once', async () => {
    const { http, requests } = cmrStac();
    const result = await discoverCollections({ url: STAC, http });

    expect(result.collections.map((c) => [c.provider, c.id])).toEqual([
      ['LPCLOUD', 'HLSL30_2.0'],
      ['LPCLOUD', 'HLSS30_2.0'],
      ['LPCLOUD', 'ASTGTM_003'],
      ['ORNL_CLOUD', ORNL_ID],
    ]);
    expect(requests.map((r) => r.url)).toContain(page1Next);
    expect(result.failures).toEqual([]);
  });

  it('skips the virtual ALL provider, so the list is not doubled and ALL/collections is never paged', async () => {
    const { http, requests } = cmrStac();
    const result = await discoverCollections({ url: STAC, http });

    expect(result.skippedVirtual).toEqual([`${STAC}/ALL`]);
    expect(requests.map((r) => r.url)).not.toContain(`${STAC}/ALL/collections?limit=100`);
    expect(new Set(result.collections.map((c) => c.url)).size).toBe(result.collections.length);
  });

  it('walks ALL when --provider names it and still lists each collection once (id + self href)', async () => {
    const { http } = cmrStac();
    const result = await discoverCollections({ url: STAC, http, providers: ['LPCLOUD', 'ALL'] });

    expect(result.collections.map((c) => c.id)).toEqual(['HLSL30_2.0', 'HLSS30_2.0', 'ASTGTM_003', ORNL_ID]);
    expect(result.collections.find((c) => c.id === ORNL_ID)?.url).toBe(ORNL_URL);
  });

  it('gives each collection its items link, the search endpoint of its provider and its parent catalog', async () => {
    const { http } = cmrStac();
    const { collections } = await discoverCollections({ url: STAC, http, ids: ['HLSS30_2.0'] });

    expect(collections).toHaveLength(1);
    expect(collections[0]).toMatchObject({
      id: 'HLSS30_2.0',
      provider: 'LPCLOUD',
      url: `${STAC}/LPCLOUD/collections/HLSS30_2.0`,
      itemsUrl: `${STAC}/LPCLOUD/collections/HLSS30_2.0/items`,
      searchUrl: `${STAC}/LPCLOUD/search`,
      parentUrl: `${STAC}/LPCLOUD`,
    });
  });

  it('matches wildcards against ids, and * crosses the / of CMR ids', async () => {
    const { http } = cmrStac();
    const hlsOnly = await discoverCollections({ url: STAC, http, ids: ['HLS*'] });
    const doi = await discoverCollections({ url: STAC, http: cmrStac().http, ids: ['10.3334/*'] });

    expect(hlsOnly.collections.map((c) => c.id)).toEqual(['HLSL30_2.0', 'HLSS30_2.0']);
    expect(doi.collections.map((c) => c.id)).toEqual([ORNL_ID]);
  });

  it('reads literal ids directly, with / and spaces encoded in the path, and reports the ones no provider has', async () => {
    const { http, requests } = cmrStac();
    const result = await discoverCollections({
      url: STAC,
      http,
      providers: ['ORNL_CLOUD'],
      ids: [ORNL_ID, 'NOT_THERE_1'],
    });

    expect(result.collections.map((c) => c.id)).toEqual([ORNL_ID]);
    expect(requests.map((r) => r.url)).toContain(ORNL_URL);
    expect(requests.map((r) => r.url)).not.toContain(`${STAC}/ORNL_CLOUD/collections?limit=100`);
    expect(result.missingIds).toEqual(['NOT_THERE_1']);
    expect(result.failures).toEqual([]);
  });

  it('selects provider catalogs by --provider and never lists the collections of the others', async () => {
    const { http, requests } = cmrStac();
    const result = await discoverCollections({ url: STAC, http, providers: ['LP*'] });

    expect(result.collections.map((c) => c.provider)).toEqual(['LPCLOUD', 'LPCLOUD', 'LPCLOUD']);
    expect(result.collections).toHaveLength(3);
    const listed = requests.map((r) => r.url).filter((u) => u.includes('/collections?'));
    expect(listed.every((u) => u.includes('/LPCLOUD/') || u.includes('/LPDAAC_ECS/'))).toBe(true);
  });

  it('filters by temporal overlap with each collection extent', async () => {
    const { http } = cmrStac();
    const result = await discoverCollections({ url: STAC, http, datetime: '1998-01-01/2000-06-01' });

    expect(result.collections.map((c) => c.id)).toEqual(['ASTGTM_003', ORNL_ID]);
  });

  it('reports a provider that keeps failing and lists the others', async () => {
    const { http } = cmrStac({ [`${STAC}/LPCLOUD/collections?limit=100`]: new Fail(503) });
    const result = await discoverCollections({ url: STAC, http });

    expect(result.collections.map((c) => c.id)).toEqual([ORNL_ID]);
    expect(result.failures).toEqual([
      {
        url: `${STAC}/LPCLOUD/collections?limit=100`,
        what: 'collections page',
        code: 'SCM_HTTP_STATUS',
        message: `HTTP 503 from ${STAC}/LPCLOUD/collections?limit=100`,
        status: 503,
      },
    ]);
  });

  it('starts from a collections list URL as well as from a catalog', async () => {
    const { http } = cmrStac();
    const result = await discoverCollections({ url: `${STAC}/LPCLOUD/collections?limit=100`, http });

    expect(result.collections.map((c) => c.id)).toEqual(['HLSL30_2.0', 'HLSS30_2.0', 'ASTGTM_003']);
  });

  it('throws when the root itself cannot be read', async () => {
    const { http } = cmrStac({ [STAC]: new Fail(503) });
    const error = await discoverCollections({ url: STAC, http }).catch((e: unknown) => e);

    expect(isScmError(error) && error.code).toBe('SCM_HTTP_STATUS');
  });

  it('stops a collection list whose next link repeats an earlier page', async () => {
    const loop = collectionsPage('LPCLOUD', [astgtm], `${STAC}/LPCLOUD/collections?limit=100`);
    const { http, requests } = cmrStac({ [page1Next]: loop });
    const result = await discoverCollections({ url: STAC, http, providers: ['LPCLOUD'] });

    expect(result.collections.map((c) => c.id)).toEqual(['HLSL30_2.0', 'HLSS30_2.0', 'ASTGTM_003']);
    expect(requests.filter((r) => r.url === page1Next)).toHaveLength(1);
  });
});
