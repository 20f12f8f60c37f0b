/**
 * STAC object types as they appear on the wire. They are deliberately loose
 * (extra members allowed everywhere) because real catalogs carry extension
 * fields at every level; the validator, not the type system, decides what is
 * valid.
 */

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A plain JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A GeoJSON position: [lon, lat] or [lon, lat, elevation]. */
export type Position = number[];

/** A GeoJSON geometry (RFC 7946). */
export type Geometry =
  | { type: 'Point'; coordinates: Position; bbox?: number[] }
  | { type: 'MultiPoint'; coordinates: Position[]; bbox?: number[] }
  | { type: 'LineString'; coordinates: Position[]; bbox?: number[] }
  | { type: 'MultiLineString'; coordinates: Position[][]; bbox?: number[] }
  | { type: 'Polygon'; coordinates: Position[][]; bbox?: number[] }
  | { type: 'MultiPolygon'; coordinates: Position[][][]; bbox?: number[] }
  | { type: 'GeometryCollection'; geometries: Geometry[]; bbox?: number[] };

/** A 2D `[minx, miny, maxx, maxy]` or 3D `[minx, miny, minz, maxx, maxy, maxz]` bounding box. */
export type Bbox = number[];

/** A STAC Link object. */
export interface StacLink {
  /** Link target, absolute or relative. */
  href: string;
  /** Relation type such as `self`, `root`, `parent`, `child`, `item`, `collection`, `next`. */
  rel: string;
  /** Media type of the target. */
  type?: string;
  /** Human-readable title. */
  title?: string;
  /** HTTP method for API links (`GET` or `POST`). */
  method?: string;
  /** Request body for POST paging links. */
  body?: JsonObject;
  /** Whether `body` is merged into the previous request body. */
  merge?: boolean;
  /** HTTP headers to send with the request. */
  headers?: Record<string, string | string[]>;
  [key: string]: unknown;
}

/** A STAC Asset object. */
export interface StacAsset {
  /** Location of the asset, absolute or relative. */
  href: string;
  /** Media type. */
  type?: string;
  /** Title. */
  title?: string;
  /** Description. */
  description?: string;
  /** Semantic roles such as `data`, `thumbnail`, `metadata`. */
  roles?: string[];
  [key: string]: unknown;
}

/** Item `properties`: `datetime` is required (null when a range is given). */
export interface StacItemProperties {
  /** Nominal datetime (RFC 3339), or null when `start_datetime`/`end_datetime` are given. */
  datetime: string | null;
  /** Start of the acquisition range. */
  start_datetime?: string;
  /** End of the acquisition range. */
  end_datetime?: string;
  /** Creation time of the metadata. */
  created?: string;
  /** Last update time of the metadata. */
  updated?: string;
  [key: string]: unknown;
}

/** A STAC Item: a GeoJSON Feature with STAC members. */
export interface StacItem {
  type: 'Feature';
  stac_version: string;
  stac_extensions?: string[];
  id: string;
  geometry: Geometry | null;
  bbox?: Bbox;
  properties: StacItemProperties;
  links: StacLink[];
  assets: Record<string, StacAsset>;
  collection?: string;
  [key: string]: unknown;
}

/** Spatial and temporal extent of a Collection. */
export interface StacExtent {
  spatial: { bbox: Bbox[] };
  temporal: { interval: (string | null)[][] };
  [key: string]: unknown;
}

/** A STAC Collection. */
export interface StacCollection {
  type: 'Collection';
  stac_version: string;
  stac_extensions?: string[];
  id: string;
  title?: string;
  description: string;
  license: string;
  extent: StacExtent;
  links: StacLink[];
  keywords?: string[];
  providers?: JsonObject[];
  summaries?: Record<string, unknown>;
  assets?: Record<string, StacAsset>;
  item_assets?: Record<string, Partial<StacAsset>>;
  [key: string]: unknown;
}

/** A STAC Catalog. */
export interface StacCatalog {
  type: 'Catalog';
  stac_version: string;
  stac_extensions?: string[];
  id: string;
  title?: string;
  description: string;
  links: StacLink[];
  [key: string]: unknown;
}

/** Any STAC object. */
export type StacObject = StacItem | StacCollection | StacCatalog;

/** One page of an Item search (`/search` or `/collections/{id}/items`). */
export interface ItemCollectionPage {
  type: 'FeatureCollection';
  features: StacItem[];
  links?: StacLink[];
  numberMatched?: number;
  numberReturned?: number;
  context?: { returned?: number; limit?: number; matched?: number };
  [key: string]: unknown;
}

/** True when `value` is a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` looks like a STAC Item (a Feature with an id). */
export function isStacItem(value: unknown): value is StacItem {
  return isPlainObject(value) && value.type === 'Feature' && typeof value.id === 'string';
}

/** True when `value` looks like a STAC Collection. */
export function isStacCollection(value: unknown): value is StacCollection {
  return isPlainObject(value) && value.type === 'Collection' && typeof value.id === 'string';
}

/** True when `value` looks like a STAC Catalog. */
export function isStacCatalog(value: unknown): value is StacCatalog {
  return isPlainObject(value) && value.type === 'Catalog' && typeof value.id === 'string';
}

/** Which STAC object kind `value` is, or `undefined` when it is none of them. */
export function stacTypeOf(value: unknown): 'Item' | 'Collection' | 'Catalog' | undefined {
  if (isStacItem(value)) return 'Item';
  if (isStacCollection(value)) return 'Collection';
  if (isStacCatalog(value)) return 'Catalog';
  return undefined;
}
