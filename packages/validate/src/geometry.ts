import { isPlainObject, type Position, type ValidationIssue, type ValidationSeverity } from '@scm/core';
import { horizontal, isBboxShape, polygonSelfIntersection, ringProblem } from '@scm/core/geojson';
import { fieldLabel, pointer, preview } from './pointer.js';

/** Running extent of the positions seen, in plain and antimeridian-shifted longitudes. */
export interface Extent {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  minZ: number;
  maxZ: number;
  /** Every position had a third (elevation) value. */
  allZ: boolean;
  /** Longitudes shifted into [0, 360): a geometry across the antimeridian is compact here. */
  minXs: number;
  maxXs: number;
  count: number;
}

/** What {@link checkGeometry} learnt: the extent (when the coordinates were usable) and whether it had errors. */
export interface GeometryResult {
  extent?: Extent;
  valid: boolean;
}

const MAX_POSITION_ISSUES = 5;

function newExtent(): Extent {
  return {
    minX: Infinity,
    maxX: -Infinity,
    minY: Infinity,
    maxY: -Infinity,
    minZ: Infinity,
    maxZ: -Infinity,
    allZ: true,
    minXs: Infinity,
    maxXs: -Infinity,
    count: 0,
  };
}

class GeometryChecker {
  readonly extent = newExtent();
  structural = true;
  private positionIssues = 0;
  private hiddenPositionIssues = 0;

  constructor(private readonly issues: ValidationIssue[]) {}

  add(path: string, text: string, severity: ValidationSeverity = 'error'): void {
    if (severity === 'error') this.structural = false;
    this.issues.push({ path, message: `${fieldLabel(path)} ${text}`, kind: 'geometry', severity });
  }

  private positionIssue(path: string, text: string): void {
    this.structural = false;
    if (this.positionIssues >= MAX_POSITION_ISSUES) {
      this.hiddenPositionIssues++;
      return;
    }
    this.positionIssues++;
    this.issues.push({ path, message: `${fieldLabel(path)} ${text}`, kind: 'geometry', severity: 'error' });
  }

  finish(base: string): void {
    if (this.hiddenPositionIssues > 0) {
      this.issues.push({
        path: base,
        message: `${fieldLabel(base)} has ${this.hiddenPositionIssues} more invalid position(s) not listed`,
        kind: 'geometry',
        severity: 'error',
      });
    }
  }

  /** A position: 2 or 3 finite numbers, longitude in [-180, 180], latitude in [-90, 90]. */
  position(value: unknown, path: string): boolean {
    if (!Array.isArray(value) || value.length < 2) {
      this.positionIssue(
        path,
        `must be a position [longitude, latitude] or [longitude, latitude, elevation], got ${preview(value)}`,
      );
      return false;
    }
    for (let i = 0; i < value.length; i++) {
      const n = value[i];
      if (typeof n !== 'number' || !Number.isFinite(n)) {
        this.positionIssue(
          `${path}/${i}`,
          `must be a finite number (a position holds numbers only), got ${preview(n)}`,
        );
        return false;
      }
    }
    const x = value[0] as number;
    const y = value[1] as number;
    let ok = true;
    if (x < -180 || x > 180) {
      this.positionIssue(path, `has longitude ${x}, outside [-180, 180]`);
      ok = false;
    }
    if (y < -90 || y > 90) {
      this.positionIssue(path, `has latitude ${y}, outside [-90, 90]`);
      ok = false;
    }
    if (!ok) return false;
    const e = this.extent;
    e.count++;
    if (x < e.minX) e.minX = x;
    if (x > e.maxX) e.maxX = x;
    if (y < e.minY) e.minY = y;
    if (y > e.maxY) e.maxY = y;
    const xs = x < 0 ? x + 360 : x;
    if (xs < e.minXs) e.minXs = xs;
    if (xs > e.maxXs) e.maxXs = xs;
    if (value.length >= 3) {
      const z = value[2] as number;
      if (z < e.minZ) e.minZ = z;
      if (z > e.maxZ) e.maxZ = z;
    } else {
      e.allZ = false;
    }
    return true;
  }

