import { isForbiddenKey, type JsonObject, type ValidationIssue } from '@scm/core';
import { escapePointerSegment } from '@scm/core/json-pointer';
import { isValidCid, isValidPieceCid } from './cid.js';
import { type CidProfile, toVariantProfile } from './profile.js';
import type { DgeoVariant } from './uris.js';

/** Per-asset constants of {@link DgeoConfig.assets}. */
export type DgeoAssetConfig = {
  /** `dgeo:cid` of this asset (wins over every other source). */
  cid?: string;
  /** `dgeo:piece_cid` of this asset (written on the asset for `main`; added to `dgeo:piece_cids` in both). */
  piece_cid?: string;
  /** `dgeo:cid_profile` keys for this asset, merged over the default `cid_profile`. */
  cid_profile?: CidProfile;
};

/** Config of the dgeo extension (`extensions: [{ name: dgeo, config: … }]`). */
export type DgeoConfig = {
  /** Schema variant to write and declare. Default `pgstac-variant`. */
  variant?: DgeoVariant;
  /** CIDs added to every object's `dgeo:cids`. Default none. */
  cids?: string[];
  /** Piece CIDs added to every object's `dgeo:piece_cids`. Default none. */
  piece_cids?: string[];
  /** Default `dgeo:cid_profile` for every asset that gets a `dgeo:cid`. Default none. */
  cid_profile?: CidProfile;
  /** Constants per asset key. Default none. */
  assets?: Record<string, DgeoAssetConfig>;
  /** Dot path, in the Item (or Collection), of a CID or list of CIDs to add to `dgeo:cids`, e.g. `properties.ipfs_cid`. */
  cid_from?: string;
  /** Dot path, in the Item (or Collection), of a piece CID or list of piece CIDs to add to `dgeo:piece_cids`. */
  piece_cid_from?: string;
  /** Dot path, inside each asset, of the asset's CID, e.g. `ipfs_cid`. */
  asset_cid_from?: string;
  /** Dot path, inside each asset, of the asset's piece CID. */
  asset_piece_cid_from?: string;
  /** Read CIDs from IPFS / Filecoin hrefs of assets and of their `alternate` entries. Default `true`. */
  from_hrefs?: boolean;
  /** What to do with an invalid CID found in the data: `skip` it with a warning, or `fail` the object. Default `skip`. */
  on_invalid_cid?: 'skip' | 'fail';
  /** What to do when an object ends up with no CID at all: leave it unchanged (`skip`, warning) or `fail`. Default `skip`. */
  on_missing_cids?: 'skip' | 'fail';
  /** More old URIs to replace in `stac_extensions`, on top of the built-in alias table. Default none. */
  aliases?: string[];
};

const dotPath = { type: 'string', minLength: 1, pattern: '^[^.]+(\\.[^.]+)*$' };
const profileSchema = { type: 'object' };

/** JSON Schema of {@link DgeoConfig}. */
export const dgeoConfigSchema: JsonObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    variant: { enum: ['pgstac-variant', 'main'], default: 'pgstac-variant' },
    cids: { type: 'array', items: { type: 'string' } },
    piece_cids: { type: 'array', items: { type: 'string' } },
    cid_profile: profileSchema,
    assets: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { cid: { type: 'string' }, piece_cid: { type: 'string' }, cid_profile: profileSchema },
      },
    },
    cid_from: dotPath,
    piece_cid_from: dotPath,
    asset_cid_from: dotPath,
    asset_piece_cid_from: dotPath,
    from_hrefs: { type: 'boolean', default: true },
    on_invalid_cid: { enum: ['skip', 'fail'], default: 'skip' },
    on_missing_cids: { enum: ['skip', 'fail'], default: 'skip' },
    aliases: { type: 'array', items: { type: 'string', pattern: '^https?://' } },
  },
};

/** The variant a config selects. */
export function variantOf(config: DgeoConfig | undefined): DgeoVariant {
  return config?.variant === 'main' ? 'main' : 'pgstac-variant';
}

const pointerSegment = escapePointerSegment;

/**
 * Checks the JSON Schema cannot express: constant CIDs match the variant's pattern (main is narrower),
 * piece CIDs match the commP pattern, dot paths hold no prototype keys, and cid_profile values have the
 * variant's types once converted (conversions are reported as warnings).
 */
export function checkDgeoConfig(config: DgeoConfig): ValidationIssue[] {
  const variant = variantOf(config);
  const issues: ValidationIssue[] = [];
  const error = (path: string, message: string) =>
    issues.push({ path, message, kind: 'config', severity: 'error' });
  const warning = (path: string, message: string) =>
    issues.push({ path, message, kind: 'config', severity: 'warning' });
  const cid = (path: string, value: unknown) => {
    if (!isValidCid(value, variant)) {
      error(path, `"${String(value)}" is not a CID that the dgeo ${variant} schema accepts`);
    }
  };
  const piece = (path: string, value: unknown) => {
    if (!isValidPieceCid(value)) error(path, `"${String(value)}" is not a Filecoin piece CID (baga6ea…)`);
  };
  const profile = (path: string, value: CidProfile | undefined) => {
    if (!value) return;
    const converted = toVariantProfile(value, variant);
    for (const problem of converted.problems) error(path, problem);
    if (converted.changes.length > 0) {
      warning(path, `cid_profile converted to ${variant} keys: ${converted.changes.join(', ')}`);
    }
  };
  config.cids?.forEach((v, i) => {
    cid(`/cids/${i}`, v);
  });
  config.piece_cids?.forEach((v, i) => {
    piece(`/piece_cids/${i}`, v);
  });
  profile('/cid_profile', config.cid_profile);
  for (const [key, asset] of Object.entries(config.assets ?? {})) {
    const at = `/assets/${pointerSegment(key)}`;
    if (isForbiddenKey(key)) error(at, `"${key}" is not allowed as an asset key`);
    if (asset.cid !== undefined) cid(`${at}/cid`, asset.cid);
    if (asset.piece_cid !== undefined) {
      piece(`${at}/piece_cid`, asset.piece_cid);
      if (variant === 'pgstac-variant') {
        warning(
          `${at}/piece_cid`,
          'pgstac-variant has no asset-level dgeo:piece_cid; the piece CID goes to dgeo:piece_cids only',
        );
      }
    }
    profile(`${at}/cid_profile`, asset.cid_profile);
  }
  for (const key of ['cid_from', 'piece_cid_from', 'asset_cid_from', 'asset_piece_cid_from'] as const) {
    const value = config[key];
    if (value?.split('.').some(isForbiddenKey))
      error(`/${key}`, `"${value}" holds a key that is not allowed`);
  }
  return issues;
}
