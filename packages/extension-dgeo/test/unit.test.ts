import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  addressFromHref,
  DGEO_MAIN_URI,
  DGEO_PGSTAC_VARIANT_URI,
  DGEO_SCHEMAS,
  declaredDgeo,
  dgeoExtension,
  isValidCid,
  isValidPieceCid,
  MAIN_CID_PATTERN,
  PGSTAC_VARIANT_CID_PATTERN,
  PIECE_CID_PATTERN,
  readPath,
  replacedUris,
  toVariantProfile,
} from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const V1 = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const V0 = 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG';
const B58 = 'zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7';
const UPPER = V1.toUpperCase();
const PIECE = 'baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq';

type Schema = {
  $id: string;
  definitions: {
    dgeo_fields: { properties: Record<string, { items: { pattern: string } }> };
    dgeo_asset_fields: { properties: Record<string, { pattern?: string }> };
  };
};

describe('bundled schemas', () => {
  it('are the files named in schemas/vendor/SOURCES.md, byte for byte', () => {
    const sources = readFileSync(path.join(here, '../schemas/vendor/SOURCES.md'), 'utf8');
    for (const file of ['dgeo-pgstac-variant.schema.json', 'dgeo-main.schema.json']) {
      const sha = createHash('sha256')
        .update(readFileSync(path.join(here, '../schemas/vendor', file)))
        .digest('hex');
      expect(sources).toContain(`\`${file}\``);
      expect(sources).toContain(sha);
    }
  });

  it('are keyed by their $id, which is the URI each variant declares', () => {
    expect(Object.keys(DGEO_SCHEMAS)).toEqual([DGEO_PGSTAC_VARIANT_URI, DGEO_MAIN_URI]);
    for (const [uri, schema] of Object.entries(DGEO_SCHEMAS)) expect((schema as Schema).$id).toBe(uri);
    expect(dgeoExtension.schemaUris).toEqual([DGEO_PGSTAC_VARIANT_URI, DGEO_MAIN_URI]);
    expect(dgeoExtension.schemaUri?.({})).toBe(DGEO_PGSTAC_VARIANT_URI);
    expect(dgeoExtension.schemaUri?.({ variant: 'main' })).toBe(DGEO_MAIN_URI);
  });

  it('hold the CID patterns the code uses', () => {
    const pg = DGEO_SCHEMAS[DGEO_PGSTAC_VARIANT_URI] as Schema;
    const main = DGEO_SCHEMAS[DGEO_MAIN_URI] as Schema;
    expect(pg.definitions.dgeo_fields.properties['dgeo:cids']!.items.pattern).toBe(
      PGSTAC_VARIANT_CID_PATTERN,
    );
    expect(pg.definitions.dgeo_asset_fields.properties['dgeo:cid']!.pattern).toBe(PGSTAC_VARIANT_CID_PATTERN);
    expect(main.definitions.dgeo_fields.properties['dgeo:cids']!.items.pattern).toBe(MAIN_CID_PATTERN);
    expect(main.definitions.dgeo_asset_fields.properties['dgeo:cid']!.pattern).toBe(MAIN_CID_PATTERN);
    expect(main.definitions.dgeo_asset_fields.properties['dgeo:piece_cid']!.pattern).toBe(PIECE_CID_PATTERN);
    expect(pg.definitions.dgeo_fields.properties['dgeo:piece_cids']!.items.pattern).toBe(PIECE_CID_PATTERN);
    expect(pg.definitions.dgeo_asset_fields.properties['dgeo:piece_cid']).toBeUndefined();
  });
});

describe('CIDs', () => {
  it.each([
    [V0, true, true],
    [V1, true, true],
    [UPPER, true, false],
    [B58, true, false],
    ['QmTooShort', false, false],
    [`ipns-${V1}`, false, false],
  ])('%s: pgstac-variant %s, main %s', (cid, pg, main) => {
    expect(isValidCid(cid, 'pgstac-variant')).toBe(pg);
    expect(isValidCid(cid, 'main')).toBe(main);
  });

  it('knows piece CIDs', () => {
    expect(isValidPieceCid(PIECE)).toBe(true);
    expect(isValidPieceCid(V1)).toBe(false);
  });

  it.each([
    [`ipfs://${V1}`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`ipfs://${V0}/`, { kind: 'ipfs', cid: V0, subpath: false }],
    [`ipfs://${V1}/B04.tif`, { kind: 'ipfs', cid: V1, subpath: true }],
    [`https://gateway.easierdata.info/ipfs/${V1}`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`https://ipfs.io/ipfs/${V1}?filename=red.tif`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`https://dweb.link/ipfs/${V1}/dir/red.tif`, { kind: 'ipfs', cid: V1, subpath: true }],
    [`https://${V1}.ipfs.dweb.link/`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`https://${V1}.ipfs.w3s.link/red.tif`, { kind: 'ipfs', cid: V1, subpath: true }],
    [`filecoin://${PIECE}`, { kind: 'filecoin', cid: PIECE, subpath: false }],
    [`https://ipfs.io/ipns/docs.ipfs.tech`, undefined],
    [`ipns://k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8`, undefined],
    ['s3://bucket/ipfs/x.tif', undefined],
    ['https://data.lpdaac.earthdatacloud.nasa.gov/lp-prod-protected/B02.tif', undefined],
    ['./relative/ipfs.tif', undefined],
    // What the URL parser makes of these names a gateway, though `ipfs` is not written as such.
    [`https://${V1}.%69pfs.dweb.link/`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`https://dweb.link/ip\tfs/${V1}`, { kind: 'ipfs', cid: V1, subpath: false }],
    [`https://${V1}.\uff49pfs.dweb.link/red.tif`, { kind: 'ipfs', cid: V1, subpath: true }],
    [`HTTPS://dweb.link/a/../ipfs/${V1}`, { kind: 'ipfs', cid: V1, subpath: false }],
  ])('reads %s', (href, expected) => {
    expect(addressFromHref(href)).toEqual(expected);
  });
});

