/**
 * IRI checks for the `iri` / `iri-reference` formats (ajv-formats has neither) and the plainer
 * "is this a usable href" check behind the `asset_href` issue kind.
 */

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// Characters RFC 3987 never allows unescaped: whitespace, controls and a few delimiters.
const FORBIDDEN = /[\s<>"{}|\\^`\p{Cc}]/u;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;
// Fast paths for the common cases: a plain URL with a host, or a relative path of unreserved characters.
const PLAIN_URL =
  /^(?:https?|s3|gs|ftp):\/\/[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?$/;
const PLAIN_RELATIVE = /^[A-Za-z0-9\-._~!$&'()*+,;=@/][A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/** Schemes whose URLs always carry `//` and an authority (host, bucket, CID…). */
const HIERARCHICAL = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'sftp',
  's3',
  's3a',
  'gs',
  'gcs',
  'az',
  'abfs',
  'abfss',
  'wasb',
  'wasbs',
  'oss',
  'ipfs',
  'ipns',
  'ar',
  'filecoin',
]);

/** `iri` format: an absolute IRI (a scheme and something after it; no spaces or control characters). */
export function isIri(value: string): boolean {
  if (PLAIN_URL.test(value)) return true;
  const scheme = SCHEME.exec(value);
  if (!scheme || FORBIDDEN.test(value) || BAD_PERCENT.test(value)) return false;
  const rest = value.slice(scheme[0].length);
  if (rest.length === 0) return false;
  if (rest.startsWith('//')) {
    const authority = /^\/\/([^/?#]*)/.exec(rest)?.[1] ?? '';
    return authority.length > 0 || scheme[1]!.toLowerCase() === 'file';
  }
  return true;
}

/** `iri-reference` format: an absolute IRI or a relative reference without forbidden characters. */
export function isIriReference(value: string): boolean {
  if (PLAIN_URL.test(value)) return true;
  if (PLAIN_RELATIVE.test(value) && !SCHEME.test(value)) return true;
  if (SCHEME.test(value)) return isIri(value);
  return !FORBIDDEN.test(value) && !BAD_PERCENT.test(value);
}

/**
 * Why `href` is neither an absolute URL nor a relative path, or `undefined` when it is usable.
 * The answer completes a sentence that starts with the field name ("… is empty").
 */
export function hrefProblem(href: unknown): string | undefined {
  if (typeof href === 'string' && PLAIN_URL.test(href)) return undefined;
  if (typeof href !== 'string')
    return `must be a string (an absolute URL or a relative path), got ${typeName(href)}`;
  if (href.trim().length === 0) return 'is empty; expected an absolute URL or a relative path';
  if (href !== href.trim()) return 'has leading or trailing whitespace';
  if (/\p{Cc}/u.test(href)) return 'contains control characters';
  if (WINDOWS_DRIVE.test(href))
    return `looks like a Windows file path ("${clip(href)}"); use a URL or a relative path`;
  if (href.includes('\\'))
    return `contains a backslash ("${clip(href)}"); paths in hrefs use forward slashes`;
  if (/\s/.test(href)) return `contains whitespace ("${clip(href)}"); encode spaces as %20`;
  if (BAD_PERCENT.test(href)) return `has a "%" that is not followed by two hex digits ("${clip(href)}")`;
  const scheme = SCHEME.exec(href);
  if (!scheme) return undefined; // a relative path (or a network-path reference "//host/path")
  const name = scheme[1]!.toLowerCase();
  const rest = href.slice(scheme[0].length);
  if (rest.length === 0) return `has the scheme "${name}:" but nothing after it`;
  if (HIERARCHICAL.has(name)) {
    if (!rest.startsWith('//'))
      return `is not a valid ${name} URL ("${clip(href)}"); expected ${name}://host/path`;
    const authority = /^\/\/([^/?#]*)/.exec(rest)?.[1] ?? '';
    if (authority.length === 0) return `is a ${name} URL without a host ("${clip(href)}")`;
  }
  return undefined;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
