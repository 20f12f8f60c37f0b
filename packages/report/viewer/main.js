// Draws the report's world map in the browser. Bundled with its libraries and
// the land outline into dist/viewer.js at build time, then inlined into each
// report.html, so a report needs no network when it is opened.
import { geoArea, geoBounds, geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import land110m from 'world-atlas/land-110m.json';

const SVG = 'http://www.w3.org/2000/svg';

// d3-geo reads a polygon as spherical: a ring wound the "wrong" way (as RFC
// 7946 winds exteriors) would cover the rest of the globe. Such a polygon is
// larger than a hemisphere, so its rings are reversed.
function rewindPolygon(coordinates) {
  const area = geoArea({ type: 'Polygon', coordinates });
  return area > 2 * Math.PI ? coordinates.map((ring) => [...ring].reverse()) : coordinates;
}

export function rewind(geometry) {
  if (!geometry || typeof geometry !== 'object') return geometry;
  if (geometry.type === 'Polygon')
    return { type: 'Polygon', coordinates: rewindPolygon(geometry.coordinates) };
  if (geometry.type === 'MultiPolygon') {
    return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(rewindPolygon) };
  }
  if (geometry.type === 'GeometryCollection') {
    return { type: 'GeometryCollection', geometries: geometry.geometries.map(rewind) };
  }
  return geometry;
}

const wrap = (lon) => ((((lon + 180) % 360) + 360) % 360) - 180;

// A bbox as a polygon that follows its parallels (short steps, so each edge is
// an unambiguous great arc); west > east crosses the antimeridian.
export function bboxGeometry([west, south, east0, north]) {
  const east = east0 < west ? east0 + 360 : east0;
  if (east - west >= 359.999 && south <= -89.999 && north >= 89.999) return { type: 'Sphere' };
  const steps = Math.max(1, Math.ceil((east - west) / 5));
  const bottom = [];
  const top = [];
  for (let i = 0; i <= steps; i++) {
    const lon = wrap(west + ((east - west) * i) / steps);
    bottom.push([lon, south]);
    top.unshift([lon, north]);
  }
  const ring = [...bottom, ...top, bottom[0]];
  return rewind({ type: 'Polygon', coordinates: [ring] });
}

function append(parent, d, className, title) {
  if (!d) return undefined;
  const el = document.createElementNS(SVG, 'path');
  el.setAttribute('d', d);
  el.setAttribute('class', className);
  if (title) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    el.appendChild(t);
  }
  parent.appendChild(el);
  return el;
}

// The region worth showing: the shapes' bounds (geoBounds knows the antimeridian),
// widened to at least 60 by 35 degrees so the coast around them gives context.
function viewOf(shapes) {
  if (shapes.length === 0) return undefined;
  const [[w, s], [e0, n]] = geoBounds({ type: 'GeometryCollection', geometries: shapes });
  const e = e0 < w ? e0 + 360 : e0;
  if (e - w > 200) return { center: (w + e) / 2 };
  const center = (w + e) / 2;
  const half = Math.max((e - w) / 2 + 5, 30);
  const mid = (s + n) / 2;
  const halfLat = Math.max((n - s) / 2 + 4, 17.5);
  const box = [center - half, Math.max(-89, mid - halfLat), center + half, Math.min(89, mid + halfLat)];
  return { center, box };
}

function drawMap(svg, data) {
  const width = 960;
  const height = 500;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const footprints = data.footprints.map((f) => ({ ...f, geometry: rewind(f.geometry) }));
  const extents = data.collections.flatMap((c) =>
    c.bboxes.map((box) => ({ id: c.id, box, geometry: bboxGeometry(box) })),
  );
  const view = viewOf(
    [...footprints, ...extents].map((s) => s.geometry).filter((g) => g && g.type !== 'Sphere'),
  );
  // Centring on the data keeps a footprint across the antimeridian in one piece.
  const projection = geoNaturalEarth1().rotate([-(view?.center ?? 0), 0]);
  const frame = [
    [6, 6],
    [width - 6, height - 6],
  ];
  projection.fitExtent(
    frame,
    view?.box ? bboxGeometry(view.box.map((v, i) => (i % 2 === 0 ? wrap(v) : v))) : { type: 'Sphere' },
  );
  const path = geoPath(projection).pointRadius(2.5);
  append(svg, path({ type: 'Sphere' }), 'sphere');
  append(svg, path(geoGraticule10()), 'graticule');
  append(svg, path(feature(land110m, land110m.objects.land)), 'land');
  let drawn = 0;
  for (const f of footprints) {
    const label = f.collection ? `${f.id} (${f.collection})` : f.id;
    if (append(svg, path(f.geometry), 'footprint', label)) drawn += 1;
  }
  let outlined = 0;
  for (const x of extents) {
    if (append(svg, path(x.geometry), 'extent', `${x.id} extent ${x.box.join(', ')}`)) outlined += 1;
  }
  svg.setAttribute('data-footprints', String(drawn));
  svg.setAttribute('data-extents', String(outlined));
}

const holder = document.getElementById('report-data');
const svg = document.getElementById('map');
if (holder && svg) drawMap(svg, JSON.parse(holder.textContent));
