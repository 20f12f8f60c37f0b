import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isScmError, type JsonSchema, type StacCatalog, type StacCollection, type StacItem } from '@scm/core';
import { applyExtensions, type LoadedExtension, prepareExtension } from '@scm/extensions';
import { stacSchemasDir } from '@scm/testing/schemas';
import { describeExtensionConformance } from '@scm/testing/vitest';
import { describe, expect, it } from 'vitest';
import {
  ALTERNATE_ASSETS_SCHEMAS,
  ALTERNATE_ASSETS_V1_0_0,
  ALTERNATE_ASSETS_V1_1_0,
  ALTERNATE_ASSETS_V1_2_0,
  type AlternateAssetsConfig,
  alternateAssetsExtension,
  applyAlternateAssets,
  checkAlternateAssetsObject,
} from '../src/index.js';
import { memoryLogger } from './helpers/logger.js';
import { coreErrors, createStacAjv, readJson, schemaErrors } from './helpers/stac-ajv.js';

const ajv = createStacAjv(Object.values(ALTERNATE_ASSETS_SCHEMAS) as Record<string, unknown>[]);
const basics = JSON.parse(
  readFileSync(
    path.join(stacSchemasDir, 'schemas.stacspec.org/v1.0.0/item-spec/json-schema/basics.json'),
    'utf8',
  ),
) as JsonSchema;

const hls = readJson<StacItem>('items/cmr-stac-item-HLS.S30.T13SFC.2022273T174141.v2.0.json');
const easier = readJson<StacItem>('items/item-HLSS30_2.0-alternate-assets.json');
const earthSearch = readJson<{ features: StacItem[] }>('items/earth-search-search-post-page1.json').features;
const sentinel2 = readJson<StacItem[]>('items/items-sentinel-2-l2a-pc.json');
const landsatPc = readJson<StacItem[]>('items/items-landsat-c2-l2-pc.json');
const copDem = readJson<StacItem[]>('items/items-cop-dem-glo-30-pc.json');
const landsatCollection = readJson<StacCollection>('items/pc-collection-landsat-c2-l2.json');
const hlsCollection = readJson<StacCollection>('items/cmr-stac-collection-HLSS30_2.0.json');
function example(version: string, kind: 'item'): StacItem;
function example(version: string, kind: 'collection'): StacCollection;
function example(version: string, kind: 'item' | 'collection'): StacItem | StacCollection {
  return readJson(`items/alternate-assets-v${version}-example-${kind}.json`);
}

/** The EasierData setup: LP DAAC HTTPS downloads have an S3 twin in the same bucket layout. */
const LPDAAC: AlternateAssetsConfig = {
  primary_name: 'HTTPS',
  alternates: [
    {
      key: 's3',
      name: 'S3',
      prefix: 'https://data.lpdaac.earthdatacloud.nasa.gov/',
      replace_prefix: 's3://',
      storage_refs: ['aws'],
    },
  ],
};

/** The PRD example: an S3 bucket and an HTTPS mirror of the same files. */
const PRD_EXAMPLE: AlternateAssetsConfig = {
  primary_name: 'HTTPS',
  roles: ['data'],
  alternates: [
    {
      key: 's3',
      name: 'S3',
      match: '^https://(?<bucket>sentinel-cogs)\\.s3\\.us-west-2\\.amazonaws\\.com/(.*)$',
      href: 's3://{bucket}/{2}',
      description: 'Access the file with AWS S3 tooling.',
      storage: { platform: 'AWS', region: 'us-west-2', requester_pays: false },
    },
    {
      key: 'mirror',
      name: 'Mirror',
      prefix: 'https://sentinel-cogs.s3.us-west-2.amazonaws.com/',
      href: 'https://mirror.example.com/{collection}/{rest}',
      title: 'HTTPS mirror',
    },
  ],
};

