import type { Geometry } from '@scm/core';
import { wkbToGeojson } from 'hyparquet/src/wkb.js';
import { geojsonToWkb } from 'hyparquet-writer';

/** What {@link inspectGeometry} found out about a GeoJSON geometry. */
export interface GeometryInfo {
  /** GeoParquet geometry type name, e.g. `Polygon` or `MultiPolygon Z`. */
  typeName: string;
  /** Coordinate dimension (2 or 3). */
  dimension: number;
  /**
   * True when WKB → GeoJSON gives back exactly this object: only `type` and
   * `coordinates` (or `geometries`) members, and every nested member exact too.
   */
  exact: boolean;
}

const NESTING: Record<string, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};

/** Bounding box accumulator over geometry coordinates. */
export interface BoundsAccumulator {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** A new empty bounds accumulator. */
export function emptyBounds(): BoundsAccumulator {
  return { xmin: Infinity, ymin: Infinity, xmax: -Infinity, ymax: -Infinity };
}

/**
 * Checks that `value` is a GeoJSON geometry that ISO WKB can carry: a known
 * type, well-nested coordinates of finite numbers, and one dimension (2 or 3)
 * throughout. Returns a reason string when it is not. When `bounds` is given,
 * the coordinates are folded into it.
 */
export function inspectGeometry(value: unknown, bounds?: BoundsAccumulator): GeometryInfo | string {
  const state = { dimension: 0, exact: true };
  const problem = visit(value, state, bounds, 0);
  if (problem) return problem;
  const geometry = value as { type: string };
  const dimension = state.dimension || 2;
  return { typeName: dimension === 3 ? `${geometry.type} Z` : geometry.type, dimension, exact: state.exact };
}

function visit(
  value: unknown,
  state: { dimension: number; exact: boolean },
  bounds: BoundsAccumulator | undefined,
  depth: number,
): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'geometry must be an object';
  const g = value as Record<string, unknown>;
  const type = g.type;
  if (type === 'GeometryCollection') {
    if (depth > 8) return 'geometry collections are nested too deeply';
    if (!Array.isArray(g.geometries)) return 'GeometryCollection.geometries must be an array';
    if (Object.keys(g).length !== 2) state.exact = false;
    for (const member of g.geometries) {
      const problem = visit(member, state, bounds, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof type !== 'string' || !(type in NESTING)) return `unknown geometry type ${JSON.stringify(type)}`;
  if (Object.keys(g).length !== 2 || !('coordinates' in g)) state.exact = false;
  return visitCoordinates(g.coordinates, NESTING[type]!, state, bounds, type);
}

function visitCoordinates(
  value: unknown,
  nesting: number,
  state: { dimension: number; exact: boolean },
  bounds: BoundsAccumulator | undefined,
  type: string,
): string | undefined {
  if (!Array.isArray(value)) return `${type} coordinates are not nested arrays`;
  if (nesting === 0) {
    if (value.length !== 2 && value.length !== 3) return `${type} position must have 2 or 3 numbers`;
    for (const n of value) {
      if (typeof n !== 'number' || !Number.isFinite(n)) return `${type} position must hold finite numbers`;
    }
    if (state.dimension === 0) state.dimension = value.length;
    else if (state.dimension !== value.length) return 'geometry mixes 2D and 3D positions';
    if (bounds) {
      const x = value[0] as number;
      const y = value[1] as number;
      if (x < bounds.xmin) bounds.xmin = x;
      if (x > bounds.xmax) bounds.xmax = x;
      if (y < bounds.ymin) bounds.ymin = y;
      if (y > bounds.ymax) bounds.ymax = y;
    }
    return undefined;
  }
  for (const child of value) {
    const problem = visitCoordinates(child, nesting - 1, state, bounds, type);
    if (problem) return problem;
  }
  return undefined;
}

/** Encodes a geometry as ISO WKB (little-endian). */
export function toWkb(geometry: unknown): Uint8Array {
  return geojsonToWkb(geometry as Parameters<typeof geojsonToWkb>[0]);
}

/** Decodes ISO WKB (either byte order) into a GeoJSON geometry. */
export function fromWkb(bytes: Uint8Array): Geometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return wkbToGeojson({ view, offset: 0 }) as Geometry;
}
