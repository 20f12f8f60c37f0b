/**
 * @scm/scaffold: completes mapped records into valid STAC 1.0.0 Items
 * (geometry from GeoJSON or WKT, checked and cut at the antimeridian, bbox,
 * RFC 3339 datetimes, links, assets) and builds Collections with their extent.
 *
 * @packageDocumentation
 */

export { splitAntimeridian } from './antimeridian.js';
export { computeBbox } from '@scm/core/geojson';
export type { CollectionMeta, ScaffoldCollectionOptions } from './collection.js';
export { buildCollection, scaffoldCollection } from './collection.js';
export { normalizeDatetime } from './datetime.js';
export type { ExtentAccumulator } from './extent.js';
export { createExtentAccumulator } from './extent.js';
export { checkGeometry } from './geometry-check.js';
export type { ParseGeometryResult } from './geometry-parse.js';
export { parseGeometry } from './geometry-parse.js';
export type { PrepareGeometryOptions, PrepareGeometryResult } from './geometry-prepare.js';
export { prepareGeometry } from './geometry-prepare.js';
export type { ScaffoldResult } from './item.js';
export { scaffoldItem, scaffoldItems } from './item.js';
export type { ItemLinkOptions, ScaffoldItemsOptions, ScaffoldOptions, ScaffoldWarning } from './options.js';
export type { ScaffoldRule } from './rules.js';
export { ScaffoldRules } from './rules.js';
// The one WKT reader of the workspace; @scm/transform receives it through its options.
export type { WktReadOptions, WktReadResult } from './wkt.js';
export { readWkt, WGS84_SRIDS } from './wkt.js';
