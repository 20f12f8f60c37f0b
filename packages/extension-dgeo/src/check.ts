import { isPlainObject, type ValidationIssue } from '@scm/core';
import { escapePointerSegment } from '@scm/core/json-pointer';
import { declaredDgeo, DGEO_SCHEMA_URIS } from './uris.js';

const segment = escapePointerSegment;

function hasDgeoFields(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('dgeo:'));
}

/**
 * Checks what the dgeo schemas leave to the toolkit (kind `dgeo`): every asset `dgeo:cid` is in
 * `dgeo:cids`, every asset `dgeo:piece_cid` is in `dgeo:piece_cids`, and no Catalog declares dgeo.
 * Warns about old URIs, both variants declared at once, and dgeo fields without the extension declared.
 */
export function checkDgeoObject(object: unknown): ValidationIssue[] {
  if (!isPlainObject(object)) return [];
  const issues: ValidationIssue[] = [];
  const add = (severity: ValidationIssue['severity'], path: string, message: string) =>
    issues.push({ path, message, kind: 'dgeo', severity });
  const { variants, aliases } = declaredDgeo(object.stac_extensions);
  const declared = variants.length > 0 || aliases.length > 0;

  if (object.type === 'Catalog') {
    if (declared)
      add(
        'error',
        '/stac_extensions',
        'dgeo applies to Items and Collections only; a Catalog must not declare it',
      );
    if (hasDgeoFields(object)) add('error', '', 'dgeo fields are not allowed on a Catalog');
    return issues;
  }
  if (object.type !== 'Feature' && object.type !== 'Collection') return issues;

  const isItem = object.type === 'Feature';
  const fields = isItem ? object.properties : object;
  const fieldsPath = isItem ? '/properties/' : '/';
  const assets = isPlainObject(object.assets) ? object.assets : {};
  const used = hasDgeoFields(fields) || Object.values(assets).some(hasDgeoFields);
  if (!declared) {
    if (used)
      add('warning', '/stac_extensions', 'dgeo fields are present but no dgeo schema URI is declared');
    return issues;
  }
  for (const alias of aliases) {
    const target = variants[0] ?? 'pgstac-variant';
    add(
      'warning',
      '/stac_extensions',
      `"${alias}" is an old dgeo URI; applying the extension replaces it with ${DGEO_SCHEMA_URIS[target]}`,
    );
  }
  if (new Set(variants).size > 1) {
    add(
      'warning',
      '/stac_extensions',
      'both dgeo variants are declared; their cid_profile types conflict, keep one',
    );
  }
  const cids = isPlainObject(fields) && Array.isArray(fields['dgeo:cids']) ? fields['dgeo:cids'] : [];
  const pieces =
    isPlainObject(fields) && Array.isArray(fields['dgeo:piece_cids']) ? fields['dgeo:piece_cids'] : [];
  for (const [key, asset] of Object.entries(assets)) {
    if (!isPlainObject(asset)) continue;
    const at = `/assets/${segment(key)}`;
    const cid = asset['dgeo:cid'];
    if (cid !== undefined && !cids.includes(cid)) {
      add(
        'error',
        `${at}/dgeo:cid`,
        `asset "${key}" has dgeo:cid "${String(cid)}", which is missing from ${fieldsPath}dgeo:cids`,
      );
    }
    const piece = asset['dgeo:piece_cid'];
    if (piece !== undefined && !pieces.includes(piece)) {
      add(
        'error',
        `${at}/dgeo:piece_cid`,
        `asset "${key}" has dgeo:piece_cid "${String(piece)}", which is missing from ${fieldsPath}dgeo:piece_cids`,
      );
    }
  }
  return issues;
}