const AZURE: AlternateAssetsConfig = {
  assets: ['B0?', 'B1*', 'visual', 'data', 'red', 'qa'],
  alternates: [
    {
      key: 'abfs',
      name: 'Azure Blob (abfs)',
      match: '^https://(\\w+)\\.blob\\.core\\.windows\\.net/([^/?]+)/([^?]+)$',
      href: 'abfs://{2}@{1}.dfs.core.windows.net/{3}',
    },
  ],
};

function loaded(config: AlternateAssetsConfig, logger = memoryLogger()): LoadedExtension[] {
  return [prepareExtension(alternateAssetsExtension, config, { logger })];
}

function apply<T extends StacItem | StacCollection>(object: T, config: AlternateAssetsConfig): T {
  const result = applyExtensions(object, loaded(config));
  if (!result.ok) throw new Error(result.failure.error_message);
  return result.value;
}

function expectValid(object: StacItem | StacCollection, uri: string) {
  expect(schemaErrors(ajv, uri, object)).toEqual([]);
  expect(coreErrors(ajv, object)).toEqual([]);
  expect(checkAlternateAssetsObject(object)).toEqual([]);
  expect(object.stac_extensions?.filter((u) => u === uri)).toHaveLength(1);
}

describe('CMR-STAC HLS item → EasierData S3 alternates', () => {
  const out = apply(hls, LPDAAC);

  it('adds the S3 twin of each LP DAAC download, as in the EasierData sample', () => {
    for (const key of ['B02', 'B03', 'B04', 'Fmask']) {
      const expected = easier.assets[key]!.alternate as Record<string, Record<string, unknown>>;
      expect(out.assets[key]!.alternate).toEqual({ s3: { ...expected.s3, 'storage:refs': ['aws'] } });
      expect(out.assets[key]!['alternate:name']).toBe('HTTPS');
    }
    expect(out.assets.browse!.alternate).toEqual({
      s3: {
        href: 's3://lp-prod-public/HLSS30.020/HLS.S30.T13SFC.2022273T174141.v2.0/HLS.S30.T13SFC.2022273T174141.v2.0.jpg',
        'alternate:name': 'S3',
        'storage:refs': ['aws'],
      },
    });
  });

  it('copies an asset member named __proto__ as a member, never as the prototype of the copy', () => {
    const item = JSON.parse(
      `{"type":"Feature","stac_version":"1.1.0","id":"a","geometry":null,"properties":{"datetime":"2024-01-01T00:00:00Z"},"links":[],
        "assets":{"data":{"href":"https://data.lpdaac.earthdatacloud.nasa.gov/a.tif","__proto__":{"polluted":true}}}}`,
    ) as StacItem;
    const out = applyAlternateAssets(item, { config: LPDAAC, logger: memoryLogger() } as never);
    const asset = out.assets.data as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(asset)).toBe(Object.prototype);
    expect(Object.keys(asset)).toEqual(['href', '__proto__', 'alternate', 'alternate:name']);
    expect(asset.polluted).toBeUndefined();
    expect((asset.alternate as Record<string, { href: string }>).s3!.href).toBe('s3://a.tif');
  });

  it('leaves assets whose href does not match alone', () => {
    for (const key of ['s3_B02', 'thumbnail_1', 'metadata']) expect(out.assets[key]).toEqual(hls.assets[key]);
  });

  it('declares v1.2.0 once and validates (alternate-assets v1.2.0 + STAC 1.1.0 core)', () => {
    expect(out.stac_extensions).toEqual([...hls.stac_extensions!, ALTERNATE_ASSETS_V1_2_0]);
    expectValid(out, ALTERNATE_ASSETS_V1_2_0);
  });

  it('is idempotent and keeps alternates already there, merging by key', () => {
    expect(apply(out, LPDAAC)).toEqual(out);
    const merged = apply(easier, LPDAAC);
    const b02 = merged.assets.B02!.alternate as Record<string, Record<string, unknown>>;
    expect(Object.keys(b02)).toEqual(['IPFS', 'Filecoin', 's3']);
    expect(b02.IPFS).toEqual((easier.assets.B02!.alternate as Record<string, unknown>).IPFS);
    expect(b02.s3).toMatchObject({ 'alternate:name': 'S3', 'storage:refs': ['aws'] });
    expect(merged.stac_extensions?.filter((u) => u === ALTERNATE_ASSETS_V1_2_0)).toHaveLength(1);
    expectValid(merged, ALTERNATE_ASSETS_V1_2_0);
  });
});

