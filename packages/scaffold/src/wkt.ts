import type { Geometry, Position } from '@scm/core';
import { wktToGeoJSON } from '@terraformer/wkt';

/** What reading a WKT string gives: a geometry (with notes) or the reason it could not be read. */
export type WktReadResult =
  | {
      ok: true;
      geometry: Geometry;
      warnings: string[];
      /** True when the fast reader produced it: fresh arrays with a checked structure. */
      checked: boolean;
      /** The EWKT `SRID=n;` prefix, when the text had one. */
      srid?: number;
    }
  | {
      ok: false;
      problem: string;
      /** Set when the text was refused for its SRID alone (not WGS 84). */
      srid?: number;
    };

/** Options of {@link readWkt}. */
export interface WktReadOptions {
  /**
   * Accept any EWKT SRID without reprojecting (the caller has said the
   * coordinates are longitude/latitude anyway). Default `false`: only the
   * WGS 84 SRIDs 4326 and 4979 are accepted.
   */
  anySrid?: boolean;
}

/** SRIDs that mean WGS 84 longitude/latitude (2D and 3D), the only reference system GeoJSON allows. */
export const WGS84_SRIDS: ReadonlySet<number> = new Set([4326, 4979]);

const SRID_PREFIX = /^\s*SRID\s*=\s*(-?\d+)\s*;/i;

/**
 * Reads WKT or EWKT (`SRID=4326;POLYGON(...)`) into a GeoJSON geometry.
 *
 * The common shapes (POINT, LINESTRING, POLYGON and their MULTI forms, 2D or
 * Z) go through a small strict reader written for speed. Anything it does not
 * accept exactly, including M values, EMPTY, GEOMETRYCOLLECTION and every
 * malformed string, is handed to `@terraformer/wkt`, which stays the authority
 * on what is valid WKT. The fast reader only accepts strings that terraformer
 * also accepts, and returns the same coordinates (a test checks this).
 *
 * This is the one WKT reader of the workspace: `@scm/transform` receives it
 * through its mapping options, composed by `@scm/workflow` and the CLI.
 */
export function readWkt(text: string, options: WktReadOptions = {}): WktReadResult {
  let body = text;
  const prefix = SRID_PREFIX.exec(text);
  const srid = prefix ? Number(prefix[1]) : undefined;
  if (prefix && srid !== undefined) {
    if (!WGS84_SRIDS.has(srid) && options.anySrid !== true) {
      return {
        ok: false,
        problem: `SRID=${srid} is not WGS 84 longitude/latitude (SRID 4326 or 4979), the only reference system GeoJSON allows`,
        srid,
      };
    }
    body = text.slice(prefix[0].length);
  }
  const result = readBody(body);
  if (result.ok && srid !== undefined) result.srid = srid;
  return result;
}

function readBody(body: string): WktReadResult {
  const fast = fastReadWkt(body);
  if (fast) return { ok: true, geometry: fast, warnings: [], checked: true };
  return readWithTerraformer(body);
}

function readWithTerraformer(body: string): WktReadResult {
  let parsed: unknown;
  try {
    // WKT keywords are case-insensitive; terraformer only knows upper case.
    parsed = wktToGeoJSON(body.trim().toUpperCase());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const firstLine = message.split('\n')[0] ?? message;
    return { ok: false, problem: `not valid WKT (${firstLine.replace(/^Unable to parse: /, '')})` };
  }
  const warnings: string[] = [];
  const geometry = stripTerraformerFlags(parsed, warnings) as Geometry;
  if (isEmptyGeometry(geometry)) return { ok: false, problem: EMPTY_WKT };
  return { ok: true, geometry, warnings, checked: false };
}

/**
 * terraformer marks Z/M geometries with a non-standard `properties` member
 * (`{ z: true, m: true }`). GeoJSON has no measure ordinate, so M values are
 * dropped and the marker removed.
 */
