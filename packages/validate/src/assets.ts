import { isPlainObject, type ValidationIssue } from '@scm/core';
import { hrefProblem } from './href.js';
import { fieldLabel, pointer } from './pointer.js';

/** Reports a bad `href` at `/assets/<segments>`; the pointer is built only then (most hrefs are fine). */
function hrefIssue(href: unknown, issues: ValidationIssue[], ...segments: string[]): void {
  const problem = hrefProblem(href);
  if (!problem) return;
  const path = pointer('/assets', ...segments);
  issues.push({ path, message: `${fieldLabel(path)} ${problem}`, kind: 'asset_href', severity: 'error' });
}

/**
 * `asset_href`: every asset `href` must be an absolute URL or a relative path. So must a non-empty string `href`
 * one map deeper in the asset (`assets.B02.<member>.<name>.href`, as alternate locations are written): whether
 * such an href must exist at all is the rule of the extension that defines the member, through its
 * `checkObject`, so only a present, malformed one is reported here.
 */
export function checkAssetHrefs(object: Record<string, unknown>, issues: ValidationIssue[]): void {
  const assets = object.assets;
  if (!isPlainObject(assets)) return;
  // Keys and indexing rather than Object.entries: this runs on every member of every asset of every item,
  // and entries() would build a pair for each.
  for (const key of Object.keys(assets)) {
    const asset = assets[key];
    if (!isPlainObject(asset)) continue;
    if ('href' in asset) hrefIssue(asset.href, issues, key, 'href');
    for (const member of Object.keys(asset)) {
      const value = asset[member];
      if (isPlainObject(value)) nestedHrefIssues(value, issues, key, member);
    }
  }
}

/** `asset_href` for the hrefs of the objects in one member of an asset (`assets.B02.<member>.<name>.href`). */
function nestedHrefIssues(
  value: Record<string, unknown>,
  issues: ValidationIssue[],
  key: string,
  member: string,
): void {
  for (const name of Object.keys(value)) {
    const nested = value[name];
    if (!isPlainObject(nested) || typeof nested.href !== 'string' || nested.href === '') continue;
    hrefIssue(nested.href, issues, key, member, name, 'href');
  }
}