describe('the PRD example: an S3 bucket and an HTTPS mirror', () => {
  const sentinel = earthSearch[0]!;

  it.each(['1.2.0', '1.1.0'] as const)('v%s on the Earth Search Sentinel-2 item', (version) => {
    const uri = version === '1.2.0' ? ALTERNATE_ASSETS_V1_2_0 : ALTERNATE_ASSETS_V1_1_0;
    const out = apply(sentinel, { ...PRD_EXAMPLE, version });
    const blue = out.assets.blue!;
    const alternate = blue.alternate as Record<string, Record<string, unknown>>;
    expect(alternate.s3).toEqual({
      href: 's3://sentinel-cogs/sentinel-s2-l2a-cogs/13/T/DE/2023/10/S2A_13TDE_20231008_0_L2A/B02.tif',
      ...(version === '1.2.0' ? { 'alternate:name': 'S3' } : {}),
      description: 'Access the file with AWS S3 tooling.',
      'storage:platform': 'AWS',
      'storage:region': 'us-west-2',
      'storage:requester_pays': false,
    });
    expect(alternate.mirror!.href).toBe(
      'https://mirror.example.com/sentinel-2-l2a/sentinel-s2-l2a-cogs/13/T/DE/2023/10/S2A_13TDE_20231008_0_L2A/B02.tif',
    );
    expect(blue['alternate:name']).toBe(version === '1.2.0' ? 'HTTPS' : undefined);
    // roles: [data] — the thumbnail is not data.
    expect(out.assets.thumbnail).toEqual(sentinel.assets.thumbnail);
    expectValid(out, uri);
  });

  it('replaces an older alternate-assets URI with the configured one', () => {
    const old = { ...sentinel, stac_extensions: [...sentinel.stac_extensions!, ALTERNATE_ASSETS_V1_0_0] };
    expect(apply(old, PRD_EXAMPLE).stac_extensions).toEqual([
      ...sentinel.stac_extensions!,
      ALTERNATE_ASSETS_V1_2_0,
    ]);
    for (const version of ['1.0.0', '1.1.0']) {
      const upgraded = apply(example(version, 'item'), PRD_EXAMPLE);
      expect(upgraded.stac_extensions?.filter((u) => u.includes('alternate-assets'))).toEqual([
        ALTERNATE_ASSETS_V1_2_0,
      ]);
      expect(schemaErrors(ajv, ALTERNATE_ASSETS_V1_2_0, upgraded)).toEqual([]);
    }
  });
});

