import type { StacCatalog, StacCollection, StacItem } from '@scm/core';
import { isScmError } from '@scm/core';
import { applyExtensions, type LoadedExtension, prepareExtension } from '@scm/extensions';
import { describeExtensionConformance } from '@scm/testing/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDgeoObject,
  DGEO_MAIN_URI,
  DGEO_PGSTAC_VARIANT_URI,
  DGEO_SCHEMAS,
  applyDgeo,
  type DgeoConfig,
  dgeoExtension,
} from '../src/index.js';
import { memoryLogger } from './helpers/logger.js';
import { coreErrors, createStacAjv, readJson, schemaErrors } from './helpers/stac-ajv.js';

const ajv = createStacAjv(Object.values(DGEO_SCHEMAS) as Record<string, unknown>[]);
const OLD_URI = 'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/main/json-schema/schema.json';
const V1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const V1_B = 'bafkreidivzimqfqtoqxkrpge6bjyhlvxqs3rhe73owtmdulaxr5do5in7u';
const B58 = 'zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7';
const PIECE = 'baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq';
const PROFILE_MAIN = {
  cid_version: 1,
  hash_function: 'sha2-256',
  chunking_algorithm: 'fixed-size',
  chunk_size: 262144,
  dag_layout: 'balanced',
};

const item = (file: string) => readJson<StacItem>(`items/${file}`);
const alternateAssetsItem = item('item-HLSS30_2.0-alternate-assets.json');
const migratedItem = item('item-HLSS30_2.0-dgeo-migrated.json');
const hlsItem = item('cmr-stac-item-HLS.S30.T13SFC.2022273T174141.v2.0.json');
const earthSearch = readJson<{ features: StacItem[] }>('items/earth-search-search-post-page1.json').features;
const naip = readJson<StacItem[]>('items/items-naip-pc.json');
const sentinel2 = readJson<StacItem[]>('items/items-sentinel-2-l2a-pc.json');
const realItems = [hlsItem, ...earthSearch, ...naip, ...sentinel2];
const gap = readJson<StacCollection>('items/pc-collection-gap.json');
const dgeoMain = ['dgeo-main-item.json', 'dgeo-main-item-core.json'].map(item);
const dgeoMainCollection = readJson<StacCollection>('items/dgeo-main-collection.json');
const dgeoPgstac = ['dgeo-pgstac-variant-item.json', 'dgeo-pgstac-variant-item-core.json'].map(item);
const dgeoPgstacCollection = readJson<StacCollection>('items/dgeo-pgstac-variant-collection.json');

/** The web3 snippet holds only ids and IPFS alternates; give it the STAC members it lacks. */
function web3Item(): StacItem {
  const snippet = readJson<{
    id: string;
    assets: Record<string, { alternate: Record<string, { href: string }> }>;
  }>('items/easierdata-web3-snippet.json');
  const assets = Object.fromEntries(
    Object.entries(snippet.assets).map(([key, asset]) => [
      key,
      { href: `https://landsatlook.usgs.gov/data/${snippet.id}/${key}`, roles: ['data'], ...asset },
    ]),
  );
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id: snippet.id,
    geometry: null,
    properties: { datetime: '2022-10-05T18:00:00Z' },
    links: [],
    assets,
  };
}

function loaded(config: DgeoConfig = {}, logger = memoryLogger()): LoadedExtension[] {
  return [prepareExtension(dgeoExtension, config, { logger })];
}

function apply<T extends StacItem | StacCollection>(
  object: T,
  config: DgeoConfig = {},
  logger = memoryLogger(),
): T {
  const result = applyExtensions(object, loaded(config, logger));
  if (!result.ok) throw new Error(result.failure.error_message);
  return result.value;
}

function expectValid(object: StacItem | StacCollection, uri: string) {
  expect(schemaErrors(ajv, uri, object)).toEqual([]);
  expect(coreErrors(ajv, object)).toEqual([]);
  expect(checkDgeoObject(object).filter((i) => i.severity === 'error')).toEqual([]);
  expect(object.stac_extensions?.filter((u) => u === uri)).toHaveLength(1);
}

