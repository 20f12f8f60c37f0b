import type { JsonObject, JsonValue } from '@scm/core';
import { isForbiddenKey } from '@scm/core';
import { compileDateParser, formatInstant, formatLocalDate } from './datetime.js';
import { bboxToGeometry, checkGeometry, toFiniteNumber } from './geometry.js';
import { type LookupTable, normalizeKey } from './lookup.js';
import { type Bindings, DefinitionError, getValue, type KeyPath, parsePath } from './path.js';
import type { WktReader } from './readers.js';
import { parseTemplate } from './template.js';
import { describeValue, isMissing, isObject, safeClone } from './values.js';

/** What a transform can read besides its input value. */
export interface EvalScope {
  /** The source record. */
  record: unknown;
  /** The item being enriched (enrichment only). */
  item: unknown;
  /** Keys bound to the rule's wildcards. */
  bindings: Bindings | undefined;
}

/** A value could not be converted; the message says what was expected. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/** A value a transform needs is missing (e.g. one of the bbox columns). */
export class MissingValue extends Error {
  override readonly name = 'MissingValue';
  constructor(readonly field: string) {
    super(`${field} is missing`);
  }
}

/** A compiled transform step. It throws {@link ValueError} or {@link MissingValue}; returning `undefined` means "missing". */
export type TransformFn = (value: unknown, scope: EvalScope) => unknown;

/** One option of a transform: its JSON Schema, description and default. */
export interface OptionSpec {
  schema: JsonObject;
  description: string;
  default?: JsonValue;
}

/** What a transform's compile step receives. */
export interface CompileEnv {
  tables: ReadonlyMap<string, LookupTable>;
  /** The rule's `default`, for `on_miss: default`. */
  ruleDefault: { present: boolean; value: unknown };
  /** The WKT reader given to the mapping, for `wkt_geometry`. */
  readWkt: WktReader | undefined;
}

