import { defineExtension, type Extension } from '@scm/core';
import { applyAlternateAssets } from './apply.js';
import { checkAlternateAssetsObject } from './check.js';
import {
  type AlternateAssetsConfig,
  alternateAssetsConfigSchema,
  checkAlternateAssetsConfig,
  versionOf,
} from './config.js';
import { ALTERNATE_ASSETS_SCHEMAS } from './schemas.js';
import {
  ALTERNATE_ASSETS_URIS,
  ALTERNATE_ASSETS_V1_0_0,
  ALTERNATE_ASSETS_V1_1_0,
  ALTERNATE_ASSETS_V1_2_0,
} from './versions.js';

/**
 * The alternate-assets extension: builds `alternate` locations (S3 bucket, HTTPS mirror, …) inside assets from
 * config rules, v1.2.0 by default or v1.1.0. Register it by name `alternate-assets`.
 */
export const alternateAssetsExtension: Extension<AlternateAssetsConfig> =
  defineExtension<AlternateAssetsConfig>({
    name: 'alternate-assets',
    prefix: 'alternate',
    description: 'Alternate locations (mirrors, cloud buckets) of the same asset file.',
    // v1.0.0 last: never written (schemaUri picks 1.2.0 or 1.1.0), but objects declaring it are checked too.
    schemaUris: [ALTERNATE_ASSETS_V1_2_0, ALTERNATE_ASSETS_V1_1_0, ALTERNATE_ASSETS_V1_0_0],
    schemaUri: (config) => ALTERNATE_ASSETS_URIS[versionOf(config)],
    schemas: ALTERNATE_ASSETS_SCHEMAS,
    configSchema: alternateAssetsConfigSchema,
    checkConfig: checkAlternateAssetsConfig,
    applyToItem: (item, context) => applyAlternateAssets(item, context),
    applyToCollection: (collection, context) => applyAlternateAssets(collection, context),
    checkObject: (object) => checkAlternateAssetsObject(object),
  });
