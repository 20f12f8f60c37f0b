/**
 * GeoJSON geometry rules shared by every package (`@scm/core/geojson`):
 * structure tables, ring shape and orientation, antimeridian handling,
 * bounding boxes and the self-intersection test. Dependency-free.
 *
 * @packageDocumentation
 */
export {
  continuousLine,
  edgeCrossesAntimeridian,
  lineCrossesAntimeridian,
  longitudeRange,
  ringArea2,
  unwrapPolygon,
  unwrapRing,
} from './antimeridian.js';
export type { LonRange } from './bbox.js';
export {
  bboxesAgree,
  computeBbox,
  geometryFromBbox,
  horizontal,
  isBboxShape,
  mergeRanges,
  unionLongitudes,
} from './bbox.js';
export type { PolygonIntersection, RingProblem } from './rings.js';
export {
  COORDINATE_DEPTH,
  GEOMETRY_TYPES,
  isCounterClockwise,
  polygonSelfIntersection,
  ringProblem,
  samePosition,
} from './rings.js';
export {
  findSelfIntersection,
  isStrictlyConvexRing,
  sweepIntersection,
  withoutRepeats,
} from './self-intersection.js';
