import {
  type ExtensionContext,
  isForbiddenKey,
  isPlainObject,
  plainCopy,
  setOwnMember,
  type StacCollection,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { addressFromHref, isValidCid, isValidPieceCid } from './cid.js';
import { type DgeoAssetConfig, type DgeoConfig, variantOf } from './config.js';
import { mergeProfiles } from './profile.js';
import { DGEO_SCHEMA_URIS, replacedUris } from './uris.js';

/** Reads a dot path (`properties.ipfs_cid`) from plain objects, never through prototype keys. */
export function readPath(object: unknown, path: string): unknown {
  let current = object;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current) || isForbiddenKey(segment) || !Object.hasOwn(current, segment))
      return undefined;
    current = current[segment];
  }
  return current;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Every href of an asset: its own, then those of its `alternate` entries, in order. */
function hrefsOf(asset: Record<string, unknown>): { href: unknown; where: string }[] {
  const out: { href: unknown; where: string }[] = [{ href: asset.href, where: 'href' }];
  if (isPlainObject(asset.alternate)) {
    for (const [key, alternate] of Object.entries(asset.alternate)) {
      if (isPlainObject(alternate)) out.push({ href: alternate.href, where: `alternate.${key}.href` });
    }
  }
  return out;
}

type Target = StacItem | StacCollection;

// URIs to replace, computed once per config object (a memo: configs are frozen by the loader).
const replacedByConfig = new WeakMap<object, string[]>();

function urisToReplace(config: DgeoConfig): string[] {
  let uris = replacedByConfig.get(config);
  if (!uris) {
    uris = replacedUris(variantOf(config), config.aliases);
    replacedByConfig.set(config, uris);
  }
  return uris;
}

/** What one call of {@link applyDgeo} gathers while it walks the object and its assets. */
interface DgeoRun {
  config: DgeoConfig;
  variant: ReturnType<typeof variantOf>;
  label: string;
  context: ExtensionContext<DgeoConfig>;
  objectId: unknown;
  cids: Set<string>;
  pieces: Set<string>;
}

/** Reports a malformed CID: thrown with `on_invalid_cid: fail`, otherwise logged and skipped. */
function reportInvalid(run: DgeoRun, what: string, value: unknown, source: string): void {
  const message = `${run.label}: ${what} "${String(value)}" at ${source} is not valid for dgeo ${run.variant}`;
  if (run.config.on_invalid_cid === 'fail') throw new Error(message);
  run.context.logger.warn(`${message}; skipped`, { item_id: run.objectId, source });
}

/** Object-level CIDs: the existing fields, the config constants, then the mapped paths. */
function collectObjectCids(run: DgeoRun, object: Target, fields: Record<string, unknown>): void {
  const { config, variant, cids, pieces } = run;
  for (const cid of strings(fields['dgeo:cids'])) cids.add(cid);
  for (const piece of strings(fields['dgeo:piece_cids'])) pieces.add(piece);
  for (const cid of config.cids ?? []) cids.add(cid);
  for (const piece of config.piece_cids ?? []) pieces.add(piece);
  if (config.cid_from) {
    for (const value of listOf(readPath(object, config.cid_from))) {
      if (isValidCid(value, variant)) cids.add(value);
      else reportInvalid(run, 'CID', value, config.cid_from);
    }
  }
  if (config.piece_cid_from) {
    for (const value of listOf(readPath(object, config.piece_cid_from))) {
      if (isValidPieceCid(value)) pieces.add(value);
      else reportInvalid(run, 'piece CID', value, config.piece_cid_from);
    }
  }
}

/** The addresses one asset ends up with, and what it carried before. */
interface AssetAddress {
  cid: string | undefined;
  piece: string | undefined;
  existing: unknown;
  constants: DgeoAssetConfig | undefined;
}

/** An asset's CIDs from the config constants, the mapped fields and its own `dgeo:` fields, in that order. */
function assetAddressFromFields(run: DgeoRun, key: string, asset: Record<string, unknown>): AssetAddress {
  const { config, variant } = run;
  const at = `assets.${key}`;
  const constants =
    config.assets && Object.hasOwn(config.assets, key) && !isForbiddenKey(key)
      ? config.assets[key]
      : undefined;
  let cid: string | undefined = constants?.cid;
  if (cid === undefined && config.asset_cid_from) {
    const mapped = readPath(asset, config.asset_cid_from);
    if (isValidCid(mapped, variant)) cid = mapped;
    else if (mapped !== undefined) reportInvalid(run, 'CID', mapped, `${at}.${config.asset_cid_from}`);
  }
  const existing = asset['dgeo:cid'];
  if (cid === undefined && existing !== undefined) {
    if (isValidCid(existing, variant)) cid = existing;
    else reportInvalid(run, 'CID', existing, `${at}.dgeo:cid`);
  }
  let piece: string | undefined = constants?.piece_cid;
  if (piece === undefined && config.asset_piece_cid_from) {
    const mapped = readPath(asset, config.asset_piece_cid_from);
    if (isValidPieceCid(mapped)) piece = mapped;
    else if (mapped !== undefined)
      reportInvalid(run, 'piece CID', mapped, `${at}.${config.asset_piece_cid_from}`);
  }
  if (piece === undefined && isValidPieceCid(asset['dgeo:piece_cid'])) piece = asset['dgeo:piece_cid'];
  return { cid, piece, existing, constants };
}

