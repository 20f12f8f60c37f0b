/**
 * @scm/extension-dgeo: the dgeo STAC extension (content addressing with IPFS and Filecoin CIDs).
 *
 * @packageDocumentation
 */

export { applyDgeo, readPath } from './apply.js';
export { checkDgeoObject } from './check.js';
export type { HrefAddress } from './cid.js';
export {
  addressFromHref,
  isValidCid,
  isValidPieceCid,
  MAIN_CID_PATTERN,
  PGSTAC_VARIANT_CID_PATTERN,
  PIECE_CID_PATTERN,
} from './cid.js';
export type { DgeoAssetConfig, DgeoConfig } from './config.js';
export { checkDgeoConfig, dgeoConfigSchema, variantOf } from './config.js';
export { dgeoExtension } from './extension.js';
export type { CidProfile, ProfileConversion } from './profile.js';
export { mergeProfiles, toVariantProfile } from './profile.js';
export { DGEO_SCHEMAS } from './schemas.js';
export type { DgeoVariant } from './uris.js';
export {
  DGEO_MAIN_URI,
  DGEO_PGSTAC_VARIANT_URI,
  DGEO_SCHEMA_URIS,
  DGEO_URI_ALIASES,
  declaredDgeo,
  replacedUris,
} from './uris.js';
