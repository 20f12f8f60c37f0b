/**
 * `@scm/testing/schemas`: where the STAC schemas bundled with `@scm/validate` are, for tests that check
 * objects against them (with {@link createStacAjv}, pystac, stac-validator…) without a copy of their own.
 *
 * @packageDocumentation
 */
import { bundledSchemasDir } from '@scm/validate';

/**
 * Absolute path of `@scm/validate`'s `schemas` folder, laid out by URL
 * (`schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json`, `geojson.org/…`, `stac-extensions.github.io/…`).
 */
export const stacSchemasDir: string = bundledSchemasDir();
