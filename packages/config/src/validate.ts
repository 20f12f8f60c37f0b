import {
  isForbiddenKey,
  isPlainObject,
  requireSchemaCompiler,
  type SchemaCheck,
  type SchemaCheckError as ErrorObject,
} from '@scm/core';
import { pointerSegments } from '@scm/core/json-pointer';
import type { Node, Scalar } from 'yaml';
import { configJsonSchema, ISO_DATE } from './schema.js';
import type { ConfigIssue } from './types.js';
import {
  formatKeyPath,
  type KeyPath,
  keyNodeAt,
  nodeAtPath,
  positionAt,
  type YamlSource,
} from './yaml-source.js';

let compiled: SchemaCheck | undefined;

/** The compiled validator, built on first use with the JSON Schema compiler of the core contract. */
function validator(): SchemaCheck {
  compiled ??= requireSchemaCompiler()(configJsonSchema, {
    allErrors: true,
    verbose: true,
    strict: true,
    formats: ['uri'],
    keywords: ['errorMessage'],
  });
  return compiled;
}

/** Where the checked data came from, so issues can point at lines. */
export interface DataOrigin {
  /** File name for messages. */
  file: string;
  /** The parsed YAML, when the data came from text. */
  source?: YamlSource;
  /** Scalars filled in by `${VAR}` substitution; their strings may be read as numbers or booleans. */
  substituted?: ReadonlySet<Scalar>;
}

// ------------------------------------------------------------------ data helpers

const decodePointer = pointerSegments;

/** Turns pointer segments into a key path, using numbers where the data holds an array. */
function toKeyPath(data: unknown, segments: readonly string[]): (string | number)[] {
  const path: (string | number)[] = [];
  let current = data;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = isPlainObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function setValueAt(data: unknown, path: KeyPath, value: unknown): void {
  const parent = valueAt(data, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
  else if (isPlainObject(parent)) parent[String(last)] = value;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const FOUND: Record<string, string> = {
  null: 'an empty value',
  array: 'a list',
  object: 'a mapping',
  integer: 'a number',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
};

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  boolean: 'boolean (true or false)',
};

function typeMatches(expected: unknown, value: unknown): boolean {
  const actual = jsonType(value);
  const types = Array.isArray(expected) ? expected : [expected];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

// ------------------------------------------------------------------ error translation

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}

function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const expected = String(params.type);
      return `must be ${EXPECTED[expected] ?? expected} (found ${FOUND[jsonType(error.data)] ?? jsonType(error.data)})`;
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' ? suggestion(error.data, allowed) : '';
      return `must be one of ${allowed.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`;
    }
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'minItems':
      return `must have at least ${plural(Number(params.limit), 'item')}`;
    case 'maxItems':
      return `must have at most ${plural(Number(params.limit), 'item')}`;
    case 'minLength':
      return Number(params.limit) === 1
        ? 'must not be empty'
        : `must be at least ${params.limit} characters long`;
    case 'uniqueItems':
      return `must not repeat a value (items ${params.j} and ${params.i} are the same)`;
    case 'pattern':
      return `must match the pattern ${String(params.pattern)}`;
    case 'format':
      return `must be a valid ${String(params.format)}`;
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

/**
 * Drops the noise ajv produces around `anyOf`: when the value's type matches
 * exactly one alternative, that alternative's own errors are kept (they are
 * precise); otherwise a single error with the schema's `errorMessage` stands
 * for all of them. `if` errors always come with the `then` error that matters.
 */
function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') dropped.add(error);
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    const branches = (Array.isArray(error.schema) ? error.schema : []) as Record<string, unknown>[];
    const matching = branches.flatMap((branch, index) =>
      branch.type !== undefined && typeMatches(branch.type, error.data) ? [index] : [],
    );
    const prefix = `${error.schemaPath}/`;
    const keep = matching.length === 1 ? `${prefix}${matching[0]}/` : undefined;
    if (keep) dropped.add(error);
    for (const other of errors) {
      if (other.schemaPath.startsWith(prefix) && !(keep && other.schemaPath.startsWith(keep)))
        dropped.add(other);
    }
  }
  return errors.filter((error) => !dropped.has(error));
}

interface Located {
  path: (string | number)[];
  node: Node | undefined;
  message: string;
}

function locate(error: ErrorObject, data: unknown, origin: DataOrigin): Located {
  const base = toKeyPath(data, decodePointer(error.instancePath));
  const params = error.params as Record<string, unknown>;
  const custom =
    typeof error.parentSchema?.errorMessage === 'string' ? error.parentSchema.errorMessage : undefined;
  const source = origin.source;
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {}).filter(
      (k) => k !== '$schema',
    );
    const hint = suggestion(key, allowed);
    const message = `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed keys: ${allowed.join(', ')}`;
    return { path: [...base, key], node: source && keyNodeAt(source, base, key), message };
  }
  if (error.propertyName !== undefined) {
    const key = error.propertyName;
    return {
      path: [...base, key],
      node: source && keyNodeAt(source, base, key),
      message: custom ?? `invalid key "${key}"`,
    };
  }
  if (error.keyword === 'required') {
    const message = custom ?? `missing required key "${String(params.missingProperty)}"`;
    return { path: base, node: source && nodeAtPath(source, base), message };
  }
  return { path: base, node: source && nodeAtPath(source, base), message: custom ?? describe(error) };
}

