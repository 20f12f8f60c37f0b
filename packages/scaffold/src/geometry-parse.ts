import type { Geometry, Position } from '@scm/core';
import { isPlainObject } from '@scm/core';
import { GEOMETRY_TYPES } from '@scm/core/geojson';
import { readWkt } from './wkt.js';

/** What {@link parseGeometry} returns. */
export type ParseGeometryResult =
  | {
      ok: true;
      /** A fresh GeoJSON geometry (never shares arrays with the input), or `null` when there was none. */
      geometry: Geometry | null;
      /** Notes about changes made while reading (e.g. dropped M values). */
      warnings: string[];
    }
  | {
      ok: false;
      /** What is wrong, e.g. `coordinates[0][2] must be a number`. */
      problem: string;
    };

/** Thrown inside the structural copy; turned into a value before leaving this module. */
class StructureProblem extends Error {}

const EMPTY = 'is empty; an EMPTY geometry has no location';

/**
 * Reads a geometry given as a GeoJSON object, GeoJSON text, WKT or EWKT
 * (`SRID=4326;...`) into a fresh GeoJSON geometry, checking its type and
 * coordinate nesting (every position an array of at least two numbers,
 * LineStrings with two or more positions, no empty geometries). A GeoJSON
 * Feature is unwrapped to its geometry. Foreign members (such as the
 * `properties` flag terraformer adds for Z) are not copied.
 *
 * `null`, `undefined` and an empty string give `{ ok: true, geometry: null }`.
 * Coordinate values, ranges and rings are checked by {@link checkGeometry}.
 */
export function parseGeometry(value: unknown): ParseGeometryResult {
  if (value === null || value === undefined) return { ok: true, geometry: null, warnings: [] };
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return { ok: true, geometry: null, warnings: [] };
    if (text.charCodeAt(0) === 123 /* { */) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return { ok: false, problem: `not valid GeoJSON text (${(error as Error).message})` };
      }
      return fromObject(parsed);
    }
    const read = readWkt(text);
    if (!read.ok) return read;
    if (read.checked) return { ok: true, geometry: read.geometry, warnings: read.warnings };
    const copied = fromObject(read.geometry);
    if (copied.ok) copied.warnings.push(...read.warnings);
    return copied;
  }
  return fromObject(value);
}

function fromObject(value: unknown): ParseGeometryResult {
  let target = value;
  if (isPlainObject(target) && target.type === 'Feature') target = target.geometry;
  if (target === null || target === undefined) return { ok: true, geometry: null, warnings: [] };
  try {
    return { ok: true, geometry: copyGeometry(target, ''), warnings: [] };
  } catch (error) {
    if (error instanceof StructureProblem) return { ok: false, problem: error.message };
    throw error;
  }
}

/** Returns the structural problem of a geometry object, or `undefined` when its shape is sound. */
export function structureProblem(value: unknown): string | undefined {
  try {
    copyGeometry(value, '');
    return undefined;
  } catch (error) {
    if (error instanceof StructureProblem) return error.message;
    throw error;
  }
}

function fail(message: string): never {
  throw new StructureProblem(message);
}

function copyGeometry(value: unknown, prefix: string): Geometry {
  if (!isPlainObject(value)) {
    fail(
      `${prefix ? prefix.slice(0, -1) : 'geometry'} must be a GeoJSON geometry object, got ${describe(value)}`,
    );
  }
  const type = value.type;
  if (type === 'GeometryCollection') {
    const members = value.geometries;
    if (!Array.isArray(members)) fail(`${prefix}geometries must be an array`);
    if (members.length === 0) fail(`${prefix}geometries ${EMPTY}`);
    return {
      type,
      geometries: members.map((member, i) => copyGeometry(member, `${prefix}geometries[${i}].`)),
    };
  }
  const path = `${prefix}coordinates`;
  const coordinates = value.coordinates;
  if (coordinates === undefined) {
    if (typeof type !== 'string' || !GEOMETRY_TYPES.has(type)) fail(unknownType(prefix, type));
    fail(`${path} is missing`);
  }
  switch (type) {
    case 'Point':
      if (Array.isArray(coordinates) && coordinates.length === 0) fail(`${path} ${EMPTY}`);
      return { type, coordinates: copyPosition(coordinates, path) };
    case 'MultiPoint':
      return { type, coordinates: copyPositions(coordinates, path, 1) };
    case 'LineString':
      return { type, coordinates: copyPositions(coordinates, path, 2) };
    case 'MultiLineString':
      return { type, coordinates: copyList(coordinates, path, (line, p) => copyPositions(line, p, 2)) };
    case 'Polygon':
      return { type, coordinates: copyList(coordinates, path, (ring, p) => copyPositions(ring, p, 1)) };
    case 'MultiPolygon':
      return {
        type,
        coordinates: copyList(coordinates, path, (polygon, p) =>
          copyList(polygon, p, (ring, q) => copyPositions(ring, q, 1)),
        ),
      };
    default:
      fail(unknownType(prefix, type));
  }
}

function unknownType(prefix: string, type: unknown): string {
  return `${prefix}type ${typeof type === 'string' ? `"${type}"` : describe(type)} is not a GeoJSON geometry type (Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon, GeometryCollection)`;
}

function copyList<T>(value: unknown, path: string, copyItem: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) fail(`${path} must be an array, got ${describe(value)}`);
  if (value.length === 0) fail(`${path} ${EMPTY}`);
  const out = new Array<T>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = copyItem(value[i], `${path}[${i}]`);
  return out;
}

function copyPositions(value: unknown, path: string, min: number): Position[] {
  if (!Array.isArray(value)) fail(`${path} must be an array of positions, got ${describe(value)}`);
  if (value.length === 0) fail(`${path} ${EMPTY}`);
  if (value.length < min) fail(`${path} has ${value.length} position; a line needs at least ${min}`);
  const out = new Array<Position>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = copyPosition(value[i], `${path}[${i}]`);
  return out;
}

function copyPosition(value: unknown, path: string): Position {
  if (!Array.isArray(value)) fail(`${path} must be a position [longitude, latitude], got ${describe(value)}`);
  if (value.length < 2)
    fail(`${path} must have at least 2 numbers (longitude, latitude), got ${value.length}`);
  const out = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const n = value[i];
    if (typeof n !== 'number') fail(`${path}[${i}] must be a number, got ${describe(n)}`);
    out[i] = n;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return typeof value;
}
