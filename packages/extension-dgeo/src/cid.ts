import type { DgeoVariant } from './uris.js';

/** CID pattern of the `pgstac-variant` schema: CIDv0, CIDv1 base32 (lower or upper case), CIDv1 base58btc. */
export const PGSTAC_VARIANT_CID_PATTERN =
  '^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,}|B[A-Z2-7]{58,}|z[1-9A-HJ-NP-Za-km-z]{48,})$';

/** CID pattern of the `main` schema: narrower, CIDv0 or CIDv1 base32 lower case only. */
export const MAIN_CID_PATTERN = '^(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,})$';

/** Filecoin piece CID (commP) pattern, the same in both variants. */
export const PIECE_CID_PATTERN = '^baga6ea[a-z2-7]{52,}$';

const cidRegex: Record<DgeoVariant, RegExp> = {
  'pgstac-variant': new RegExp(PGSTAC_VARIANT_CID_PATTERN),
  main: new RegExp(MAIN_CID_PATTERN),
};
const pieceRegex = new RegExp(PIECE_CID_PATTERN);

/** True when `value` is a CID that the `variant` schema accepts in `dgeo:cids` / `dgeo:cid`. */
export function isValidCid(value: unknown, variant: DgeoVariant): value is string {
  return typeof value === 'string' && cidRegex[variant].test(value);
}

/** True when `value` is a Filecoin piece CID accepted in `dgeo:piece_cids` / `dgeo:piece_cid`. */
export function isValidPieceCid(value: unknown): value is string {
  return typeof value === 'string' && pieceRegex.test(value);
}

/** A content address read from an href. */
export interface HrefAddress {
  /** `ipfs` for an IPFS CID, `filecoin` for a piece CID. */
  kind: 'ipfs' | 'filecoin';
  /** The CID as written in the href (not checked against a pattern yet). */
  cid: string;
  /** True when the href points at a path inside the CID's DAG (`/ipfs/<cid>/file.tif`), not at the CID itself. */
  subpath: boolean;
}

const hasSubpath = (rest: string | undefined) => rest !== undefined && rest !== '' && rest !== '/';

/**
 * What an http(s) href must hold for its parsed URL to name an IPFS gateway path or subdomain: `ipfs` in any
 * case, or something the URL parser turns into it (a percent escape, which hosts decode; a tab or line
 * break, which it drops; a character outside ASCII, which host names map). Most hrefs hold none of these and
 * are not parsed at all (`new URL` is most of this function's cost on an HLS item's 40 assets).
 */
const MAY_NAME_IPFS = /ipfs|[%\t\n\r]|[\u0080-\uffff]/i;

/**
 * Reads a content address from an href: `ipfs://<cid>[/path]`, a path gateway
 * `http(s)://<host>/ipfs/<cid>[/path]`, a subdomain gateway `http(s)://<cid>.ipfs.<host>/[path]`, or
 * `filecoin://<piece cid>`. IPNS names are mutable and never returned. Returns `undefined` otherwise.
 */
export function addressFromHref(href: unknown): HrefAddress | undefined {
  if (typeof href !== 'string' || href.length > 8192) return undefined;
  const native = /^(ipfs|filecoin):\/\/([^/?#]+)([^?#]*)/i.exec(href);
  if (native) {
    const kind = native[1]!.toLowerCase() as 'ipfs' | 'filecoin';
    return { kind, cid: native[2]!, subpath: hasSubpath(native[3]) };
  }
  if (!/^https?:\/\//i.test(href) || !MAY_NAME_IPFS.test(href)) return undefined;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  const gateway = /^\/ipfs\/([^/]+)(\/.*)?$/.exec(url.pathname);
  if (gateway) return { kind: 'ipfs', cid: decodeURIComponent(gateway[1]!), subpath: hasSubpath(gateway[2]) };
  const subdomain = /^([a-z0-9]+)\.ipfs\.[^.]/.exec(url.hostname);
  if (subdomain) return { kind: 'ipfs', cid: subdomain[1]!, subpath: hasSubpath(url.pathname) };
  return undefined;
}
