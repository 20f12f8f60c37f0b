import { isPlainObject, type ValidationIssue } from '@scm/core';
import { escapePointerSegment } from '@scm/core/json-pointer';
import { declaredVersions } from './versions.js';

const segment = escapePointerSegment;

/**
 * Per-asset checks of alternate-assets (kind `alternate_assets`). The v1.2.0 schema does not check Item asset
 * alternates at all (its Item branch describes an asset keyed "alternate"), so this does it: every `alternate`
 * is a non-empty map whose entries have a non-empty string `href`, and every `alternate:name` is a non-empty
 * string. In Collection `item_assets`, alternates must not have an `href`. Alternates on an object that does not
 * declare the extension give one warning.
 */
export function checkAlternateAssetsObject(object: unknown): ValidationIssue[] {
  if (!isPlainObject(object) || (object.type !== 'Feature' && object.type !== 'Collection')) return [];
  const issues: ValidationIssue[] = [];
  const error = (path: string, message: string) =>
    issues.push({ path, message, kind: 'alternate_assets', severity: 'error' });
  const declared = declaredVersions(object.stac_extensions).length > 0;

  const checkName = (value: unknown, path: string) => {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      error(path, 'alternate:name must be a non-empty string');
    }
  };
  const checkAssets = (assets: unknown, base: string, itemAssets: boolean): boolean => {
    let used = false;
    if (!isPlainObject(assets)) return used;
    for (const [key, asset] of Object.entries(assets)) {
      if (!isPlainObject(asset) || (!('alternate' in asset) && !('alternate:name' in asset))) continue;
      used = true;
      if (!declared) continue;
      const at = `${base}/${segment(key)}`;
      checkName(asset['alternate:name'], `${at}/alternate:name`);
      if (!('alternate' in asset)) continue;
      const alternate = asset.alternate;
      if (!isPlainObject(alternate)) {
        error(`${at}/alternate`, 'alternate must be an object mapping keys to alternate assets');
        continue;
      }
      if (Object.keys(alternate).length === 0)
        error(`${at}/alternate`, 'alternate must hold at least one alternate asset');
      for (const [altKey, entry] of Object.entries(alternate)) {
        const altAt = `${at}/alternate/${segment(altKey)}`;
        if (!isPlainObject(entry)) {
          error(altAt, `alternate "${altKey}" must be an object`);
          continue;
        }
        if (itemAssets) {
          if ('href' in entry)
            error(`${altAt}/href`, `alternate "${altKey}" in item_assets must not have an href`);
        } else if (typeof entry.href !== 'string' || entry.href === '') {
          error(
            `${altAt}/href`,
            `alternate "${altKey}" of asset "${key}" needs an href (a non-empty string)`,
          );
        }
        checkName(entry['alternate:name'], `${altAt}/alternate:name`);
      }
    }
    return used;
  };

  let used = checkAssets(object.assets, '/assets', false);
  if (object.type === 'Collection') used = checkAssets(object.item_assets, '/item_assets', true) || used;
  if (used && !declared) {
    issues.push({
      path: '/stac_extensions',
      message: 'alternate-assets fields are present but the extension is not declared',
      kind: 'alternate_assets',
      severity: 'warning',
    });
  }
  return issues;
}