describe('keys from data', () => {
  it('keeps an asset named __proto__ as an asset, never as the prototype of the assets', () => {
    const item = JSON.parse(
      `{"type":"Feature","stac_version":"1.1.0","id":"a","geometry":null,"properties":{"datetime":"2024-01-01T00:00:00Z"},"links":[],
        "assets":{"__proto__":{"href":"ipfs://${V1}"},"b":{"href":"https://x/b.tif"}}}`,
    ) as StacItem;
    const out = applyDgeo(item, { config: {}, logger: memoryLogger() } as never);
    expect(Object.getPrototypeOf(out.assets)).toBe(Object.prototype);
    expect(Object.keys(out.assets)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(out.assets, '__proto__')?.value).toMatchObject({ 'dgeo:cid': V1 });
    expect(out.properties['dgeo:cids']).toEqual([V1]);
  });
});

describe('IPFS migration (EasierData alternate-assets → dgeo)', () => {
  const config: DgeoConfig = { variant: 'main', cid_profile: PROFILE_MAIN };

  it('reproduces the dgeo fields of the migrated sample from the IPFS and Filecoin alternates', () => {
    const out = apply(alternateAssetsItem, config);
    expect(out.properties['dgeo:cids']).toEqual(migratedItem.properties['dgeo:cids']);
    expect(out.properties['dgeo:piece_cids']).toEqual(migratedItem.properties['dgeo:piece_cids']);
    for (const [key, asset] of Object.entries(migratedItem.assets)) {
      for (const field of ['dgeo:cid', 'dgeo:piece_cid', 'dgeo:cid_profile']) {
        expect([key, out.assets[key]![field]]).toEqual([key, asset[field]]);
      }
    }
    // dgeo writes only its own fields: the alternates stay (removing them is not dgeo's business).
    expect(out.assets.B02!.alternate).toEqual(alternateAssetsItem.assets.B02!.alternate);
    expect(out.stac_extensions).toEqual([...alternateAssetsItem.stac_extensions!, DGEO_MAIN_URI]);
    expectValid(out, DGEO_MAIN_URI);
  });

  it('writes the pgstac-variant shape by default: converted profile, piece CID at item level only', () => {
    const out = apply(alternateAssetsItem, { cid_profile: PROFILE_MAIN });
    expect(out.properties['dgeo:cids']).toEqual(migratedItem.properties['dgeo:cids']);
    expect(out.properties['dgeo:piece_cids']).toEqual([PIECE]);
    expect(out.assets.B02!['dgeo:piece_cid']).toBeUndefined();
    expect(out.assets.B02!['dgeo:cid_profile']).toEqual({
      cid_version: 1,
      hash_function: 'sha2-256',
      chunk_algorithm: 'fixed-size',
      chunk_size: 262144,
      dag_layout: 'balanced',
    });
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });

  it('leaves the already-migrated sample as it is under main, and converts it to pgstac-variant', () => {
    expect(apply(migratedItem, { variant: 'main' })).toEqual(migratedItem);
    const out = apply(migratedItem);
    expect(out.stac_extensions).not.toContain(DGEO_MAIN_URI);
    expect(out.assets.B03!['dgeo:cid_profile']).toMatchObject({ chunk_algorithm: 'fixed-size' });
    expect(out.assets.B02!['dgeo:piece_cid']).toBe(PIECE);
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });

  it('reads ipfs:// CIDv0 hrefs from the EasierData web3 alternates', () => {
    const input = web3Item();
    const out = apply(input, { variant: 'main' });
    expect(out.assets.green!['dgeo:cid']).toBe('QmdFsZ7zM1x8kLx7ttPTrJFMVTCT7wW84jKttncLvHQ9Mr');
    const perAsset = Object.values(out.assets).map((a) => a['dgeo:cid']);
    expect(perAsset.every((c) => typeof c === 'string')).toBe(true);
    expect(out.properties['dgeo:cids']).toEqual([...new Set(perAsset)]);
    expectValid(out, DGEO_MAIN_URI);
  });
});

