/**
 * @scm/extension-alternate-assets: the alternate-assets STAC extension (alternate locations of an asset).
 *
 * @packageDocumentation
 */

export { alternateHref, applyAlternateAssets, MAX_HREF_LENGTH, schemeName } from './apply.js';
export { checkAlternateAssetsObject } from './check.js';
export type { AlternateAssetsConfig, AlternateRule, AlternateStorage } from './config.js';
export { alternateAssetsConfigSchema, checkAlternateAssetsConfig, versionOf } from './config.js';
export { alternateAssetsExtension } from './extension.js';
export { MAX_PATTERN_LENGTH, MAX_UNBOUNDED_QUANTIFIERS, regexProblem } from './safe-regex.js';
export { ALTERNATE_ASSETS_SCHEMAS } from './schemas.js';
export type { TemplateValues } from './template.js';
export { fillTemplate } from './template.js';
export type { AlternateAssetsVersion } from './versions.js';
export {
  ALTERNATE_ASSETS_URIS,
  ALTERNATE_ASSETS_V1_0_0,
  ALTERNATE_ASSETS_V1_1_0,
  ALTERNATE_ASSETS_V1_2_0,
  declaredVersions,
  supersededUris,
} from './versions.js';