describe('URIs', () => {
  it('replaces aliases and the other variant', () => {
    expect(replacedUris('pgstac-variant')).toContain(DGEO_MAIN_URI);
    expect(replacedUris('pgstac-variant')).toContain(
      'https://raw.githubusercontent.com/DecentralizedGeo/dgeo-asset/main/json-schema/schema.json',
    );
    expect(replacedUris('pgstac-variant')).not.toContain(DGEO_PGSTAC_VARIANT_URI);
    expect(replacedUris('main', ['https://example.com/dgeo.json'])).toContain(
      'https://example.com/dgeo.json',
    );
  });

  it('recognises declared variants and aliases', () => {
    expect(
      declaredDgeo([
        DGEO_MAIN_URI,
        'https://github.com/DecentralizedGeo/dgeo-asset/blob/main/json-schema/schema.json',
        'https://stac-extensions.github.io/eo/v1.0.0/schema.json',
      ]),
    ).toEqual({
      variants: ['main'],
      aliases: ['https://github.com/DecentralizedGeo/dgeo-asset/blob/main/json-schema/schema.json'],
    });
  });
});

describe('cid_profile conversion', () => {
  it('converts pgstac-variant keys to main', () => {
    const { profile, changes, problems } = toVariantProfile(
      {
        cid_version: 1,
        chunk_algorithm: 'fixed',
        hamt_directory_fanout: 256,
        hamt_directory_threshold: 3,
        leaf_envelope: 'raw',
        directory_wrapping: true,
      },
      'main',
    );
    expect(profile).toEqual({
      cid_version: 1,
      chunking_algorithm: 'fixed',
      hamt_directory_fanout: '256 blocks',
      hamt_directory_threshold: '3',
      leaves: 'raw',
      directory_wrapping: true,
    });
    expect(changes).toHaveLength(4);
    expect(problems).toEqual([]);
  });

  it('converts main keys to pgstac-variant', () => {
    expect(
      toVariantProfile(
        {
          chunking_algorithm: 'fixed-size',
          hamt_directory_fanout: '256 blocks',
          hamt_directory_threshold: '1000 links-count',
        },
        'pgstac-variant',
      ).profile,
    ).toEqual({ chunk_algorithm: 'fixed-size', hamt_directory_fanout: 256, hamt_directory_threshold: 1000 });
  });

  it('keeps the target spelling when both are present, and reports what it cannot convert', () => {
    const result = toVariantProfile(
      { chunk_algorithm: 'a', chunking_algorithm: 'b', hamt_directory_fanout: 'wide', cid_version: 2 },
      'pgstac-variant',
    );
    expect(result.profile.chunk_algorithm).toBe('a');
    expect(result.profile.chunking_algorithm).toBeUndefined();
    expect(result.problems).toEqual([
      'hamt_directory_fanout "wide" has no number to keep for pgstac-variant',
      'hamt_directory_fanout must be an integer in pgstac-variant',
      'cid_version must be 0 or 1',
    ]);
  });

  it('is stable: converting twice gives the same profile', () => {
    const once = toVariantProfile({ chunk_algorithm: 'fixed', hamt_directory_fanout: 256 }, 'main').profile;
    expect(toVariantProfile(once, 'main').profile).toEqual(once);
  });
});

describe('readPath', () => {
  it('follows own keys only', () => {
    const item = { properties: { ipfs: { cid: V1 } } };
    expect(readPath(item, 'properties.ipfs.cid')).toBe(V1);
    expect(readPath(item, 'properties.missing.cid')).toBeUndefined();
    expect(readPath(item, 'properties.constructor')).toBeUndefined();
    expect(readPath(item, '__proto__.polluted')).toBeUndefined();
  });
});