describe('real Items without IPFS locations, from config constants', () => {
  const config: DgeoConfig = {
    cids: [V1],
    piece_cids: [PIECE],
    cid_profile: { cid_version: 1, hash_function: 'sha2-256', chunk_algorithm: 'fixed', chunk_size: 262144 },
    assets: { B02: { cid: V1_B, cid_profile: { dag_layout: 'balanced' } }, visual: { cid: V1_B } },
  };

  it.each(realItems.map((i) => [i.id, i] as const))('%s', (_id, input) => {
    for (const variant of ['pgstac-variant', 'main'] as const) {
      const out = apply(input, { ...config, variant });
      const uri = variant === 'main' ? DGEO_MAIN_URI : DGEO_PGSTAC_VARIANT_URI;
      expect((out.properties['dgeo:cids'] as string[])[0]).toBe(V1);
      expect(out.properties['dgeo:piece_cids']).toEqual([PIECE]);
      const configured = ['B02', 'visual'].filter((k) => k in input.assets);
      for (const key of configured) {
        expect(out.assets[key]!['dgeo:cid']).toBe(V1_B);
        expect(out.properties['dgeo:cids']).toContain(V1_B);
        expect(out.assets[key]!['dgeo:cid_profile']).toHaveProperty(
          variant === 'main' ? 'chunking_algorithm' : 'chunk_algorithm',
          'fixed',
        );
      }
      for (const [key, asset] of Object.entries(out.assets)) {
        if (!configured.includes(key)) expect(asset).toEqual(input.assets[key]);
      }
      expectValid(out, uri);
      expect(apply(out, { ...config, variant })).toEqual(out);
    }
  });

  it('maps values from item and asset fields with dot paths', () => {
    const input: StacItem = {
      ...earthSearch[0]!,
      properties: { ...earthSearch[0]!.properties, ipfs: { root: V1, pieces: [PIECE] } },
      assets: { ...earthSearch[0]!.assets, blue: { ...earthSearch[0]!.assets.blue!, ipfs_cid: V1_B } },
    };
    const out = apply(input, {
      cid_from: 'properties.ipfs.root',
      piece_cid_from: 'properties.ipfs.pieces',
      asset_cid_from: 'ipfs_cid',
    });
    expect(out.properties['dgeo:cids']).toEqual([V1, V1_B]);
    expect(out.properties['dgeo:piece_cids']).toEqual([PIECE]);
    expect(out.assets.blue!['dgeo:cid']).toBe(V1_B);
    expect(out.assets.blue!.ipfs_cid).toBe(V1_B);
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });
});

describe('href reading', () => {
  const base = hlsItem;
  const withHrefs = (hrefs: Record<string, string>): StacItem => ({
    ...base,
    assets: Object.fromEntries(Object.entries(hrefs).map(([k, href]) => [k, { href, roles: ['data'] }])),
  });

  it('adds the root CID of a path inside a DAG to dgeo:cids, but not as the asset CID', () => {
    const out = apply(withHrefs({ a: `ipfs://${V1}/HLS.B02.tif`, b: `https://${V1_B}.ipfs.dweb.link/` }));
    expect(out.properties['dgeo:cids']).toEqual([V1, V1_B]);
    expect(out.assets.a!['dgeo:cid']).toBeUndefined();
    expect(out.assets.b!['dgeo:cid']).toBe(V1_B);
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });

  it('skips CIDs the variant refuses, with a warning (main has no base58btc CIDv1)', () => {
    const logger = memoryLogger();
    const input = withHrefs({ a: `ipfs://${B58}`, b: `ipfs://${V1}` });
    const out = apply(input, { variant: 'main' }, logger);
    expect(out.properties['dgeo:cids']).toEqual([V1]);
    expect(out.assets.a!['dgeo:cid']).toBeUndefined();
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: `Item "${base.id}": CID "${B58}" at assets.a.href is not valid for dgeo main; skipped`,
      }),
    ]);
    expect(apply(input).assets.a!['dgeo:cid']).toBe(B58);
  });

  it('fails the item with on_invalid_cid: fail', () => {
    const result = applyExtensions(
      withHrefs({ a: `ipfs://${B58}` }),
      loaded({ variant: 'main', on_invalid_cid: 'fail' }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.error_type).toBe('other');
    expect(result.failure.error_context.step).toBe('extend');
    expect(result.failure.error_message).toMatch(
      /extension "dgeo" failed on Item .*CID "zdj7.*" at assets\.a\.href/,
    );
  });

  it('ignores hrefs with from_hrefs: false', () => {
    const input = withHrefs({ a: `ipfs://${V1}` });
    expect(apply(input, { from_hrefs: false })).toEqual(input);
  });
});

