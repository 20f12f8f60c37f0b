import type { JsonSchema } from '@scm/core';
import mainSchema from '../schemas/vendor/dgeo-main.schema.json' with { type: 'json' };
import pgstacVariantSchema from '../schemas/vendor/dgeo-pgstac-variant.schema.json' with { type: 'json' };
import { DGEO_MAIN_URI, DGEO_PGSTAC_VARIANT_URI } from './uris.js';

/** Both dgeo schemas, bundled (see schemas/vendor/SOURCES.md), keyed by the URI to declare. */
export const DGEO_SCHEMAS: Readonly<Record<string, JsonSchema>> = Object.freeze({
  [DGEO_PGSTAC_VARIANT_URI]: pgstacVariantSchema as unknown as JsonSchema,
  [DGEO_MAIN_URI]: mainSchema as unknown as JsonSchema,
});