/** A transform of the registry. */
export interface TransformDefinition {
  name: string;
  aliases?: string[];
  description: string;
  options: Record<string, OptionSpec>;
  required?: string[];
  /** True when, with these options, the transform reads its input from record fields (so the rule needs no source). */
  readsFields?: (options: Record<string, unknown>) => boolean;
  compile(options: Record<string, unknown>, env: CompileEnv): TransformFn;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NUMBER_COMMA = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;

function toNumber(value: unknown, decimal: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError(`${value} is not a finite number`);
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (decimal === ',' ? NUMBER_COMMA.test(text) : NUMBER.test(text)) {
      const n = Number(decimal === ',' ? text.replace(',', '.') : text);
      if (Number.isFinite(n)) return n;
    }
    throw new ValueError(`${describeValue(value)} is not a number`);
  }
  throw new ValueError(`expected a number, got ${describeKind(value)}`);
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${describeValue(value)}`;
}

function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new ValueError(`${what} needs a string, got ${describeKind(value)}`);
  return value;
}

function compilePaths(fields: unknown): KeyPath[] {
  return (fields as string[]).map((f) => {
    const path = parsePath(f, 'source');
    if (path.wildcards > 0 || path.hasPattern)
      throw new DefinitionError(`"fields" paths cannot hold wildcards or placeholders ("${f}")`);
    return path;
  });
}

function readFields(paths: KeyPath[], scope: EvalScope): unknown[] {
  return paths.map((path) => {
    const value = getValue(path.root === 'item' ? scope.item : scope.record, path.segments);
    if (isMissing(value)) throw new MissingValue(path.text);
    return value;
  });
}

function numbersFrom(value: unknown, count: number[], what: string): number[] {
  let parts: unknown[];
  if (Array.isArray(value)) parts = value;
  else if (typeof value === 'string')
    parts = value
      .trim()
      .split(/\s*[,; ]\s*|\s+/)
      .filter((p) => p !== '');
  else throw new ValueError(`${what} needs an array or a delimited string, got ${describeKind(value)}`);
  if (!count.includes(parts.length))
    throw new ValueError(`${what} needs ${count.join(' or ')} numbers, got ${parts.length}`);
  return parts.map((p) => {
    const n = toFiniteNumber(p);
    if (n === undefined) throw new ValueError(`${describeValue(p)} is not a number`);
    return n;
  });
}

const stringArray: JsonObject = { type: 'array', items: { type: 'string' } };
const formatsOption: OptionSpec = {
  schema: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
  description:
    'Input formats tried in order: "iso" (RFC 3339 / ISO 8601), "X" (epoch seconds), "x" (epoch milliseconds) or a token pattern such as "DD/MM/YYYY HH:mm".',
  default: ['iso'],
};
const timezoneOption: OptionSpec = {
  schema: { type: 'string', minLength: 1 },
  description:
    'Time zone of values that carry no offset: "UTC", an offset such as "+02:00", or an IANA name such as "Europe/Paris".',
  default: 'UTC',
};
const decimalOption: OptionSpec = {
  schema: { enum: ['.', ','] },
  description: 'Decimal separator of numeric strings.',
  default: '.',
};

const DEFAULT_TRUE = ['true', 'yes', 'y', '1', 'on'];
const DEFAULT_FALSE = ['false', 'no', 'n', '0', 'off'];

function flattenInto(
  out: Record<string, unknown>,
  value: Record<string, unknown>,
  prefix: string,
  separator: string,
): void {
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key)) continue;
    const v = value[key];
    const name = prefix === '' ? key : `${prefix}${separator}${key}`;
    if (isObject(v) && !(v instanceof Date)) flattenInto(out, v, name, separator);
    else if (v !== undefined) out[name] = safeClone(v);
  }
}

function lookupStep(
  table: LookupTable,
  tableName: string,
  onMiss: string,
  fallback: { present: boolean; value: unknown },
): TransformFn {
  return (value) => {
    const key = normalizeKey(value);
    if (key !== undefined && table.has(key)) return safeClone(table.get(key));
    switch (onMiss) {
      case 'keep':
        return value;
      case 'null':
        return null;
      case 'default':
        return safeClone(fallback.value);
      default:
        throw new ValueError(`${describeValue(value)} is not a key of lookup table "${tableName}"`);
    }
  };
}

/** The `on_miss` choices of lookups. */
export const ON_MISS = ['error', 'keep', 'null', 'default'] as const;

/** Builds a lookup step, checking the table exists and `default` is available. */
export function compileLookup(
  spec: { table: string; on_miss?: string; default?: unknown; hasDefault: boolean },
  env: CompileEnv,
): TransformFn {
  const table = env.tables.get(spec.table);
  if (!table) {
    const known = [...env.tables.keys()];
    throw new DefinitionError(
      `lookup table "${spec.table}" is not defined${known.length ? ` (tables: ${known.join(', ')})` : ' (add it under lookup_tables)'}`,
    );
  }
  const onMiss = spec.on_miss ?? 'error';
  const fallback = spec.hasDefault ? { present: true, value: spec.default } : env.ruleDefault;
  if (onMiss === 'default' && !fallback.present)
    throw new DefinitionError('on_miss: default needs a "default" value (on the lookup or the rule)');
  return lookupStep(table, spec.table, onMiss, fallback);
}

/** Every transform, by name. */
export const TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'string',
    description:
      'Converts numbers and booleans to text; strings pass unchanged; objects and arrays are an error.',
    options: {},
    compile: () => (value) => {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
        return String(value);
      if (value instanceof Date) return value.toISOString();
      throw new ValueError(`expected a text value, got ${describeKind(value)}`);
    },
  },
  {
    name: 'number',
    description: 'Converts a numeric string ("12.5", "-3e2") to a number.',
    options: { decimal: decimalOption },
    compile: (o) => {
      const decimal = (o.decimal as string | undefined) ?? '.';
      return (value) => toNumber(value, decimal);
    },
  },
  {
    name: 'integer',
    description:
      'Converts to an integer; a fractional value is an error unless `round` says how to round it.',
    options: {
      decimal: decimalOption,
      round: {
        schema: { enum: ['none', 'round', 'floor', 'ceil', 'trunc'] },
        description: 'How to round a fractional value; "none" makes it an error.',
        default: 'none',
      },
    },
    compile: (o) => {
      const decimal = (o.decimal as string | undefined) ?? '.';
      const round = (o.round as string | undefined) ?? 'none';
      return (value) => {
        const n = toNumber(value, decimal);
        if (Number.isInteger(n)) return n;
        if (round === 'none') throw new ValueError(`${describeValue(value)} is not an integer`);
        return Math[round as 'round' | 'floor' | 'ceil' | 'trunc'](n);
      };
    },
  },
  {
    name: 'boolean',
    description:
      'Converts true/false, yes/no, y/n, 1/0 and on/off (case-insensitive, numbers 1 and 0 too) to a boolean.',
    options: {
      true_values: {
        schema: stringArray,
        description: 'Texts read as true (replace the defaults).',
        default: DEFAULT_TRUE,
      },
      false_values: {
        schema: stringArray,
        description: 'Texts read as false (replace the defaults).',
        default: DEFAULT_FALSE,
      },
    },
    compile: (o) => {
      const truthy = new Set(
        ((o.true_values as string[] | undefined) ?? DEFAULT_TRUE).map((s) => s.toLowerCase()),
      );
      const falsy = new Set(
        ((o.false_values as string[] | undefined) ?? DEFAULT_FALSE).map((s) => s.toLowerCase()),
      );
      return (value) => {
        if (typeof value === 'boolean') return value;
        const text =
          typeof value === 'number'
            ? String(value)
            : typeof value === 'string'
              ? value.trim().toLowerCase()
              : undefined;
        if (text !== undefined) {
          if (truthy.has(text)) return true;
          if (falsy.has(text)) return false;
        }
        throw new ValueError(
          `${describeValue(value)} is not a boolean (expected one of ${[...truthy, ...falsy].join(', ')})`,
        );
      };
    },
  },
  {
    name: 'datetime',
    description:
      'Parses a date/time in one of `formats` and writes it as RFC 3339 UTC ("2024-01-12T13:50:00Z", fraction digits kept).',
    options: { formats: formatsOption, timezone: timezoneOption },
    compile: (o) => {
      const parse = compileDateParser(
        (o.formats as string[] | undefined) ?? ['iso'],
        (o.timezone as string | undefined) ?? 'UTC',
      );
      return (value) => {
        const instant = parse(value);
        if (typeof instant === 'string') throw new ValueError(instant);
        return formatInstant(instant);
      };
    },
  },
  {
    name: 'date',
    description:
      'Parses like `datetime` but keeps only the calendar date as written; writes "2024-01-12T00:00:00Z" (a valid STAC datetime) or, with `output: date`, "2024-01-12".',
    options: {
      formats: formatsOption,
      timezone: timezoneOption,
      output: {
        schema: { enum: ['datetime', 'date'] },
        description: 'Write a midnight UTC date-time or a bare date.',
        default: 'datetime',
      },
    },
    compile: (o) => {
      const parse = compileDateParser(
        (o.formats as string[] | undefined) ?? ['iso'],
        (o.timezone as string | undefined) ?? 'UTC',
      );
      const bare = o.output === 'date';
      return (value) => {
        const instant = parse(value);
        if (typeof instant === 'string') throw new ValueError(instant);
        const day = formatLocalDate(instant);
        return bare ? day : `${day}T00:00:00Z`;
      };
    },
  },
  {
    name: 'array',
    aliases: ['split'],
    description:
      'Splits a string on `separator` into an array; an array passes unchanged; any other value becomes a one-element array.',
    options: {
      separator: {
        schema: { type: 'string', minLength: 1 },
        description: 'Separator between elements.',
        default: ',',
      },
      trim: { schema: { type: 'boolean' }, description: 'Trim spaces around each element.', default: true },
      keep_empty: { schema: { type: 'boolean' }, description: 'Keep empty elements.', default: false },
    },
    compile: (o) => {
      const separator = (o.separator as string | undefined) ?? ',';
      const trim = o.trim !== false;
      const keepEmpty = o.keep_empty === true;
      return (value) => {
        if (Array.isArray(value)) return value;
        if (typeof value !== 'string') return [value];
        let parts = value.split(separator);
        if (trim) parts = parts.map((p) => p.trim());
        return keepEmpty ? parts : parts.filter((p) => p !== '');
      };
    },
  },
  {
    name: 'first',
    description:
      'The first element of an array (a non-array passes unchanged); an empty array counts as missing.',
    options: {},
    compile: () => (value) => (Array.isArray(value) ? value[0] : value),
  },
  {
    name: 'last',
    description:
      'The last element of an array (a non-array passes unchanged); an empty array counts as missing.',
    options: {},
    compile: () => (value) => (Array.isArray(value) ? value[value.length - 1] : value),
  },
  {
    name: 'join',
    description: 'Joins an array of text, numbers or booleans into one string.',
    options: {
      separator: { schema: { type: 'string' }, description: 'Text put between elements.', default: ',' },
    },
    compile: (o) => {
      const separator = (o.separator as string | undefined) ?? ',';
      return (value) => {
        if (!Array.isArray(value)) return expectScalarText(value);
        return value.map(expectScalarText).join(separator);
      };
    },
  },
  {
    name: 'flatten',
    description:
      'Turns a nested object into one level of dotted keys: {a: {b: 1}} becomes {"a.b": 1} (arrays are kept as values).',
    options: {
      prefix: {
        schema: { type: 'string' },
        description: 'Text put before every key (joined with `separator`).',
        default: '',
      },
      separator: {
        schema: { type: 'string', minLength: 1 },
        description: 'Joins the key levels.',
        default: '.',
      },
    },
    compile: (o) => {
      const prefix = (o.prefix as string | undefined) ?? '';
      const separator = (o.separator as string | undefined) ?? '.';
      return (value) => {
        if (!isObject(value)) throw new ValueError(`flatten needs an object, got ${describeKind(value)}`);
        const out: Record<string, unknown> = {};
        flattenInto(out, value, prefix, separator);
        return out;
      };
    },
  },
  {
    name: 'nest',
    description:
      'The inverse of flatten: {"a.b": 1} becomes {a: {b: 1}}. With `prefix`, only keys that start with it are taken and the prefix is removed.',
    options: {
      prefix: {
        schema: { type: 'string' },
        description: 'Only keys starting with this text are nested; it is removed from them.',
        default: '',
      },
      separator: {
        schema: { type: 'string', minLength: 1 },
        description: 'Splits a key into levels.',
        default: '.',
      },
    },
    compile: (o) => {
      const prefix = (o.prefix as string | undefined) ?? '';
      const separator = (o.separator as string | undefined) ?? '.';
      return (value) => {
        if (!isObject(value)) throw new ValueError(`nest needs an object, got ${describeKind(value)}`);
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value)) {
          if (prefix && !key.startsWith(prefix)) continue;
          const rest = key.slice(prefix.length);
          const parts = (rest.startsWith(separator) ? rest.slice(separator.length) : rest).split(separator);
          if (parts.some((p) => p === '')) throw new ValueError(`the key "${key}" has an empty level`);
          const bad = parts.find(isForbiddenKey);
          if (bad) throw new ValueError(`the key "${key}" holds "${bad}", which is not allowed`);
          let node = out;
          for (let i = 0; i < parts.length - 1; i++) {
            const existing = Object.hasOwn(node, parts[i]!) ? node[parts[i]!] : undefined;
            if (existing === undefined) {
              const created: Record<string, unknown> = {};
              node[parts[i]!] = created;
              node = created;
            } else if (isObject(existing)) node = existing;
            else
              throw new ValueError(
                `the key "${key}" conflicts with a value at "${parts.slice(0, i + 1).join(separator)}"`,
              );
          }
          const leaf = parts[parts.length - 1]!;
          if (Object.hasOwn(node, leaf))
            throw new ValueError(`the key "${key}" conflicts with another key that nests under it`);
          node[leaf] = safeClone(value[key]);
        }
        return out;
      };
    },
  },
  {
    name: 'scale',
    description: 'Unit conversion: value × factor + offset (numeric strings accepted).',
    options: {
      factor: { schema: { type: 'number' }, description: 'Multiplier.', default: 1 },
      offset: { schema: { type: 'number' }, description: 'Added after multiplying.', default: 0 },
      digits: {
        schema: { type: 'integer', minimum: 0, maximum: 15 },
        description:
          'Round the result to this many decimal places (none by default; removes float noise such as 0.30000000000000004).',
      },
    },
    compile: (o) => {
      const factor = (o.factor as number | undefined) ?? 1;
      const offset = (o.offset as number | undefined) ?? 0;
      const digits = o.digits as number | undefined;
      return (value) => {
        const n = toNumber(value, '.') * factor + offset;
        return digits === undefined ? n : Number(n.toFixed(digits));
      };
    },
  },
  {
    name: 'lowercase',
    description: 'Lower-cases text.',
    options: {},
    compile: () => (value) => expectString(value, 'lowercase').toLowerCase(),
  },
  {
    name: 'uppercase',
    description: 'Upper-cases text.',
    options: {},
    compile: () => (value) => expectString(value, 'uppercase').toUpperCase(),
  },
  {
    name: 'trim',
    description: 'Removes spaces at both ends of text (a value that becomes empty counts as missing).',
    options: {},
    compile: () => (value) => {
      const text = expectString(value, 'trim').trim();
      return text === '' ? undefined : text;
    },
  },
  {
    name: 'lookup',
    description: 'Replaces the value by its entry in a lookup table (keys compared as trimmed text).',
    options: {
      table: {
        schema: { type: 'string', minLength: 1 },
        description: 'Name of a table under `lookup_tables` (required).',
      },
      on_miss: {
        schema: { enum: [...ON_MISS] },
        description:
          'When the key is not in the table: "error" (a failure), "keep" (the value unchanged), "null", or "default".',
        default: 'error',
      },
      default: { schema: {}, description: "Value for `on_miss: default` (else the rule's `default`)." },
    },
    required: ['table'],
    compile: (o, env) =>
      compileLookup(
        {
          table: o.table as string,
          on_miss: o.on_miss as string | undefined,
          default: o.default,
          hasDefault: Object.hasOwn(o, 'default'),
        },
        env,
      ),
  },
  {
    name: 'wkt_geometry',
    aliases: ['wkt'],
    description:
      'Parses WKT or EWKT (POINT, LINESTRING, POLYGON, MULTI*, GEOMETRYCOLLECTION, with Z/M/ZM) into a GeoJSON geometry. M values are dropped.',
    options: {
      ignore_srid: {
        schema: { type: 'boolean' },
        description:
          'Accept an EWKT `SRID=n;` other than 4326 or 4979 (WGS 84) without reprojecting (else such a value is an error).',
        default: false,
      },
    },
    compile: (o, env) => {
      const anySrid = o.ignore_srid === true;
      const read = env.readWkt;
      if (!read) {
        throw new DefinitionError(
          'needs a WKT reader: pass readWkt (from @scm/scaffold) in the mapping options',
        );
      }
      return (value) => {
        const result = read(expectString(value, 'wkt_geometry'), { anySrid });
        if (!result.ok) {
          const hint = result.srid === undefined ? '' : '; reproject the data or set ignore_srid';
          throw new ValueError(`${result.problem}${hint}`);
        }
        const checked = checkGeometry(result.geometry, 0, false);
        if (typeof checked === 'string') throw new ValueError(checked);
        return checked;
      };
    },
  },
  {
    name: 'geojson_geometry',
    aliases: ['geojson'],
    description:
      'Reads a GeoJSON geometry from JSON text or an object (a Feature gives its geometry) and checks its structure; foreign members are dropped.',
    options: {},
    compile: () => (value) => {
      let data = value;
      if (typeof value === 'string') {
        try {
          data = JSON.parse(value);
        } catch {
          throw new ValueError(`${describeValue(value)} is not GeoJSON text`);
        }
      }
      const checked = checkGeometry(data);
      if (typeof checked === 'string') throw new ValueError(checked);
      return checked;
    },
  },
  {
    name: 'bbox_geometry',
    description:
      'A Polygon from a bounding box: either `fields` naming the minx, miny, maxx, maxy columns, or the value itself as [minx, miny, maxx, maxy] or "minx,miny,maxx,maxy". A box with minx > maxx crosses the antimeridian and becomes a MultiPolygon.',
    options: {
      fields: {
        schema: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 4, maxItems: 4 },
        description: 'Source paths of minx, miny, maxx, maxy (the rule then needs no source_field).',
      },
    },
    readsFields: (o) => Array.isArray(o.fields),
    compile: (o) => {
      const paths = o.fields ? compilePaths(o.fields) : undefined;
      return (value, scope) => {
        let box: number[];
        if (paths) {
          box = readFields(paths, scope).map((v, i) => {
            const n = toFiniteNumber(v);
            if (n === undefined)
              throw new ValueError(`${paths[i]!.text} = ${describeValue(v)} is not a number`);
            return n;
          });
        } else {
          const numbers = numbersFrom(value, [4, 6], 'bbox_geometry');
          box = numbers.length === 6 ? [numbers[0]!, numbers[1]!, numbers[3]!, numbers[4]!] : numbers;
        }
        const geometry = bboxToGeometry(box);
        if (typeof geometry === 'string') throw new ValueError(geometry);
        return geometry;
      };
    },
  },
  {
    name: 'point_geometry',
    description:
      'A Point from longitude/latitude: either `fields` naming the lon, lat (and optional elevation) columns, or the value itself as an array or "x,y" text in `order`.',
    options: {
      fields: {
        schema: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 2, maxItems: 3 },
        description:
          'Source paths of longitude, latitude and optionally elevation (the rule then needs no source_field).',
      },
      order: {
        schema: { enum: ['lonlat', 'latlon'] },
        description:
          'Order of the two numbers when the value is an array or text ("38.98,-76.94" is latlon).',
        default: 'lonlat',
      },
      check_range: {
        schema: { type: 'boolean' },
        description:
          'Reject longitudes outside -180..180 and latitudes outside -90..90 (catches swapped columns).',
        default: true,
      },
    },
    readsFields: (o) => Array.isArray(o.fields),
    compile: (o) => {
      const paths = o.fields ? compilePaths(o.fields) : undefined;
      const latFirst = o.order === 'latlon';
      const checkRange = o.check_range !== false;
      return (value, scope) => {
        let position: number[];
        if (paths) {
          position = readFields(paths, scope).map((v, i) => {
            const n = toFiniteNumber(v);
            if (n === undefined)
              throw new ValueError(`${paths[i]!.text} = ${describeValue(v)} is not a number`);
            return n;
          });
        } else {
          const numbers = numbersFrom(value, [2, 3], 'point_geometry');
          position = latFirst ? [numbers[1]!, numbers[0]!, ...numbers.slice(2)] : numbers;
        }
        if (checkRange) {
          if (position[0]! < -180 || position[0]! > 180)
            throw new ValueError(`longitude ${position[0]} is outside -180..180`);
          if (position[1]! < -90 || position[1]! > 90) {
            throw new ValueError(
              `latitude ${position[1]} is outside -90..90 (are longitude and latitude swapped?)`,
            );
          }
        }
        return { type: 'Point', coordinates: position };
      };
    },
  },
  {
    name: 'json',
    description: 'Parses JSON text (keys such as __proto__ are dropped); other values pass unchanged.',
    options: {},
    compile: () => (value) => {
      if (typeof value !== 'string') return value;
      try {
        return safeClone(JSON.parse(value));
      } catch {
        throw new ValueError(`${describeValue(value)} is not valid JSON`);
      }
    },
  },
  {
    name: 'object',
    description: 'Requires an object; JSON text is parsed first.',
    options: {},
    compile: () => (value) => {
      let data = value;
      if (typeof value === 'string') {
        try {
          data = safeClone(JSON.parse(value));
        } catch {
          throw new ValueError(`${describeValue(value)} is not valid JSON`);
        }
      }
      if (!isObject(data)) throw new ValueError(`expected an object, got ${describeKind(data)}`);
      return data;
    },
  },
  {
    name: 'template',
    description:
      'Builds text from a template; `{$value}` is the current value, other fields come from the record.',
    options: {
      template: {
        schema: { type: 'string' },
        description: 'The template, e.g. "ipfs://{$value}" (required).',
      },
    },
    required: ['template'],
    compile: (o) => {
      const template = parseTemplate(o.template as string);
      return (value, scope) => {
        const result = template.render({
          record: scope.record,
          item: scope.item,
          bindings: scope.bindings,
          value,
        });
        if (result.ok) return result.text;
        if (result.reason === 'missing') throw new MissingValue(result.field);
        throw new ValueError(`template field ${result.field} is not text or a number`);
      };
    },
  },
];

function expectScalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ValueError(`join needs text, numbers or booleans, got ${describeKind(value)}`);
}

/** Options every transform accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  each: {
    schema: { type: 'boolean' },
    description: 'Apply the transform to each element of an array value instead of the array itself.',
    default: false,
  },
};

const BY_NAME = new Map<string, TransformDefinition>();
for (const definition of TRANSFORMS) {
  BY_NAME.set(definition.name, definition);
  for (const alias of definition.aliases ?? []) BY_NAME.set(alias, definition);
}

/** Finds a transform by name or alias. */
export function findTransform(name: string): TransformDefinition | undefined {
  return BY_NAME.get(name);
}

/** Every accepted transform name, aliases included. */
export function transformNames(): string[] {
  return [...BY_NAME.keys()];
}
