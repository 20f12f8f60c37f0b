import {
  type ExtensionContext,
  isForbiddenKey,
  isPlainObject,
  type StacCollection,
  type StacItem,
  withStacExtension,
} from '@scm/core';
import { addressFromHref, isValidCid, isValidPieceCid } from './cid.js';
import { type DgeoConfig, variantOf } from './config.js';
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

/**
 * Adds dgeo content addressing to an Item (`properties`) or a Collection (top level) and to its assets.
 * Pure and idempotent; see the README for where values come from and in which order.
 */
export function applyDgeo<T extends Target>(object: T, context: ExtensionContext<DgeoConfig>): T {
  const config = context.config ?? {};
  const variant = variantOf(config);
  const isItem = object.type === 'Feature';
  const label = `${isItem ? 'Item' : 'Collection'} "${String(object.id)}"`;
  const fields: Record<string, unknown> = isItem ? ((object as StacItem).properties ?? {}) : object;

  const invalid = (what: string, value: unknown, source: string) => {
    const message = `${label}: ${what} "${String(value)}" at ${source} is not valid for dgeo ${variant}`;
    if (config.on_invalid_cid === 'fail') throw new Error(message);
    context.logger.warn(`${message}; skipped`, { item_id: object.id, source });
  };

  const cids = new Set<string>(strings(fields['dgeo:cids']));
  const pieces = new Set<string>(strings(fields['dgeo:piece_cids']));
  for (const cid of config.cids ?? []) cids.add(cid);
  for (const piece of config.piece_cids ?? []) pieces.add(piece);
  if (config.cid_from) {
    for (const value of listOf(readPath(object, config.cid_from))) {
      if (isValidCid(value, variant)) cids.add(value);
      else invalid('CID', value, config.cid_from);
    }
  }
  if (config.piece_cid_from) {
    for (const value of listOf(readPath(object, config.piece_cid_from))) {
      if (isValidPieceCid(value)) pieces.add(value);
      else invalid('piece CID', value, config.piece_cid_from);
    }
  }

  let assets: Record<string, unknown> | undefined;
  if (isPlainObject(object.assets)) {
    assets = {};
    for (const [key, asset] of Object.entries(object.assets)) {
      if (!isPlainObject(asset)) {
        assets[key] = asset;
        continue;
      }
      const at = `assets.${key}`;
      const constants =
        config.assets && Object.hasOwn(config.assets, key) && !isForbiddenKey(key)
          ? config.assets[key]
          : undefined;

      let cid: string | undefined = constants?.cid;
      if (cid === undefined && config.asset_cid_from) {
        const mapped = readPath(asset, config.asset_cid_from);
        if (isValidCid(mapped, variant)) cid = mapped;
        else if (mapped !== undefined) invalid('CID', mapped, `${at}.${config.asset_cid_from}`);
      }
      const existing = asset['dgeo:cid'];
      if (cid === undefined && existing !== undefined) {
        if (isValidCid(existing, variant)) cid = existing;
        else invalid('CID', existing, `${at}.dgeo:cid`);
      }
      let piece: string | undefined = constants?.piece_cid;
      if (piece === undefined && config.asset_piece_cid_from) {
        const mapped = readPath(asset, config.asset_piece_cid_from);
        if (isValidPieceCid(mapped)) piece = mapped;
        else if (mapped !== undefined) invalid('piece CID', mapped, `${at}.${config.asset_piece_cid_from}`);
      }
      if (piece === undefined && isValidPieceCid(asset['dgeo:piece_cid'])) piece = asset['dgeo:piece_cid'];

      if (config.from_hrefs !== false) {
        for (const { href, where } of hrefsOf(asset)) {
          const address = addressFromHref(href);
          if (!address) continue;
          if (address.kind === 'filecoin') {
            if (!isValidPieceCid(address.cid)) invalid('piece CID', address.cid, `${at}.${where}`);
            else if (piece === undefined) piece = address.cid;
            continue;
          }
          if (!isValidCid(address.cid, variant)) {
            invalid('CID', address.cid, `${at}.${where}`);
            continue;
          }
          // An href into a DAG (`/ipfs/<root>/file.tif`) ties the object to the root CID, but the asset
          // itself is not that CID: the root goes to dgeo:cids only.
          if (address.subpath) cids.add(address.cid);
          else if (cid === undefined && existing === undefined) cid = address.cid;
        }
      }

      const next: Record<string, unknown> = { ...asset };
      if (cid !== undefined) {
        next['dgeo:cid'] = cid;
        cids.add(cid);
      }
      if (piece !== undefined) {
        pieces.add(piece);
        // pgstac-variant defines no asset-level piece CID: it goes to dgeo:piece_cids only.
        if (variant === 'main') next['dgeo:piece_cid'] = piece;
      }
      const hasCid = next['dgeo:cid'] !== undefined;
      const profile = mergeProfiles(
        variant,
        asset['dgeo:cid_profile'],
        hasCid ? config.cid_profile : undefined,
        hasCid ? constants?.cid_profile : undefined,
      );
      if (profile) {
        next['dgeo:cid_profile'] = profile.profile;
        for (const problem of profile.problems) {
          context.logger.warn(`${label}: ${at}.dgeo:cid_profile: ${problem}`, { item_id: object.id });
        }
      }
      assets[key] = next;
    }
  }

  if (cids.size === 0) {
    const message = `${label}: no CID found (config cids, cid_from, asset fields or IPFS hrefs); dgeo needs at least one`;
    if (config.on_missing_cids === 'fail') throw new Error(message);
    context.logger.warn(`${message}; left unchanged`, { item_id: object.id });
    return object;
  }

  const dgeoFields: Record<string, unknown> = { 'dgeo:cids': [...cids] };
  if (pieces.size > 0) dgeoFields['dgeo:piece_cids'] = [...pieces];
  const stacExtensions = withStacExtension(
    object.stac_extensions,
    DGEO_SCHEMA_URIS[variant],
    urisToReplace(config),
  );
  const out: Record<string, unknown> = isItem
    ? { ...object, stac_extensions: stacExtensions, properties: { ...fields, ...dgeoFields } }
    : { ...object, stac_extensions: stacExtensions, ...dgeoFields };
  if (assets) out.assets = assets;
  return out as T;
}
