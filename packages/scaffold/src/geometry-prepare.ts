import type { Bbox, Geometry, Position } from '@scm/core';
import { computeBbox, samePosition } from '@scm/core/geojson';
import { splitAntimeridian } from './antimeridian.js';
import { geometryProblems } from './geometry-check.js';
import { parseGeometry } from './geometry-parse.js';
import type { ScaffoldRule } from './rules.js';

/** Options of {@link prepareGeometry}; the same names and defaults as in `ScaffoldOptions`. */
export interface PrepareGeometryOptions {
  /** Wrap longitudes in (180, 360] to (-180, 0] before checking. Default `false`. */
  normalizeLongitude?: boolean;
  /** Close a polygon ring whose last position differs from its first, with a warning. Default `true`. */
  closeRings?: boolean;
  /** Cut geometries crossing the antimeridian into parts on each side (RFC 7946 §3.1.9). Default `true`. */
  splitAntimeridian?: boolean;
}

/** What {@link prepareGeometry} returns. */
export type PrepareGeometryResult =
  | {
      ok: true;
      /** The checked geometry, cut at the antimeridian when needed; `null` when the input had none. */
      geometry: Geometry | null;
      /** Its bounding box; absent when the geometry is `null`. */
      bbox?: Bbox;
      /** What was changed on the way, each starting with `geometry:`. */
      warnings: string[];
    }
  | {
      ok: false;
      /** The rule of the first problem. */
      rule: ScaffoldRule;
      /** Every problem found, each naming its coordinate path. */
      problems: string[];
    };

/**
 * The whole geometry step of scaffolding: {@link parseGeometry}, then the
 * optional longitude wrap and ring closing, {@link checkGeometry},
 * {@link splitAntimeridian} and {@link computeBbox}.
 */
export function prepareGeometry(value: unknown, options: PrepareGeometryOptions = {}): PrepareGeometryResult {
  const parsed = parseGeometry(value);
  if (!parsed.ok) return { ok: false, rule: 'geometry_invalid', problems: [parsed.problem] };
  const warnings = parsed.warnings;
  const geometry = parsed.geometry;
  if (geometry === null) return { ok: true, geometry: null, warnings };
  // parseGeometry returned fresh arrays, so the fixes below may work in place.
  if (options.normalizeLongitude === true) wrapLongitudes(geometry);
  if (options.closeRings !== false) {
    const closed: string[] = [];
    forEachRing(geometry, '', (ring, path) => {
      if (ring.length >= 3 && !samePosition(ring[0]!, ring[ring.length - 1]!)) {
        ring.push(ring[0]!.slice());
        closed.push(path());
      }
    });
    if (closed.length > 0) {
      const what = closed.length === 1 ? 'an unclosed ring' : `${closed.length} unclosed rings`;
      warnings.push(`geometry: closed ${what} (${closed.join(', ')}) by repeating the first position`);
    }
  }
  const problems = geometryProblems(geometry);
  if (problems.length > 0)
    return { ok: false, rule: problems[0]!.rule, problems: problems.map((p) => p.message) };
  let final = geometry;
  if (options.splitAntimeridian !== false) {
    final = splitAntimeridian(geometry);
    if (final !== geometry) {
      warnings.push(
        `geometry: crosses the antimeridian; cut into a ${final.type} with parts on each side of it (RFC 7946 §3.1.9)`,
      );
    }
  }
  return { ok: true, geometry: final, bbox: computeBbox(final), warnings };
}

function wrapLongitudes(geometry: Geometry): void {
  const wrap = (line: Position[]) => {
    for (const p of line) if (p[0]! > 180 && p[0]! <= 360) p[0] = p[0]! - 360;
  };
  switch (geometry.type) {
    case 'Point':
      wrap([geometry.coordinates]);
      return;
    case 'MultiPoint':
    case 'LineString':
      wrap(geometry.coordinates);
      return;
    case 'MultiLineString':
    case 'Polygon':
      for (const line of geometry.coordinates) wrap(line);
      return;
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) for (const ring of polygon) wrap(ring);
      return;
    case 'GeometryCollection':
      for (const member of geometry.geometries) wrapLongitudes(member);
      return;
  }
}

/** Calls `fn` for every polygon ring; `path` builds the ring's coordinate path only when asked. */
function forEachRing(
  geometry: Geometry,
  prefix: string,
  fn: (ring: Position[], path: () => string) => void,
): void {
  switch (geometry.type) {
    case 'Polygon':
      for (let i = 0; i < geometry.coordinates.length; i++) {
        fn(geometry.coordinates[i]!, () => `${prefix}coordinates[${i}]`);
      }
      return;
    case 'MultiPolygon':
      for (let i = 0; i < geometry.coordinates.length; i++) {
        const polygon = geometry.coordinates[i]!;
        for (let j = 0; j < polygon.length; j++) fn(polygon[j]!, () => `${prefix}coordinates[${i}][${j}]`);
      }
      return;
    case 'GeometryCollection':
      for (let i = 0; i < geometry.geometries.length; i++) {
        forEachRing(geometry.geometries[i]!, `${prefix}geometries[${i}].`, fn);
      }
      return;
    default:
      return;
  }
}