describe('Planetary Computer items and collections', () => {
  it.each([...sentinel2, ...landsatPc, ...copDem].map((i) => [i.id, i] as const))('%s', (_id, item) => {
    const out = apply(item, AZURE);
    let touched = 0;
    for (const [key, asset] of Object.entries(out.assets)) {
      const alternate = asset.alternate as Record<string, { href: string }> | undefined;
      if (!alternate) {
        expect(asset).toEqual(item.assets[key]);
        continue;
      }
      touched++;
      expect(alternate.abfs!.href).toMatch(/^abfs:\/\/[^@]+@\w+\.dfs\.core\.windows\.net\//);
      expect(asset['alternate:name']).toBe('HTTPS');
    }
    expect(touched).toBeGreaterThan(0);
    expectValid(out, ALTERNATE_ASSETS_V1_2_0);
    expect(apply(out, AZURE)).toEqual(out);
  });

  it('applies to Collection assets, never to item_assets', () => {
    const out = apply(landsatCollection, {
      alternates: [
        {
          key: 'cdn',
          prefix: 'https://ai4edatasetspublicassets.blob.core.windows.net/',
          replace_prefix: 'https://cdn.example.com/',
        },
      ],
    });
    expect((out.assets!.thumbnail!.alternate as Record<string, unknown>).cdn).toEqual({
      href: 'https://cdn.example.com/assets/pc_thumbnails/landsat-c2-l2-thumb.png',
      'alternate:name': 'cdn',
    });
    expect(out.item_assets).toEqual(landsatCollection.item_assets);
    expectValid(out, ALTERNATE_ASSETS_V1_2_0);
    const hlsOut = apply(hlsCollection, LPDAAC);
    expect(hlsOut.assets!.thumbnail!.alternate).toBeDefined();
    expectValid(hlsOut, ALTERNATE_ASSETS_V1_2_0);
  });

  it('leaves objects without a matching href unchanged, and Catalogs alone', () => {
    expect(apply(copDem[0]!, LPDAAC)).toBe(copDem[0]);
    const catalog: StacCatalog = {
      type: 'Catalog',
      stac_version: '1.0.0',
      id: 'c',
      description: 'd',
      links: [],
    };
    expect(applyExtensions(catalog, loaded(LPDAAC))).toEqual({ ok: true, value: catalog });
  });
});

describe('checkObject (v1.2.0 does not check Item asset alternates)', () => {
  const base = apply(hls, LPDAAC);
  const broken = (patch: (asset: Record<string, unknown>) => void): StacItem => {
    const copy = structuredClone(base);
    patch(copy.assets.B02 as Record<string, unknown>);
    return copy;
  };

  it.each([
    [
      'an alternate without href',
      (a: Record<string, unknown>) => {
        delete (a.alternate as Record<string, Record<string, unknown>>).s3!.href;
      },
      {
        path: '/assets/B02/alternate/s3/href',
        message: 'alternate "s3" of asset "B02" needs an href (a non-empty string)',
      },
    ],
    [
      'an empty alternate map',
      (a: Record<string, unknown>) => {
        a.alternate = {};
      },
      { path: '/assets/B02/alternate', message: 'alternate must hold at least one alternate asset' },
    ],
    [
      'an empty alternate:name',
      (a: Record<string, unknown>) => {
        a['alternate:name'] = '';
      },
      { path: '/assets/B02/alternate:name', message: 'alternate:name must be a non-empty string' },
    ],
  ])('reports %s, which the schema lets through', (_what, patch, issue) => {
    const item = broken(patch);
    expect(schemaErrors(ajv, ALTERNATE_ASSETS_V1_2_0, item)).toEqual([]);
    expect(checkAlternateAssetsObject(item)).toEqual([
      { ...issue, kind: 'alternate_assets', severity: 'error' },
    ]);
  });

  it('checks Collections too, including href in item_assets', () => {
    const collection = structuredClone(example('1.2.0', 'collection'));
    expect(checkAlternateAssetsObject(collection)).toEqual([]);
    const firstKey = Object.keys(collection.item_assets!)[0]!;
    const alternate = collection.item_assets![firstKey]!.alternate as Record<string, Record<string, unknown>>;
    const altKey = Object.keys(alternate)[0]!;
    alternate[altKey]!.href = 's3://x';
    expect(checkAlternateAssetsObject(collection).map((i) => i.path)).toEqual([
      `/item_assets/${firstKey}/alternate/${altKey}/href`,
    ]);
  });

  it('checks objects that declare v1.0.0 or an http:// URI, as validation did before it left @scm/validate', () => {
    for (const uri of [
      'https://stac-extensions.github.io/alternate-assets/v1.0.0/schema.json',
      'http://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json',
    ]) {
      const item = broken((a) => {
        a.alternate = {};
      });
      item.stac_extensions = [uri];
      expect(checkAlternateAssetsObject(item).map((i) => `${i.severity} ${i.path}`)).toEqual([
        'error /assets/B02/alternate',
      ]);
    }
  });

  it('warns when alternates are used without declaring the extension', () => {
    const { stac_extensions: _, ...undeclared } = base;
    expect(checkAlternateAssetsObject(undeclared)).toEqual([
      expect.objectContaining({ path: '/stac_extensions', severity: 'warning' }),
    ]);
  });

  it('passes the published examples', () => {
    for (const version of ['1.1.0', '1.2.0']) {
      expect(checkAlternateAssetsObject(example(version, 'item'))).toEqual([]);
      expect(checkAlternateAssetsObject(example(version, 'collection'))).toEqual([]);
    }
  });
});

describe('config', () => {
  const configError = (config: unknown) => {
    try {
      prepareExtension(alternateAssetsExtension, config, { configPath: 'extensions[1].config' });
    } catch (error) {
      if (isScmError(error)) return `${error.code}: ${error.message}`;
      throw error;
    }
    return 'no error';
  };

  it('accepts the documented examples', () => {
    for (const config of [LPDAAC, PRD_EXAMPLE, AZURE]) expect(configError(config)).toBe('no error');
  });

  it.each([
    [{ alternates: [] }, /config\.alternates: must NOT have fewer than 1 items/],
    [
      { alternates: [{ key: 's3', match: '(a+)+', href: 'x' }] },
      /config\.alternates\[0\]\.match: repeats a group/,
    ],
    [
      { alternates: [{ key: 's3', match: '^x(.*)$' }] },
      /config\.alternates\[0\]\.href: is required with "match"/,
    ],
    [
      { alternates: [{ key: 's3', prefix: 'a', match: 'b', href: 'c' }] },
      /needs exactly one of "match".*or "prefix"/,
    ],
    [{ alternates: [{ key: 's3', prefix: 'a' }] }, /give exactly one of "href" or "replace_prefix"/],
    [
      { alternates: [{ key: 's3', match: '^(.*)$', href: 's3://b/{2}' }] },
      /placeholder \{2\} is not available/,
    ],
    [
      {
        alternates: [
          { key: 's3', prefix: 'a', replace_prefix: 'b' },
          { key: 's3', prefix: 'c', replace_prefix: 'd' },
        ],
      },
      /alternates\[1\]\.key: key "s3" is used by another rule/,
    ],
    [
      { alternates: [{ key: 's3', prefix: 'a', replace_prefix: 'b', bucket: 'x' }] },
      /alternates\[0\]\.bucket: is not a known option/,
    ],
    [
      { version: '1.0.0', alternates: [{ key: 's3', prefix: 'a', replace_prefix: 'b' }] },
      /config\.version: must be one of "1\.2\.0", "1\.1\.0"/,
    ],
  ])('refuses %j', (config, message) => {
    const error = configError(config);
    expect(error).toMatch(
      /^SCM_EXTENSION_CONFIG: extension "alternate-assets": invalid config at extensions\[1\]\.config/,
    );
    expect(error).toMatch(message);
  });

  it('warns that names are ignored with 1.1.0', () => {
    const logger = memoryLogger();
    loaded({ ...LPDAAC, version: '1.1.0' }, logger);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'extension "alternate-assets": config: alternate-assets 1.1.0 has no alternate:name; primary_name and name are ignored',
    ]);
  });
});

describe('conformance', () => {
  const items = [
    hls,
    easier,
    ...earthSearch,
    ...sentinel2,
    ...landsatPc,
    ...copDem,
    example('1.1.0', 'item'),
    example('1.0.0', 'item'),
  ];
  const collections = [landsatCollection, hlsCollection, example('1.2.0', 'collection')];
  describeExtensionConformance(
    alternateAssetsExtension,
    Object.entries({
      'LP DAAC S3 (1.2.0)': LPDAAC,
      'PRD example (1.2.0)': PRD_EXAMPLE,
      'PRD example (1.1.0)': { ...PRD_EXAMPLE, version: '1.1.0' },
      'Azure (1.2.0)': AZURE,
    }).map(([name, config]) => ({
      name,
      items,
      collections,
      config: config as Record<string, unknown>,
      schemas: [basics],
    })),
  );
});
