import type { Geometry, Position } from '@scm/core';
import { polygonSelfIntersection, ringProblem } from '@scm/core/geojson';
import { structureProblem } from './geometry-parse.js';
import type { Problem } from './rules.js';

/** Position-level problems reported before "and N more". */
const MAX_POSITION_PROBLEMS = 3;

/**
 * Lists what is wrong with a GeoJSON geometry, as messages naming the
 * coordinate path (`coordinates[0][2]: latitude 95 is outside [-90, 90]`).
 * An empty list means the geometry is valid for a STAC Item:
 *
 * - a GeoJSON geometry type with correctly nested coordinates;
 * - every ordinate a finite number (no NaN or Infinity);
 * - longitudes in [-180, 180], latitudes in [-90, 90];
 * - polygon rings closed, with at least 4 positions and a non-zero area;
 * - polygon boundaries that neither cross nor touch themselves (a bow-tie
 *   fails), judged on continuous longitudes for polygons crossing the
 *   antimeridian;
 * - a polygon crossing the antimeridian must not wind around a pole.
 *
 * It never changes the geometry and never throws.
 */
export function checkGeometry(geometry: Geometry): string[] {
  const structural = structureProblem(geometry);
  if (structural !== undefined) return [structural];
  return geometryProblems(geometry).map((p) => p.message);
}

/** The problems of a structurally sound geometry, each with its rule. */
export function geometryProblems(geometry: Geometry): Problem[] {
  const problems: Problem[] = [];
  const counter = { positions: 0 };
  checkPositions(geometry, '', problems, counter);
  if (counter.positions > MAX_POSITION_PROBLEMS) {
    const hidden = counter.positions - MAX_POSITION_PROBLEMS;
    problems.push({
      rule: problems[0]!.rule,
      message: `and ${hidden} more position problem${hidden > 1 ? 's' : ''}`,
    });
  }
  if (problems.length > 0) return problems;
  checkShapes(geometry, '', problems);
  return problems;
}

function checkPositions(
  geometry: Geometry,
  prefix: string,
  problems: Problem[],
  counter: { positions: number },
): void {
  // Paths are only built for bad positions: this loop runs for every position of every record.
  const add = (problem: Problem, indices: string) => {
    counter.positions += 1;
    if (counter.positions <= MAX_POSITION_PROBLEMS) {
      problems.push({ rule: problem.rule, message: `${prefix}coordinates${indices}: ${problem.message}` });
    }
  };
  let found: Problem | undefined;
  switch (geometry.type) {
    case 'Point':
      found = positionProblem(geometry.coordinates);
      if (found) add(found, '');
      return;
    case 'MultiPoint':
    case 'LineString': {
      const list = geometry.coordinates;
      for (let i = 0; i < list.length; i++) {
        found = positionProblem(list[i]!);
        if (found) add(found, `[${i}]`);
      }
      return;
    }
    case 'MultiLineString':
    case 'Polygon': {
      const lines = geometry.coordinates;
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        for (let j = 0; j < line.length; j++) {
          found = positionProblem(line[j]!);
          if (found) add(found, `[${i}][${j}]`);
        }
      }
      return;
    }
    case 'MultiPolygon': {
      const polygons = geometry.coordinates;
      for (let i = 0; i < polygons.length; i++) {
        const rings = polygons[i]!;
        for (let j = 0; j < rings.length; j++) {
          const ring = rings[j]!;
          for (let k = 0; k < ring.length; k++) {
            found = positionProblem(ring[k]!);
            if (found) add(found, `[${i}][${j}][${k}]`);
          }
        }
      }
      return;
    }
    case 'GeometryCollection':
      for (let i = 0; i < geometry.geometries.length; i++) {
        checkPositions(geometry.geometries[i]!, `${prefix}geometries[${i}].`, problems, counter);
      }
      return;
  }
}

/** What is wrong with one position (message without its path), or `undefined`. */
function positionProblem(p: Position): Problem | undefined {
  const x = p[0]!;
  const y = p[1]!;
  // The common, valid case first.
  if (
    x >= -180 &&
    x <= 180 &&
    y >= -90 &&
    y <= 90 &&
    (p.length === 2 || (p.length === 3 && Number.isFinite(p[2])))
  ) {
    return undefined;
  }
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) {
      return { rule: 'geometry_not_finite', message: `ordinate ${i} is ${p[i]}, not a finite number` };
    }
  }
  if (x < -180 || x > 180) {
    const hint = x > 180 && x <= 360 ? ' (set normalizeLongitude to wrap 0..360 longitudes)' : '';
    return { rule: 'geometry_out_of_range', message: `longitude ${x} is outside [-180, 180]${hint}` };
  }
  if (y < -90 || y > 90)
    return { rule: 'geometry_out_of_range', message: `latitude ${y} is outside [-90, 90]` };
  return undefined;
}

function checkShapes(geometry: Geometry, prefix: string, problems: Problem[]): void {
  const path = `${prefix}coordinates`;
  switch (geometry.type) {
    case 'Polygon':
      checkPolygon(geometry.coordinates, path, problems);
      return;
    case 'MultiPolygon':
      for (let i = 0; i < geometry.coordinates.length; i++) {
        checkPolygon(geometry.coordinates[i]!, `${path}[${i}]`, problems);
      }
      return;
    case 'GeometryCollection':
      for (let i = 0; i < geometry.geometries.length; i++) {
        checkShapes(geometry.geometries[i]!, `${prefix}geometries[${i}].`, problems);
      }
      return;
    default:
      return;
  }
}

function checkPolygon(rings: Position[][], path: string, problems: Problem[]): void {
  if (!checkRings(rings, path, problems)) return;
  const verdict = polygonSelfIntersection(rings);
  if (verdict === undefined) return;
  if (verdict.kind === 'winds-around-pole') {
    problems.push({
      rule: 'geometry_winds_around_pole',
      message: `${path}: polygon crosses the antimeridian and winds around a pole (or spans 360° of longitude); it cannot be cut into parts on each side of the antimeridian`,
    });
  } else if (verdict.kind === 'intersection') {
    problems.push({
      rule: 'geometry_self_intersection',
      message: `${path}: polygon boundary crosses or touches itself near ${fmt(verdict.at)}`,
    });
  } else {
    problems.push({
      rule: 'geometry_zero_area',
      message: `${path}[${verdict.ring}]: ring has zero area (all its positions are on one line)`,
    });
  }
}

/** Ring shape (closed, 4 positions or more) of every ring; false when one fails. */
function checkRings(rings: Position[][], path: string, problems: Problem[]): boolean {
  let ringsOk = true;
  for (let i = 0; i < rings.length; i++) {
    const ring = rings[i]!;
    const problem = ringProblem(ring);
    if (problem === 'not-closed') {
      problems.push({
        rule: 'geometry_ring_not_closed',
        message: `${path}[${i}]: ring is not closed (its first position ${fmt(ring[0]!)} differs from its last ${fmt(ring[ring.length - 1]!)})`,
      });
    } else if (problem === 'too-short') {
      problems.push({
        rule: 'geometry_ring_too_short',
        message: `${path}[${i}]: ring has ${ring.length} positions; a closed ring needs at least 4`,
      });
    }
    if (problem) ringsOk = false;
  }
  return ringsOk;
}

function fmt(p: Position): string {
  return `[${p.map((n) => (Number.isInteger(n) ? n : Number(n.toFixed(7)))).join(', ')}]`;
}
