import type { JsonSchema } from '@scm/core';
import v100 from '../schemas/vendor/alternate-assets-v1.0.0.schema.json' with { type: 'json' };
import v110 from '../schemas/vendor/alternate-assets-v1.1.0.schema.json' with { type: 'json' };
import v120 from '../schemas/vendor/alternate-assets-v1.2.0.schema.json' with { type: 'json' };
import { ALTERNATE_ASSETS_V1_0_0, ALTERNATE_ASSETS_V1_1_0, ALTERNATE_ASSETS_V1_2_0 } from './versions.js';

/**
 * The three alternate-assets schemas, bundled (see schemas/vendor/SOURCES.md), keyed by the URI declared in
 * `stac_extensions` (without the `#` their `$id` ends with).
 */
export const ALTERNATE_ASSETS_SCHEMAS: Readonly<Record<string, JsonSchema>> = Object.freeze({
  [ALTERNATE_ASSETS_V1_2_0]: v120 as unknown as JsonSchema,
  [ALTERNATE_ASSETS_V1_1_0]: v110 as unknown as JsonSchema,
  [ALTERNATE_ASSETS_V1_0_0]: v100 as unknown as JsonSchema,
});
