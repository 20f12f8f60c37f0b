// Draws the report's world map in the browser. Bundled with its libraries and
// the land outline into dist/viewer.js at build time, then inlined into each
// report.html, so a report needs no network when it is opened.
import { geoArea, geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
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

function drawMap(svg, data) {
  const width = 960;
  const height = 500;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const projection = geoNaturalEarth1().fitExtent(
    [
      [6, 6],
      [width - 6, height - 6],
    ],
    { type: 'Sphere' },
  );
  const path = geoPath(projection).pointRadius(2.5);
  append(svg, path({ type: 'Sphere' }), 'sphere');
  append(svg, path(geoGraticule10()), 'graticule');
  append(svg, path(feature(land110m, land110m.objects.land)), 'land');
  let footprints = 0;
  for (const f of data.footprints) {
    const label = f.collection ? `${f.id} (${f.collection})` : f.id;
    if (append(svg, path(rewind(f.geometry)), 'footprint', label)) footprints += 1;
  }
  let extents = 0;
  for (const c of data.collections) {
    for (const box of c.bboxes) {
      if (append(svg, path(bboxGeometry(box)), 'extent', `${c.id} extent ${box.join(', ')}`)) extents += 1;
    }
  }
  svg.setAttribute('data-footprints', String(footprints));
  svg.setAttribute('data-extents', String(extents));
}

const holder = document.getElementById('report-data');
const svg = document.getElementById('map');
if (holder && svg) drawMap(svg, JSON.parse(holder.textContent));
