import { defineExtension, type Extension } from '@scm/core';
import { applyDgeo } from './apply.js';
import { checkDgeoObject } from './check.js';
import { checkDgeoConfig, type DgeoConfig, dgeoConfigSchema, variantOf } from './config.js';
import { DGEO_SCHEMAS } from './schemas.js';
import { DGEO_MAIN_URI, DGEO_PGSTAC_VARIANT_URI, DGEO_SCHEMA_URIS } from './uris.js';

/**
 * The dgeo extension (DecentralizedGeo content addressing): `dgeo:cids` / `dgeo:piece_cids` on Items and
 * Collections, `dgeo:cid` / `dgeo:piece_cid` / `dgeo:cid_profile` on assets, in the `pgstac-variant` (default)
 * or `main` schema variant. Register it by name `dgeo`.
 */
export const dgeoExtension: Extension<DgeoConfig> = defineExtension<DgeoConfig>({
  name: 'dgeo',
  prefix: 'dgeo',
  description:
    'Content addressing (IPFS CIDs, Filecoin piece CIDs, DAG profiles) from DecentralizedGeo dgeo.',
  schemaUris: [DGEO_PGSTAC_VARIANT_URI, DGEO_MAIN_URI],
  schemaUri: (config) => DGEO_SCHEMA_URIS[variantOf(config)],
  schemas: DGEO_SCHEMAS,
  configSchema: dgeoConfigSchema,
  checkConfig: checkDgeoConfig,
  applyToItem: (item, context) => applyDgeo(item, context),
  applyToCollection: (collection, context) => applyDgeo(collection, context),
  checkObject: (object) => checkDgeoObject(object),
});