/** Completes `address` from the asset's IPFS / Filecoin hrefs (its own, then its alternates'). */
function addAddressFromHrefs(
  run: DgeoRun,
  key: string,
  asset: Record<string, unknown>,
  address: AssetAddress,
): void {
  for (const { href, where } of hrefsOf(asset)) {
    const found = addressFromHref(href);
    if (!found) continue;
    const source = `assets.${key}.${where}`;
    if (found.kind === 'filecoin') {
      if (!isValidPieceCid(found.cid)) reportInvalid(run, 'piece CID', found.cid, source);
      else address.piece ??= found.cid;
      continue;
    }
    if (!isValidCid(found.cid, run.variant)) {
      reportInvalid(run, 'CID', found.cid, source);
      continue;
    }
    // An href into a DAG (`/ipfs/<root>/file.tif`) ties the object to the root CID, but the asset
    // itself is not that CID: the root goes to dgeo:cids only.
    if (found.subpath) run.cids.add(found.cid);
    else if (address.cid === undefined && address.existing === undefined) address.cid = found.cid;
  }
}

/**
 * The asset with its dgeo fields set; its CIDs are added to the object's lists. An asset with nothing to set
 * is returned as it is, not copied (most assets of a catalog without IPFS hrefs).
 */
function applyToAsset(run: DgeoRun, key: string, asset: Record<string, unknown>): Record<string, unknown> {
  const { config, variant } = run;
  const address = assetAddressFromFields(run, key, asset);
  if (config.from_hrefs !== false) addAddressFromHrefs(run, key, asset, address);
  if (address.cid !== undefined) run.cids.add(address.cid);
  if (address.piece !== undefined) run.pieces.add(address.piece);
  // pgstac-variant defines no asset-level piece CID: it goes to dgeo:piece_cids only.
  const piece = variant === 'main' ? address.piece : undefined;
  const hasCid = address.cid !== undefined || asset['dgeo:cid'] !== undefined;
  const profile = mergeProfiles(
    variant,
    asset['dgeo:cid_profile'],
    hasCid ? config.cid_profile : undefined,
    hasCid ? address.constants?.cid_profile : undefined,
  );
  if (address.cid === undefined && piece === undefined && !profile) return asset;
  const next = plainCopy(asset);
  if (address.cid !== undefined) next['dgeo:cid'] = address.cid;
  if (piece !== undefined) next['dgeo:piece_cid'] = piece;
  if (profile) {
    next['dgeo:cid_profile'] = profile.profile;
    for (const problem of profile.problems) {
      run.context.logger.warn(`${run.label}: assets.${key}.dgeo:cid_profile: ${problem}`, {
        item_id: run.objectId,
      });
    }
  }
  return next;
}

function applyToAssets(run: DgeoRun, assets: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(assets)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(assets)) {
    const asset = assets[key];
    setOwnMember(out, key, isPlainObject(asset) ? applyToAsset(run, key, asset) : asset);
  }
  return out;
}

/**
 * Adds dgeo content addressing to an Item (`properties`) or a Collection (top level) and to its assets.
 * Pure and idempotent; see the README for where values come from and in which order.
 */
export function applyDgeo<T extends Target>(object: T, context: ExtensionContext<DgeoConfig>): T {
  const config = context.config ?? {};
  const isItem = object.type === 'Feature';
  const run: DgeoRun = {
    config,
    variant: variantOf(config),
    label: `${isItem ? 'Item' : 'Collection'} "${String(object.id)}"`,
    context,
    objectId: object.id,
    cids: new Set(),
    pieces: new Set(),
  };
  const fields: Record<string, unknown> = isItem ? ((object as StacItem).properties ?? {}) : object;
  collectObjectCids(run, object, fields);
  const assets = applyToAssets(run, object.assets);

  if (run.cids.size === 0) {
    const message = `${run.label}: no CID found (config cids, cid_from, asset fields or IPFS hrefs); dgeo needs at least one`;
    if (config.on_missing_cids === 'fail') throw new Error(message);
    context.logger.warn(`${message}; left unchanged`, { item_id: object.id });
    return object;
  }

  const dgeoFields: Record<string, unknown> = { 'dgeo:cids': [...run.cids] };
  if (run.pieces.size > 0) dgeoFields['dgeo:piece_cids'] = [...run.pieces];
  const stacExtensions = withStacExtension(
    object.stac_extensions,
    DGEO_SCHEMA_URIS[run.variant],
    urisToReplace(config),
  );
  const out: Record<string, unknown> = isItem
    ? { ...object, stac_extensions: stacExtensions, properties: { ...fields, ...dgeoFields } }
    : { ...object, stac_extensions: stacExtensions, ...dgeoFields };
  if (assets) out.assets = assets;
  return out as T;
}