  positions(value: unknown, path: string, min: number, what: string): boolean {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array of positions, got ${preview(value)}`);
      return false;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) ok = this.position(value[i], `${path}/${i}`) && ok;
    if (value.length < min) {
      this.add(path, `has ${value.length} position(s); ${what} needs at least ${min}`);
      ok = false;
    }
    return ok;
  }

  ring(value: unknown, path: string): boolean {
    if (!this.positions(value, path, 4, 'a linear ring')) return false;
    const ring = value as number[][];
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (ringProblem(ring) === 'not-closed') {
      this.add(
        path,
        `is not closed: the first position ${preview(first)} differs from the last ${preview(last)}`,
      );
      return false;
    }
    return true;
  }

  polygon(value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.add(path, `must be an array of linear rings, got ${preview(value)}`);
      return;
    }
    if (value.length === 0) {
      this.add(path, 'must have at least one linear ring (the exterior)');
      return;
    }
    let ok = true;
    for (let i = 0; i < value.length; i++) ok = this.ring(value[i], `${path}/${i}`) && ok;
    if (ok) this.selfIntersection(value as Position[][], path);
  }

  /** The self-intersection rule of `@scm/core/geojson`, the one scaffold applies too; no vertex limit. */
  private selfIntersection(rings: Position[][], path: string): void {
    const verdict = polygonSelfIntersection(rings);
    if (verdict?.kind !== 'intersection') return;
    const at = verdict.at.map((n) => Number(n.toFixed(7)));
    this.add(
      path,
      `intersects itself at ${preview(at)}; ` +
        'rings must not cross or touch themselves (a "bow-tie" must be split into a MultiPolygon)',
    );
  }

  geometry(value: unknown, path: string, depth = 0): void {
    if (!isPlainObject(value)) {
      this.add(path, `must be a GeoJSON geometry object or null, got ${preview(value)}`);
      return;
    }
    const coordinates = value.coordinates;
    const at = pointer(path, 'coordinates');
    switch (value.type) {
      case 'Point':
        this.position(coordinates, at);
        return;
      case 'MultiPoint':
        this.positions(coordinates, at, 0, 'a MultiPoint');
        return;
      case 'LineString':
        this.positions(coordinates, at, 2, 'a LineString');
        return;
      case 'MultiLineString':
        if (!Array.isArray(coordinates)) {
          this.add(at, `must be an array of LineStrings, got ${preview(coordinates)}`);
          return;
        }
        for (let i = 0; i < coordinates.length; i++)
          this.positions(coordinates[i], `${at}/${i}`, 2, 'a LineString');
        return;
      case 'Polygon':
        this.polygon(coordinates, at);
        return;
      case 'MultiPolygon':
        if (!Array.isArray(coordinates)) {
          this.add(at, `must be an array of Polygons, got ${preview(coordinates)}`);
          return;
        }
        for (let i = 0; i < coordinates.length; i++) this.polygon(coordinates[i], `${at}/${i}`);
        return;
      case 'GeometryCollection': {
        const geometries = value.geometries;
        if (!Array.isArray(geometries)) {
          this.add(pointer(path, 'geometries'), `must be an array of geometries, got ${preview(geometries)}`);
          return;
        }
        if (depth > 8) {
          this.add(path, 'nests GeometryCollections too deeply');
          return;
        }
        for (let i = 0; i < geometries.length; i++) {
          this.geometry(geometries[i], pointer(path, 'geometries', i), depth + 1);
        }
        return;
      }
      default:
        this.add(
          pointer(path, 'type'),
          `must be one of "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", ` +
            `"GeometryCollection", got ${preview(value.type)}`,
        );
    }
  }
}

/**
 * Geometry validity (`geometry` issues): positions of 2–3 finite numbers within lon [-180, 180] and
 * lat [-90, 90], LineStrings of ≥ 2 positions, closed rings of ≥ 4 positions and no self-intersection
 * (the `@scm/core/geojson` rule: bow-ties and touching rings included, antimeridian-aware, any size).
 */
export function checkGeometry(geometry: unknown, path: string, issues: ValidationIssue[]): GeometryResult {
  const checker = new GeometryChecker(issues);
  checker.geometry(geometry, path);
  checker.finish(path);
  return checker.structural && checker.extent.count > 0
    ? { extent: checker.extent, valid: true }
    : { valid: checker.structural };
}

/** Options for {@link checkBbox}. */
export interface BboxCheckOptions {
  /** Degrees the geometry may stick out of the bbox (error beyond) and the bbox may exceed the extent (warning beyond). */
  tolerance: number;
}

function round(n: number): number {
  return Number(n.toFixed(7));
}

/** Adds one `bbox` issue. */
type BboxIssue = (text: string, severity?: ValidationSeverity) => void;

/** A bbox's sides, elevations apart. */
interface BboxSides {
  west: number;
  south: number;
  east: number;
  north: number;
  /** Minimum and maximum elevation of a 6-number bbox. */
  low?: number;
  high?: number;
}

/** The sides of a well-formed bbox (4 or 6 finite numbers), or `undefined` after saying what is wrong. */
function readBbox(bbox: unknown, add: BboxIssue): BboxSides | undefined {
  if (!Array.isArray(bbox) || (bbox.length !== 4 && bbox.length !== 6)) {
    add(`must be 4 numbers [west, south, east, north] or 6 with elevations, got ${preview(bbox)}`);
    return undefined;
  }
  if (!isBboxShape(bbox)) {
    add(`must hold finite numbers only, got ${preview(bbox)}`);
    return undefined;
  }
  const [west, south, east, north] = horizontal(bbox);
  return bbox.length === 6
    ? { west, south, east, north, low: bbox[2]!, high: bbox[5]! }
    : { west, south, east, north };
}

/** Ranges: south ≤ north, longitudes and latitudes in range, low ≤ high. True when all hold. */
function bboxInRange(b: BboxSides, add: BboxIssue): boolean {
  let ok = true;
  const fail = (text: string) => {
    add(text);
    ok = false;
  };
  if (b.south > b.north) fail(`has south ${b.south} greater than north ${b.north}`);
  for (const [name, v] of [
    ['west', b.west],
    ['east', b.east],
  ] as const) {
    if (v < -180 || v > 180) fail(`has ${name} ${v}, outside [-180, 180]`);
  }
  for (const [name, v] of [
    ['south', b.south],
    ['north', b.north],
  ] as const) {
    if (v < -90 || v > 90) fail(`has ${name} ${v}, outside [-90, 90]`);
  }
  if (b.low !== undefined && b.high !== undefined && b.low > b.high) {
    fail(`has minimum elevation ${b.low} greater than maximum ${b.high}`);
  }
  return ok;
}

/**
 * The geometry's west and east to compare with the bbox: plain, or shifted
 * when the bbox crosses the antimeridian; `undefined` (after an issue) when
 * the bbox crosses but the geometry does not.
 */
function geometryLongitudes(b: BboxSides, extent: Extent, add: BboxIssue): [number, number] | undefined {
  if (b.west <= b.east) return [extent.minX, extent.maxX];
  const crosses =
    extent.maxXs - extent.minXs < extent.maxX - extent.minX && extent.minX < 0 && extent.maxX > 0;
  if (!crosses) {
    add(
      `crosses the antimeridian (west ${b.west} > east ${b.east}) but the geometry does not; ` +
        `expected about [${round(extent.minX)}, ${round(extent.minY)}, ${round(extent.maxX)}, ${round(extent.maxY)}]`,
    );
    return undefined;
  }
  return [
    extent.minXs > 180 ? extent.minXs - 360 : extent.minXs,
    extent.maxXs > 180 ? extent.maxXs - 360 : extent.maxXs,
  ];
}

/** The geometry inside the bbox (error), the bbox no larger than needed (warning), elevations inside. */
function compareWithExtent(bbox: unknown[], b: BboxSides, extent: Extent, tol: number, add: BboxIssue): void {
  const longitudes = geometryLongitudes(b, extent, add);
  if (!longitudes) return;
  const [gx0, gx1] = longitudes;
  const expected = () => `[${round(gx0)}, ${round(extent.minY)}, ${round(gx1)}, ${round(extent.maxY)}]`;
  // Distances from each bbox side to the extent: positive means the geometry sticks out.
  const outside = Math.max(b.west - gx0, gx1 - b.east, b.south - extent.minY, extent.maxY - b.north);
  if (outside > tol) {
    add(
      `does not contain the geometry: ${preview(bbox, 120)} vs. the geometry's extent ${expected()} ` +
        `(off by ${round(outside)}°, tolerance ${tol}°)`,
    );
    return;
  }
  const slack = Math.max(gx0 - b.west, b.east - gx1, extent.minY - b.south, b.north - extent.maxY);
  if (slack > tol) {
    add(
      `is larger than the geometry's extent ${expected()} by up to ${round(slack)}° (tolerance ${tol}°)`,
      'warning',
    );
  }
  if (b.low !== undefined && b.high !== undefined && extent.allZ && Number.isFinite(extent.minZ)) {
    if (extent.minZ < b.low - tol || extent.maxZ > b.high + tol) {
      add(`elevations [${b.low}, ${b.high}] do not contain the geometry's [${extent.minZ}, ${extent.maxZ}]`);
    }
  }
}

/**
 * `bbox` checks for an Item: present when the geometry is not null, 4 or 6 finite numbers, south ≤ north,
 * the geometry inside it (error) and no larger than needed (warning). A bbox with west > east is accepted only
 * when the geometry crosses the antimeridian; it is then compared with the geometry's shifted extent.
 */
export function checkBbox(
  item: Record<string, unknown>,
  extent: Extent | undefined,
  issues: ValidationIssue[],
  options: BboxCheckOptions,
): void {
  const add: BboxIssue = (text, severity = 'error') =>
    issues.push({ path: '/bbox', message: `${fieldLabel('/bbox')} ${text}`, kind: 'bbox', severity });
  const bbox = item.bbox;
  if (bbox === undefined) {
    if (item.geometry !== null && item.geometry !== undefined) {
      add('is required when geometry is not null; expected [west, south, east, north]');
    }
    return;
  }
  const sides = readBbox(bbox, add);
  if (!sides || !bboxInRange(sides, add) || !extent) return;
  compareWithExtent(bbox as unknown[], sides, extent, options.tolerance, add);
}