function toIssue(located: Located, origin: DataOrigin): ConfigIssue {
  const issue: ConfigIssue = {
    file: origin.file,
    path: formatKeyPath(located.path),
    message: located.message,
  };
  const source = origin.source;
  if (!source) return issue;
  let node = located.node ?? nodeAtPath(source, located.path);
  // A missing node (the key is absent) is reported at its closest existing parent.
  for (let depth = located.path.length - 1; !node?.range && depth >= 0; depth--) {
    node = nodeAtPath(source, located.path.slice(0, depth));
  }
  const offset = node?.range?.[0] ?? source.doc.contents?.range?.[0] ?? 0;
  return { ...issue, ...positionAt(source, offset) };
}

// ------------------------------------------------------------------ checks beyond the schema

function semanticIssues(data: unknown): Located[] {
  const out: Located[] = [];
  const temporal = valueAt(data, ['source', 'filters', 'temporal']);
  const iso = new RegExp(ISO_DATE);
  if (
    isPlainObject(temporal) &&
    iso.test(String(temporal.start_date)) &&
    iso.test(String(temporal.end_date))
  ) {
    const start = Date.parse(String(temporal.start_date));
    const end = Date.parse(String(temporal.end_date));
    if (Number.isFinite(start) && Number.isFinite(end) && start > end) {
      out.push({
        path: ['source', 'filters', 'temporal', 'end_date'],
        node: undefined,
        message: `must not be before start_date (${temporal.start_date})`,
      });
    }
  }
  const bbox = valueAt(data, ['source', 'filters', 'spatial', 'bbox']);
  if (
    Array.isArray(bbox) &&
    (bbox.length === 4 || bbox.length === 6) &&
    bbox.every((n) => typeof n === 'number')
  ) {
    const half = bbox.length / 2;
    const [west, south, east, north] = [bbox[0], bbox[1], bbox[half], bbox[half + 1]];
    const path = ['source', 'filters', 'spatial', 'bbox'];
    if ([west, east].some((x) => x < -180 || x > 180)) {
      out.push({ path, node: undefined, message: 'longitudes must be between -180 and 180' });
    }
    if ([south, north].some((y) => y < -90 || y > 90)) {
      out.push({ path, node: undefined, message: 'latitudes must be between -90 and 90' });
    }
    if (south > north) out.push({ path, node: undefined, message: 'miny must not be greater than maxy' });
  }
  return out;
}

function forbiddenKeyIssues(value: unknown, path: (string | number)[], out: Located[]): Located[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      forbiddenKeyIssues(item, [...path, index], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (isForbiddenKey(key))
        out.push({ path: [...path, key], node: undefined, message: `key "${key}" is not allowed` });
      else forbiddenKeyIssues((value as Record<string, unknown>)[key], [...path, key], out);
    }
  }
  return out;
}

// ------------------------------------------------------------------ entry point

/**
 * Where the data came from `${VAR}` substitution and the schema wants a
 * number, integer or boolean, converts the string when it spells one.
 * Returns true when something changed.
 */
function coerceSubstituted(errors: readonly ErrorObject[], data: unknown, origin: DataOrigin): boolean {
  const { source, substituted } = origin;
  if (!source || !substituted || substituted.size === 0) return false;
  let changed = false;
  for (const error of errors) {
    if (error.keyword !== 'type' || typeof error.data !== 'string') continue;
    const path = toKeyPath(data, decodePointer(error.instancePath));
    const node = nodeAtPath(source, path);
    if (!node || !substituted.has(node as Scalar)) continue;
    const text = error.data.trim();
    const expected = String((error.params as { type: unknown }).type);
    let value: unknown;
    if (expected === 'integer' && /^[-+]?\d+$/.test(text)) value = Number(text);
    else if (expected === 'number' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
      value = Number(text);
    else if (expected === 'boolean' && /^(true|false)$/i.test(text)) value = text.toLowerCase() === 'true';
    if (value === undefined) continue;
    setValueAt(data, path, value);
    changed = true;
  }
  return changed;
}

/**
 * Checks configuration data against {@link configJsonSchema} plus the rules a
 * schema cannot express (start before end, bbox ranges, forbidden keys).
 * May convert substituted strings to numbers or booleans in place. Returns
 * every issue found, located in the file when `origin.source` is given.
 */
export function checkConfigData(data: unknown, origin: DataOrigin): ConfigIssue[] {
  const validate = validator();
  let valid = validate(data);
  for (
    let round = 0;
    !valid && round < 3 && coerceSubstituted(validate.errors ?? [], data, origin);
    round++
  ) {
    valid = validate(data);
  }
  const located = valid ? [] : simplify(validate.errors ?? []).map((error) => locate(error, data, origin));
  if (!origin.source) forbiddenKeyIssues(data, [], located);
  located.push(...semanticIssues(data));
  return located.map((item) => toIssue(item, origin));
}