describe('objects without any CID', () => {
  it('are left unchanged with a warning by default', () => {
    const logger = memoryLogger();
    expect(apply(naip[0]!, {}, logger)).toBe(naip[0]);
    expect(logger.lines[0]!.message).toMatch(/no CID found .*left unchanged/);
  });

  it('fail with on_missing_cids: fail', () => {
    const result = applyExtensions(naip[0]!, loaded({ on_missing_cids: 'fail' }));
    expect(!result.ok && result.failure.error_message).toMatch(/no CID found/);
  });
});

describe('existing dgeo data', () => {
  it('main samples stay as they are under main and validate', () => {
    for (const input of [...dgeoMain, dgeoMainCollection]) {
      expect(apply(input, { variant: 'main' })).toEqual(input);
      expectValid(input, DGEO_MAIN_URI);
    }
  });

  it('main samples convert to pgstac-variant (URI and cid_profile keys)', () => {
    const out = apply(dgeoMain[0]!);
    expect(out.stac_extensions).toEqual([DGEO_PGSTAC_VARIANT_URI]);
    expect(out.assets.product_bundle!['dgeo:cid_profile']).toMatchObject({
      hamt_directory_fanout: 256,
      hamt_directory_threshold: 1000,
    });
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });

  it('pgstac-variant samples declaring the old dgeo-asset/main URI get the pgstac-variant URI', () => {
    for (const input of [...dgeoPgstac, dgeoPgstacCollection]) {
      expect(input.stac_extensions).toEqual([OLD_URI]);
      expect(schemaErrors(ajv, DGEO_PGSTAC_VARIANT_URI, input)).not.toEqual([]);
      expect(checkDgeoObject(input)).toEqual([
        expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/old dgeo URI/) }),
      ]);
      const out = apply(input);
      expect(out.stac_extensions).toEqual([DGEO_PGSTAC_VARIANT_URI]);
      const { stac_extensions: _a, ...rest } = out;
      const { stac_extensions: _b, ...restInput } = input;
      expect(rest).toEqual(restInput);
      expectValid(out, DGEO_PGSTAC_VARIANT_URI);
    }
  });
});

describe('Collections and Catalogs', () => {
  it('adds dgeo at the Collection top level and on Collection assets', () => {
    const input: StacCollection = {
      ...gap,
      assets: {
        ...(gap.assets ?? {}),
        bundle: { href: `https://gateway.pinata.cloud/ipfs/${V1_B}`, roles: ['data'] },
      },
    };
    const out = apply(input, { cids: [V1] });
    expect(out['dgeo:cids']).toEqual([V1, V1_B]);
    expect(out.assets?.bundle?.['dgeo:cid']).toBe(V1_B);
    expectValid(out, DGEO_PGSTAC_VARIANT_URI);
  });

  it('is never applied to a Catalog, and a Catalog declaring dgeo is reported', () => {
    const catalog: StacCatalog = {
      type: 'Catalog',
      stac_version: '1.0.0',
      id: 'root',
      description: 'd',
      links: [],
      stac_extensions: [DGEO_MAIN_URI],
    };
    expect(applyExtensions(catalog, loaded({ cids: [V1] }))).toEqual({ ok: true, value: catalog });
    expect(checkDgeoObject(catalog)).toEqual([
      {
        path: '/stac_extensions',
        message: 'dgeo applies to Items and Collections only; a Catalog must not declare it',
        kind: 'dgeo',
        severity: 'error',
      },
    ]);
  });
});

