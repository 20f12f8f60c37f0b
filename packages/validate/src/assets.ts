import { isPlainObject, type ValidationIssue } from '@scm/core';
import { hrefProblem } from './href.js';
import { fieldLabel, pointer, preview } from './pointer.js';

/** `asset_href`: every asset `href` must be an absolute URL or a relative path. */
export function checkAssetHrefs(object: Record<string, unknown>, issues: ValidationIssue[]): void {
  if (!isPlainObject(object.assets)) return;
  for (const [key, asset] of Object.entries(object.assets)) {
    if (!isPlainObject(asset) || !('href' in asset)) continue;
    const problem = hrefProblem(asset.href);
    if (problem) {
      const path = pointer('/assets', key, 'href');
      issues.push({ path, message: `${fieldLabel(path)} ${problem}`, kind: 'asset_href', severity: 'error' });
    }
  }
}

/** True when `uri` names any version of the alternate-assets extension schema. */
export function isAlternateAssetsUri(uri: string): boolean {
  return /^https?:\/\/stac-extensions\.github\.io\/alternate-assets\/v[^/]+\/schema\.json#?$/.test(
    uri.trim(),
  );
}

/**
 * `alternate_assets`: the alternate-assets v1.2.0 schema does not look inside Item asset alternates (its Item
 * branch describes an asset *named* "alternate"), so these rules are checked here for every asset of Items
 * and Collections: `alternate` is a non-empty map of objects, each with a usable `href`, and every
 * `alternate:name` (on the asset and on each alternate) is a non-empty string.
 */
export function checkAlternateAssets(object: Record<string, unknown>, issues: ValidationIssue[]): void {
  if (!isPlainObject(object.assets)) return;
  const add = (path: string, text: string) =>
    issues.push({
      path,
      message: `${fieldLabel(path)} ${text}`,
      kind: 'alternate_assets',
      severity: 'error',
    });
  const checkName = (container: Record<string, unknown>, base: string) => {
    if (!('alternate:name' in container)) return;
    const name = container['alternate:name'];
    if (typeof name !== 'string' || name.length === 0) {
      add(pointer(base, 'alternate:name'), `must be a non-empty string, got ${preview(name)}`);
    }
  };
  for (const [key, asset] of Object.entries(object.assets)) {
    if (!isPlainObject(asset)) continue;
    const base = pointer('/assets', key);
    checkName(asset, base);
    if (!('alternate' in asset)) continue;
    const alternates = asset.alternate;
    const altPath = pointer(base, 'alternate');
    if (!isPlainObject(alternates)) {
      add(altPath, `must be an object that maps names to alternate assets, got ${preview(alternates)}`);
      continue;
    }
    const entries = Object.entries(alternates);
    if (entries.length === 0) {
      add(altPath, 'must list at least one alternate asset (an empty object says nothing)');
      continue;
    }
    for (const [name, alternate] of entries) {
      const path = pointer(altPath, name);
      if (!isPlainObject(alternate)) {
        add(path, `must be an object with at least an href, got ${preview(alternate)}`);
        continue;
      }
      if (!('href' in alternate)) {
        add(pointer(path, 'href'), 'is required: every alternate asset needs the href of its copy');
      } else {
        const problem = hrefProblem(alternate.href);
        if (problem) add(pointer(path, 'href'), problem);
      }
      checkName(alternate, path);
    }
  }
}
