import type { Geometry } from '@scm/core';
import { COORDINATE_DEPTH, isBboxShape, ringProblem } from '@scm/core/geojson';
import { isObject } from './values.js';

/**
 * Checks and copies a GeoJSON geometry (RFC 7946): known type, coordinates
 * nested to the right depth, finite numbers, 2 or 3 ordinates per position,
 * at least 2 positions per line, closed rings of 4 or more positions.
 * Only `type`, `coordinates`/`geometries` and `bbox` are kept. Returns the
 * geometry or an error message. With `copy` false the value is returned as
 * is after the checks (for geometries this package has just built).
 */
export function checkGeometry(value: unknown, depth = 0, copy = true): Geometry | string {
  if (!isObject(value)) return 'a geometry must be an object';
  const type = value.type;
  if (type === 'Feature') {
    if (depth > 0) return 'a Feature cannot be nested in a geometry';
    if (value.geometry === null) return 'the Feature has a null geometry';
    return checkGeometry(value.geometry, depth + 1, copy);
  }
  if (type === 'GeometryCollection') {
    if (!Array.isArray(value.geometries)) return 'a GeometryCollection needs a "geometries" array';
    if (depth > 8) return 'geometry collections are nested too deeply';
    const geometries: Geometry[] = [];
    for (const member of value.geometries) {
      const checked = checkGeometry(member, depth + 1, copy);
      if (typeof checked === 'string') return checked;
      geometries.push(checked);
    }
    return withBbox({ type, geometries }, value.bbox);
  }
  const level = typeof type === 'string' ? COORDINATE_DEPTH.get(type) : undefined;
  if (level === undefined) return `"${String(type)}" is not a GeoJSON geometry type`;
  const problem = checkCoordinates(type as string, value.coordinates, level);
  if (problem) return problem;
  if (!copy) return value as Geometry;
  return withBbox({ type, coordinates: copyCoordinates(value.coordinates) } as Geometry, value.bbox);
}

function withBbox(geometry: Geometry, bbox: unknown): Geometry {
  if (isBboxShape(bbox)) geometry.bbox = bbox.slice();
  return geometry;
}

function copyCoordinates(value: unknown): unknown {
  return Array.isArray(value) ? value.map(copyCoordinates) : value;
}

function checkPosition(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3)
    return 'a position must hold 2 or 3 numbers';
  for (const n of value)
    if (typeof n !== 'number' || !Number.isFinite(n))
      return 'a position holds a value that is not a finite number';
  return undefined;
}

function checkLine(value: unknown, ring: boolean): string | undefined {
  if (!Array.isArray(value)) return 'coordinates are not nested correctly';
  for (const p of value) {
    const problem = checkPosition(p);
    if (problem) return problem;
  }
  if (ring) {
    // Length first, as this message always read; the rule itself is the one of @scm/core/geojson.
    if (value.length < 4) return 'a polygon ring needs at least 4 positions';
    if (ringProblem(value as number[][]) === 'not-closed')
      return 'a polygon ring is not closed (first and last positions differ)';
  } else if (value.length < 2) return 'a line needs at least 2 positions';
  return undefined;
}

function checkCoordinates(type: string, value: unknown, level: number): string | undefined {
  if (!Array.isArray(value)) return `a ${type} needs a "coordinates" array`;
  if (level === 0) return checkPosition(value);
  if (value.length === 0) return `the ${type} is empty`;
  switch (type) {
    case 'MultiPoint':
      for (const p of value) {
        const problem = checkPosition(p);
        if (problem) return problem;
      }
      return undefined;
    case 'LineString':
      return checkLine(value, false);
    case 'MultiLineString':
      for (const line of value) {
        const problem = checkLine(line, false);
        if (problem) return problem;
      }
      return undefined;
    case 'Polygon':
      for (const ring of value) {
        const problem = checkLine(ring, true);
        if (problem) return problem;
      }
      return undefined;
    default:
      for (const polygon of value) {
        if (!Array.isArray(polygon) || polygon.length === 0)
          return 'a MultiPolygon member must be a non-empty array of rings';
        for (const ring of polygon) {
          const problem = checkLine(ring, true);
          if (problem) return problem;
        }
      }
      return undefined;
  }
}

/** Reads a number from a number or numeric string. */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value))
    return Number(value);
  return undefined;
}

/**
 * A Polygon from `[minx, miny, maxx, maxy]`, counter-clockwise. When
 * `minx > maxx` the box crosses the antimeridian (RFC 7946 §5.2) and the
 * result is a MultiPolygon split at ±180.
 */
export function bboxToGeometry(box: readonly number[]): Geometry | string {
  const [minx, miny, maxx, maxy] = box as [number, number, number, number];
  if (miny > maxy) return `the bbox south (${miny}) is greater than its north (${maxy})`;
  const rect = (w: number, e: number): number[][] => [
    [w, miny],
    [e, miny],
    [e, maxy],
    [w, maxy],
    [w, miny],
  ];
  if (minx > maxx) {
    if (minx > 180 || maxx < -180) return `the bbox west (${minx}) is greater than its east (${maxx})`;
    return { type: 'MultiPolygon', coordinates: [[rect(minx, 180)], [rect(-180, maxx)]] };
  }
  return { type: 'Polygon', coordinates: [rect(minx, maxx)] };
}
