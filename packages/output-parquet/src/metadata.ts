import type { StacCollection } from '@scm/core';
import type { GeometryStats } from './shred.js';
import type { FilePlan } from './plan.js';

/** stac-geoparquet metadata version written. */
export const STAC_GEOPARQUET_VERSION = '1.1.0';
/** GeoParquet metadata version written. */
export const GEOPARQUET_VERSION = '1.1.0';

/** One geometry column of the GeoParquet `geo` metadata. */
export interface GeoColumnMetadata {
  /** Always `WKB` here. */
  encoding: string;
  /** Geometry types present, e.g. `Polygon`, `MultiPolygon Z`; empty when unknown. */
  geometry_types: string[];
  /** `[xmin, ymin, xmax, ymax]` of all geometries; absent when the column holds none. */
  bbox?: number[];
  /** PROJJSON, or null for an unknown CRS; absent means OGC:CRS84. */
  crs?: unknown;
  /** Columns that cover the geometry (the bbox struct). */
  covering?: { bbox: Record<'xmin' | 'ymin' | 'xmax' | 'ymax', [string, string]> };
  [key: string]: unknown;
}

/** The GeoParquet 1.1 `geo` file metadata. */
export interface GeoMetadata {
  /** GeoParquet version. */
  version: string;
  /** Name of the primary geometry column. */
  primary_column: string;
  /** Geometry columns. */
  columns: Record<string, GeoColumnMetadata>;
  [key: string]: unknown;
}

/** The `stac-geoparquet` file metadata. */
export interface StacGeoParquetMetadata {
  /** stac-geoparquet spec version. */
  version: string;
  /** Collections of the items in the file, by id. */
  collections?: Record<string, StacCollection>;
  [key: string]: unknown;
}

/** Builds the `geo` metadata of one file. */
export function buildGeoMetadata(plan: FilePlan, stats: GeometryStats): GeoMetadata {
  const column: GeoColumnMetadata = {
    encoding: 'WKB',
    geometry_types: [...stats.types].sort(),
  };
  const b = stats.bounds;
  if (Number.isFinite(b.xmin)) column.bbox = [b.xmin, b.ymin, b.xmax, b.ymax];
  const hasBbox = plan.columns.some((c) => c.name === 'bbox' && c.node.kind === 'bbox');
  if (hasBbox) {
    column.covering = {
      bbox: {
        xmin: ['bbox', 'xmin'],
        ymin: ['bbox', 'ymin'],
        xmax: ['bbox', 'xmax'],
        ymax: ['bbox', 'ymax'],
      },
    };
  }
  const geo: GeoMetadata = {
    version: GEOPARQUET_VERSION,
    primary_column: 'geometry',
    columns: { geometry: column },
  };
  const projGeometry = plan.columns.find((c) => c.source === 'property' && c.name === 'proj:geometry');
  if (projGeometry?.node.kind === 'wkb') {
    // Projected geometries use each item's own CRS: unknown at file level.
    geo.columns['proj:geometry'] = { encoding: 'WKB', geometry_types: [], crs: null };
  }
  return geo;
}

/** Builds the `stac-geoparquet` metadata. */
export function buildStacGeoParquetMetadata(
  collections: Record<string, StacCollection>,
): StacGeoParquetMetadata {
  const meta: StacGeoParquetMetadata = { version: STAC_GEOPARQUET_VERSION };
  if (Object.keys(collections).length > 0) meta.collections = collections;
  return meta;
}
