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
  if (!isPlainObject(object.assets)) return;
  for (const [key, asset] of Object.entries(object.assets)) {
    if (!isPlainObject(asset)) continue;
    if ('href' in asset) hrefIssue(asset.href, issues, key, 'href');
    for (const [member, value] of Object.entries(asset)) {
      if (!isPlainObject(value)) continue;
      for (const [name, nested] of Object.entries(value)) {
        if (!isPlainObject(nested) || typeof nested.href !== 'string' || nested.href === '') continue;
        hrefIssue(nested.href, issues, key, member, name, 'href');
      }
    }
  }
}
