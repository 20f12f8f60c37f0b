import type { Geometry } from '@scm/core';
import { wktToGeoJSON } from '@terraformer/wkt';

/**
 * WKT to GeoJSON.
 *
 * A small hand-written reader handles the common shapes (POINT, LINESTRING,
 * POLYGON, the MULTI forms and GEOMETRYCOLLECTION, with Z, M and ZM). It is
 * about ten times faster than the generated parser of `@terraformer/wkt`,
 * which is what keeps WKT columns from dominating the mapping time. Any text
 * the fast reader does not accept is handed to `@terraformer/wkt`, so
 * terraformer decides what is valid at the edges; a test checks that both
 * agree on a corpus of shapes.
 */

const TYPES = [
  'POINT',
  'LINESTRING',
  'POLYGON',
  'MULTIPOINT',
  'MULTILINESTRING',
  'MULTIPOLYGON',
  'GEOMETRYCOLLECTION',
] as const;
type WktType = (typeof TYPES)[number];

/** The fast reader does not accept the text; `at` is where it stopped. */
class Reject extends Error {
  constructor(readonly at: number) {
    super('rejected');
  }
}

/** A WKT number: optional minus, digits with an optional fraction, optional exponent. */
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

class Reader {
  private i = 0;
  constructor(private readonly text: string) {}

  private space(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i += 1;
      else break;
    }
  }

  private expect(ch: string): void {
    this.space();
    if (this.text[this.i] !== ch) throw new Reject(this.i);
    this.i += 1;
  }

  private peek(): string | undefined {
    this.space();
    return this.text[this.i];
  }

  private word(): string {
    this.space();
    const start = this.i;
    while (this.i < this.text.length) {
      const c = this.text.charCodeAt(this.i) | 32;
      if (c >= 97 && c <= 122) this.i += 1;
      else break;
    }
    return this.text.slice(start, this.i).toUpperCase();
  }

  private number(): number {
    this.space();
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) throw new Reject(this.i);
    this.i = NUMBER.lastIndex;
    const value = Number(m[0]);
    if (!Number.isFinite(value)) throw new Reject(this.i);
    return value;
  }

  /** A position; `keep` is how many ordinates to keep (drops M). */
  private position(keep: number): number[] {
    const out = [this.number(), this.number()];
    let count = 2;
    while (true) {
      const c = this.peek();
      if (c === ',' || c === ')' || c === undefined) break;
      const value = this.number();
      count += 1;
      if (count > 4) throw new Reject(this.i);
      if (out.length < keep) out.push(value);
    }
    return out;
  }

  private list<T>(item: () => T): T[] {
    this.expect('(');
    const out = [item()];
    while (this.peek() === ',') {
      this.i += 1;
      out.push(item());
    }
    this.expect(')');
    return out;
  }

  private points(keep: number): number[][] {
    return this.list(() => this.position(keep));
  }

  geometry(): Geometry {
    const name = this.word() as WktType;
    if (!TYPES.includes(name)) throw new Reject(this.i);
    let keep = 3;
    const save = this.i;
    const dim = this.word();
    if (dim === 'Z') keep = 3;
    else if (dim === 'M') keep = 2;
    else if (dim === 'ZM') keep = 3;
    else if (dim === 'EMPTY') throw new Reject(this.i);
    else this.i = save;
    switch (name) {
      case 'POINT': {
        this.expect('(');
        const p = this.position(keep);
        this.expect(')');
        return { type: 'Point', coordinates: p };
      }
      case 'LINESTRING':
        return { type: 'LineString', coordinates: this.points(keep) };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: this.list(() => this.points(keep)) };
      case 'MULTIPOINT':
        return {
          type: 'MultiPoint',
          coordinates: this.list(() => {
            if (this.peek() === '(') {
              this.i += 1;
              const p = this.position(keep);
              this.expect(')');
              return p;
            }
            return this.position(keep);
          }),
        };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: this.list(() => this.points(keep)) };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: this.list(() => this.list(() => this.points(keep))) };
      case 'GEOMETRYCOLLECTION':
        return { type: 'GeometryCollection', geometries: this.list(() => this.geometry()) };
      default:
        throw new Reject(this.i);
    }
  }

  end(): boolean {
    this.space();
    return this.i === this.text.length;
  }

  /** Where reading stopped. */
  get offset(): number {
    return this.i;
  }
}

/** Reads WKT with the fast reader; undefined when it does not accept the text. */
export function fastWkt(text: string): Geometry | undefined {
  const result = readFast(text);
  return typeof result === 'number' ? undefined : result;
}

/** The geometry, or the character index where the fast reader stopped. */
function readFast(text: string): Geometry | number {
  const reader = new Reader(text);
  try {
    const geometry = reader.geometry();
    return reader.end() ? geometry : reader.offset;
  } catch (error) {
    if (error instanceof Reject) return error.at;
    throw error;
  }
}

/** Removes terraformer's non-standard `properties` member and drops M ordinates, recursively. */
function cleanTerraformer(raw: unknown): Geometry {
  const g = raw as {
    type: Geometry['type'];
    coordinates?: unknown;
    geometries?: unknown[];
    properties?: { z?: boolean; m?: boolean };
  };
  if (g.type === 'GeometryCollection') {
    return { type: 'GeometryCollection', geometries: (g.geometries ?? []).map(cleanTerraformer) };
  }
  const hasM = g.properties?.m === true;
  const hasZ = g.properties?.z === true;
  const dropM = (c: unknown): unknown => {
    if (!Array.isArray(c)) return c;
    if (typeof c[0] === 'number') {
      if (!hasM) return c.slice();
      return hasZ ? c.slice(0, 3) : c.slice(0, 2);
    }
    return c.map(dropM);
  };
  return { type: g.type, coordinates: dropM(g.coordinates) } as Geometry;
}

function isEmptyGeometry(g: Geometry): boolean {
  if (g.type === 'GeometryCollection') return g.geometries.length === 0;
  return Array.isArray(g.coordinates) && g.coordinates.length === 0;
}

/** Result of {@link parseWkt}. */
export type WktResult = { ok: true; geometry: Geometry; srid?: number } | { ok: false; message: string };

/**
 * Parses WKT or EWKT (`SRID=4326;POINT(1 2)`) into a GeoJSON geometry.
 * Keywords are case-insensitive. `EMPTY` geometries are rejected (a STAC
 * Item needs a real geometry or `null`).
 */
export function parseWkt(input: string): WktResult {
  let text = input.trim();
  let srid: number | undefined;
  const ewkt = /^SRID=(\d+);/i.exec(text);
  if (ewkt) {
    srid = Number(ewkt[1]);
    text = text.slice(ewkt[0].length);
  }
  const fast = readFast(text);
  let geometry: Geometry;
  if (typeof fast !== 'number') geometry = fast;
  else {
    try {
      geometry = cleanTerraformer(wktToGeoJSON(text.toUpperCase()));
    } catch {
      const where =
        fast >= text.length
          ? 'the text ends too early'
          : `unexpected ${JSON.stringify(text[fast])} at character ${fast + 1}`;
      return { ok: false, message: `not valid WKT: ${where}` };
    }
  }
  if (isEmptyGeometry(geometry)) return { ok: false, message: 'the WKT geometry is EMPTY' };
  return srid === undefined ? { ok: true, geometry } : { ok: true, geometry, srid };
}