function stripTerraformerFlags(value: unknown, warnings: string[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const source = value as {
    type?: unknown;
    coordinates?: unknown;
    geometries?: unknown;
    properties?: unknown;
  };
  const flags = (source.properties ?? {}) as { m?: unknown };
  const out: Record<string, unknown> = { type: source.type };
  if (Array.isArray(source.geometries)) {
    out.geometries = source.geometries.map((g) => stripTerraformerFlags(g, warnings));
  } else {
    out.coordinates = flags.m === true ? dropLastOrdinate(source.coordinates) : source.coordinates;
    if (flags.m === true && !warnings.includes(M_DROPPED)) warnings.push(M_DROPPED);
  }
  return out;
}

const EMPTY_WKT = 'the WKT geometry is EMPTY; an EMPTY geometry has no location';

/** An EMPTY geometry (only terraformer reads them; the fast reader gives up on EMPTY). */
function isEmptyGeometry(geometry: Geometry): boolean {
  if (geometry.type === 'GeometryCollection') return geometry.geometries.length === 0;
  return Array.isArray(geometry.coordinates) && geometry.coordinates.length === 0;
}

const M_DROPPED = 'geometry: M (measure) values were dropped; GeoJSON has no measure ordinate';

function dropLastOrdinate(coordinates: unknown): unknown {
  if (!Array.isArray(coordinates)) return coordinates;
  if (coordinates.length > 0 && typeof coordinates[0] === 'number') return coordinates.slice(0, -1);
  return coordinates.map(dropLastOrdinate);
}

// ---------------------------------------------------------------- the fast reader

/** Thrown inside the fast reader to give up and let terraformer decide. */
const GIVE_UP = Symbol('give-up');

const CH_SPACE = 32;
const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_OPEN = 40;
const CH_CLOSE = 41;
const CH_COMMA = 44;
const CH_MINUS = 45;
const CH_PLUS = 43;
const CH_DOT = 46;
const CH_0 = 48;
const CH_9 = 57;
const CH_E_UPPER = 69;
const CH_E_LOWER = 101;

class FastReader {
  private i = 0;
  /** 2 or 3 once the first position fixed it; 0 before. */
  private dim = 0;

  constructor(private readonly s: string) {}

  read(): Geometry {
    this.ws();
    const keyword = this.word();
    this.ws();
    if (this.peekLetter()) {
      const tag = this.word();
      if (tag !== 'Z') throw GIVE_UP; // M, ZM, EMPTY and the rest go to terraformer
      this.dim = 3;
      this.ws();
    }
    let geometry: Geometry;
    switch (keyword) {
      case 'POINT':
        this.open();
        geometry = { type: 'Point', coordinates: this.position() };
        this.close();
        break;
      case 'LINESTRING':
        geometry = { type: 'LineString', coordinates: this.lineList() };
        break;
      case 'POLYGON':
        geometry = { type: 'Polygon', coordinates: this.rings() };
        break;
      case 'MULTIPOINT':
        geometry = { type: 'MultiPoint', coordinates: this.multiPoint() };
        break;
      case 'MULTILINESTRING': {
        const lines: Position[][] = [];
        this.open();
        lines.push(this.lineList());
        while (this.comma()) lines.push(this.lineList());
        this.close();
        geometry = { type: 'MultiLineString', coordinates: lines };
        break;
      }
      case 'MULTIPOLYGON': {
        const polygons: Position[][][] = [];
        this.open();
        polygons.push(this.rings());
        while (this.comma()) polygons.push(this.rings());
        this.close();
        geometry = { type: 'MultiPolygon', coordinates: polygons };
        break;
      }
      default:
        throw GIVE_UP;
    }
    this.ws();
    if (this.i !== this.s.length) throw GIVE_UP;
    return geometry;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== CH_SPACE && c !== CH_TAB && c !== CH_LF && c !== CH_CR) break;
      i++;
    }
    this.i = i;
  }

  private peekLetter(): boolean {
    const c = this.s.charCodeAt(this.i) | 0x20;
    return c >= 97 && c <= 122;
  }

  private word(): string {
    const start = this.i;
    while (this.i < this.s.length && this.peekLetter()) this.i++;
    if (this.i === start) throw GIVE_UP;
    return this.s.slice(start, this.i).toUpperCase();
  }

  private open(): void {
    this.ws();
    if (this.s.charCodeAt(this.i) !== CH_OPEN) throw GIVE_UP;
    this.i++;
    this.ws();
  }

  private close(): void {
    this.ws();
    if (this.s.charCodeAt(this.i) !== CH_CLOSE) throw GIVE_UP;
    this.i++;
    this.ws();
  }

  private comma(): boolean {
    this.ws();
    if (this.s.charCodeAt(this.i) !== CH_COMMA) return false;
    this.i++;
    this.ws();
    return true;
  }

  /**
   * A number as terraformer's lexer reads it: `-?digits(.digits)?([eE][+-]?digits)?`.
   *
   * Numbers with at most 15 significant digits and no exponent are computed
   * as `digits / 10^decimals`: both operands are exact doubles, and IEEE
   * division rounds correctly, so the result is exactly what `Number(text)`
   * gives (the classic fast path of decimal conversion). Anything longer goes
   * through `Number`.
   */
  private number(): number {
    const s = this.s;
    const start = this.i;
    let i = start;
    let negative = false;
    if (s.charCodeAt(i) === CH_MINUS) {
      negative = true;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let decimals = 0;
    const intStart = i;
    for (let c = s.charCodeAt(i); c >= CH_0 && c <= CH_9; c = s.charCodeAt(++i)) {
      mantissa = mantissa * 10 + (c - CH_0);
      if (mantissa !== 0) digits++;
    }
    if (i === intStart) throw GIVE_UP;
    if (s.charCodeAt(i) === CH_DOT) {
      i++;
      const fracStart = i;
      for (let c = s.charCodeAt(i); c >= CH_0 && c <= CH_9; c = s.charCodeAt(++i)) {
        mantissa = mantissa * 10 + (c - CH_0);
        if (mantissa !== 0) digits++;
      }
      decimals = i - fracStart;
      if (decimals === 0) throw GIVE_UP;
    }
    let exact = digits <= 15 && decimals <= 22;
    const e = s.charCodeAt(i);
    if (e === CH_E_UPPER || e === CH_E_LOWER) {
      exact = false;
      i++;
      const sign = s.charCodeAt(i);
      if (sign === CH_MINUS || sign === CH_PLUS) i++;
      const expStart = i;
      while (isDigit(s.charCodeAt(i))) i++;
      if (i === expStart) throw GIVE_UP;
    }
    // The next character must end the token: a separator, a bracket or the end.
    if (i < s.length) {
      const next = s.charCodeAt(i);
      if (
        next !== CH_SPACE &&
        next !== CH_TAB &&
        next !== CH_LF &&
        next !== CH_CR &&
        next !== CH_COMMA &&
        next !== CH_CLOSE
      ) {
        throw GIVE_UP;
      }
    }
    this.i = i;
    if (!exact) return Number(s.slice(start, i));
    const magnitude = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals]!;
    return negative ? -magnitude : magnitude;
  }

  private position(): Position {
    const x = this.number();
    this.requireSpace();
    const y = this.number();
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === CH_MINUS || isDigit(c)) {
      const z = this.number();
      this.ws();
      if (this.dim === 2) throw GIVE_UP;
      this.dim = 3;
      return [x, y, z];
    }
    if (this.dim === 3) throw GIVE_UP;
    this.dim = 2;
    return [x, y];
  }

  private requireSpace(): void {
    const before = this.i;
    this.ws();
    if (this.i === before) throw GIVE_UP;
  }

  private positionList(): Position[] {
    const list: Position[] = [];
    this.open();
    list.push(this.position());
    while (this.comma()) list.push(this.position());
    this.close();
    return list;
  }

  /** A position list of a line: fewer than 2 positions is left to the slow path to report. */
  private lineList(): Position[] {
    const list = this.positionList();
    if (list.length < 2) throw GIVE_UP;
    return list;
  }

  private rings(): Position[][] {
    const rings: Position[][] = [];
    this.open();
    rings.push(this.positionList());
    while (this.comma()) rings.push(this.positionList());
    this.close();
    return rings;
  }

  private multiPoint(): Position[] {
    const points: Position[] = [];
    this.open();
    do {
      if (this.s.charCodeAt(this.i) === CH_OPEN) {
        this.open();
        points.push(this.position());
        this.close();
      } else {
        points.push(this.position());
      }
    } while (this.comma());
    this.close();
    return points;
  }
}

/** 10^0 … 10^22, all exact doubles. */
const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * The strict fast path: a geometry, or `undefined` when the string is anything
 * but a plain, well-formed POINT / LINESTRING / POLYGON / MULTI* in 2D or Z.
 * Exported for the differential test against terraformer.
 */
export function fastReadWkt(text: string): Geometry | undefined {
  try {
    return new FastReader(text).read();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