describe('checkObject cross-field rules', () => {
  it('reports asset CIDs missing from dgeo:cids and dgeo:piece_cids', () => {
    const broken: StacItem = structuredClone(migratedItem);
    broken.properties['dgeo:cids'] = (broken.properties['dgeo:cids'] as string[]).slice(1);
    broken.properties['dgeo:piece_cids'] = [];
    expect(checkDgeoObject(broken)).toEqual([
      {
        path: '/assets/B02/dgeo:cid',
        message: `asset "B02" has dgeo:cid "${V1}", which is missing from /properties/dgeo:cids`,
        kind: 'dgeo',
        severity: 'error',
      },
      {
        path: '/assets/B02/dgeo:piece_cid',
        message: `asset "B02" has dgeo:piece_cid "${PIECE}", which is missing from /properties/dgeo:piece_cids`,
        kind: 'dgeo',
        severity: 'error',
      },
    ]);
    // The schema itself does not see it: that is why checkObject exists.
    expect(schemaErrors(ajv, DGEO_MAIN_URI, broken)).toEqual([]);
    // Applying the extension repairs it.
    expect(checkDgeoObject(apply(broken, { variant: 'main' }))).toEqual([]);
  });

  it('warns about dgeo fields without the extension declared, and about both variants', () => {
    const { stac_extensions: _, ...undeclared } = migratedItem;
    expect(checkDgeoObject(undeclared).map((i) => i.severity)).toEqual(['warning']);
    const both = { ...migratedItem, stac_extensions: [DGEO_MAIN_URI, DGEO_PGSTAC_VARIANT_URI] };
    expect(checkDgeoObject(both).map((i) => i.message)).toEqual([
      expect.stringMatching(/both dgeo variants/),
    ]);
  });
});

describe('config', () => {
  const configError = (config: unknown) => {
    try {
      prepareExtension(dgeoExtension, config, { configPath: 'extensions[0].config' });
    } catch (error) {
      if (isScmError(error)) return `${error.code}: ${error.message}`;
      throw error;
    }
    return 'no error';
  };

  it('checks constant CIDs against the variant pattern', () => {
    expect(configError({ cids: [B58] })).toBe('no error');
    expect(configError({ variant: 'main', cids: [V1, B58] })).toBe(
      `SCM_EXTENSION_CONFIG: extension "dgeo": invalid config at extensions[0].config.cids[1]: "${B58}" is not a CID that the dgeo main schema accepts`,
    );
    expect(configError({ assets: { B02: { piece_cid: V1 } } })).toMatch(
      /config\.assets\.B02\.piece_cid: ".*" is not a Filecoin piece CID/,
    );
  });

  it('refuses unknown options, bad enums and unsafe paths', () => {
    expect(configError({ ownership: 'public' })).toMatch(/config\.ownership: is not a known option/);
    expect(configError({ variant: 'v2' })).toMatch(
      /config\.variant: must be one of "pgstac-variant", "main"/,
    );
    expect(configError({ cid_from: 'properties.__proto__.x' })).toMatch(/config\.cid_from: .* not allowed/);
  });

  it('warns when a configured cid_profile uses the other variant keys, and converts it', () => {
    const logger = memoryLogger();
    const [ext] = loaded({ cids: [V1], cid_profile: { chunking_algorithm: 'fixed-size' } }, logger);
    expect(logger.lines.map((l) => l.message)).toEqual([
      'extension "dgeo": config.cid_profile: cid_profile converted to pgstac-variant keys: chunking_algorithm → chunk_algorithm',
    ]);
    const out = applyExtensions(dgeoPgstac[0]!, [ext!]);
    expect(out.ok && out.value.assets.red!['dgeo:cid_profile']).toMatchObject({
      chunk_algorithm: 'fixed-size',
    });
  });

  it('refuses a cid_profile value of the wrong type', () => {
    expect(configError({ variant: 'main', cid_profile: { chunk_size: '256k' } })).toMatch(
      /config\.cid_profile: chunk_size must be an integer in main/,
    );
  });
});

describe('conformance', () => {
  const items = [
    alternateAssetsItem,
    migratedItem,
    hlsItem,
    ...earthSearch,
    ...naip,
    web3Item(),
    ...dgeoMain,
    ...dgeoPgstac,
  ];
  const collections = [gap, dgeoMainCollection, dgeoPgstacCollection];
  describeExtensionConformance(
    dgeoExtension,
    Object.entries({
      'pgstac-variant': { cids: [V1], cid_profile: { chunk_algorithm: 'fixed' } },
      main: { variant: 'main', cids: [V1], assets: { B02: { piece_cid: PIECE } } },
      'hrefs only': { variant: 'main' },
    }).map(([name, config]) => ({ name, items, collections, config })),
  );
});
