import { isForbiddenKey } from '@scm/core';
import { isObject } from './values.js';

/**
 * A problem in a mapping definition (bad path, template, option). Internal:
 * the loader turns it into `ScmError('SCM_MAPPING_INVALID')` with the file,
 * rule index and field.
 */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

/** A placeholder that can appear inside a key: `{$key}`, `{$key0}`…, `{$index}`. */
export type Placeholder = { name: 'key'; position: number | undefined } | { name: 'index' };

/** One step of a key path. */
export type Segment =
  | { kind: 'key'; key: string; numeric: number | undefined }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'pattern'; parts: (string | Placeholder)[] };

/** A parsed key path. */
export interface KeyPath {
  /** The path as written. */
  text: string;
  /** `item` when the path starts with `$item` (the item being enriched). */
  root: 'record' | 'item';
  segments: Segment[];
  /** Number of `*` segments. */
  wildcards: number;
  /** True when a segment holds a `{$key}`-style placeholder. */
  hasPattern: boolean;
}

/** Values bound to the wildcards of a rule, for placeholders and templates. */
export interface Bindings {
  /** The key matched by each wildcard (strings for objects, numbers for arrays). */
  keys: readonly (string | number)[];
  /** 0-based ordinal of the match. */
  index: number;
}

const PLACEHOLDER = /\{\$(key\d*|index)\}/g;
/** Highest array index a mapping may name in a target path (keeps a typo from allocating a huge array). */
export const MAX_TARGET_INDEX = 10_000;

function keySegment(key: string): Segment {
  if (key.includes('{$')) {
    const pattern = parsePattern(key);
    if (pattern.kind === 'pattern' && pattern.parts.some((p) => typeof p === 'string' && p.includes('{$'))) {
      throw new DefinitionError(
        `unknown placeholder in "${key}" (use {$key}, {$key0}, {$key1}… or {$index})`,
      );
    }
    return pattern;
  }
  const numeric = /^(0|[1-9]\d{0,8})$/.test(key) ? Number(key) : undefined;
  return { kind: 'key', key, numeric };
}

function parsePattern(raw: string): Segment {
  const parts: (string | Placeholder)[] = [];
  let last = 0;
  PLACEHOLDER.lastIndex = 0;
  for (let m = PLACEHOLDER.exec(raw); m !== null; m = PLACEHOLDER.exec(raw)) {
    if (m.index > last) parts.push(raw.slice(last, m.index));
    const name = m[1]!;
    parts.push(
      name === 'index'
        ? { name: 'index' }
        : { name: 'key', position: name === 'key' ? undefined : Number(name.slice(3)) },
    );
    last = m.index + m[0].length;
  }
  if (last < raw.length) parts.push(raw.slice(last));
  return { kind: 'pattern', parts };
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === quote) return { value, end: i + 1 };
    value += ch;
    i += 1;
  }
  throw new DefinitionError(`unterminated quoted key in "${text}"`);
}

/**
 * Parses a key path: `a.b[0].c`, `properties["eo:cloud_cover"]`,
 * `properties.eo:cloud_cover`, `assets."ANG.txt".href`, `assets.*.href`,
 * `links[*].href`, `links[-1]`, `checksum_{$key}`, `$item.id`.
 *
 * Every literal key is checked against the forbidden keys (`__proto__`,
 * `constructor`, `prototype`).
 */
export function parsePath(text: string, side: 'source' | 'target'): KeyPath {
  if (typeof text !== 'string' || text.trim() === '') throw new DefinitionError('the path is empty');
  const segments: Segment[] = [];
  let i = 0;
  let firstQuoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    const read =
      ch === '['
        ? readBracket(text, i, side)
        : ch === '"' || ch === "'"
          ? readQuotedKey(text, i)
          : readBareKey(text, i);
    if (segments.length === 0 && read.quoted) firstQuoted = true;
    segments.push(read.segment);
    i = skipDot(text, read.end);
  }
  const root = pathRoot(segments, firstQuoted, side);
  checkLiterals(segments, text);
  return {
    text,
    root,
    segments,
    wildcards: segments.filter((s) => s.kind === 'wildcard').length,
    hasPattern: segments.some((s) => s.kind === 'pattern'),
  };
}

/** One segment read from the path text, and where reading stopped. */
interface ReadSegment {
  segment: Segment;
  end: number;
  /** True for a quoted key (a quoted `"$item"` is a plain key, not the item root). */
  quoted: boolean;
}

/** `["quoted.key"]`, `[*]` or `[n]` starting at `i`. */
function readBracket(text: string, i: number, side: 'source' | 'target'): ReadSegment {
  const next = text[i + 1];
  let read: ReadSegment;
  if (next === '"' || next === "'") {
    const q = readQuoted(text, i + 1);
    if (text[q.end] !== ']') throw new DefinitionError(`expected "]" after the quoted key in "${text}"`);
    read = { segment: keySegment(q.value), end: q.end + 1, quoted: true };
  } else {
    const close = text.indexOf(']', i);
    if (close === -1) throw new DefinitionError(`missing "]" in "${text}"`);
    read = {
      segment: bracketSegment(text.slice(i + 1, close).trim(), text, side),
      end: close + 1,
      quoted: false,
    };
  }
  if (read.end < text.length && text[read.end] !== '.' && text[read.end] !== '[') {
    throw new DefinitionError(
      `unexpected "${text[read.end]}" after "]" in "${text}" (put a "." before the next key)`,
    );
  }
  return read;
}

/** The inside of an unquoted bracket: `*` or an index (non-negative and bounded in targets). */
function bracketSegment(inner: string, text: string, side: 'source' | 'target'): Segment {
  if (inner === '*') return { kind: 'wildcard' };
  if (!/^-?\d+$/.test(inner)) {
    throw new DefinitionError(`"[${inner}]" in "${text}" is not an index, "*" or a quoted key`);
  }
  const index = Number(inner);
  if (side === 'target' && index < 0)
    throw new DefinitionError(`a negative index is only allowed in source paths ("${text}")`);
  if (side === 'target' && index > MAX_TARGET_INDEX) {
    throw new DefinitionError(`index ${index} in "${text}" is above the limit of ${MAX_TARGET_INDEX}`);
  }
  return { kind: 'index', index };
}

/** A quoted key written without brackets: `assets."ANG.txt".href`. */
function readQuotedKey(text: string, i: number): ReadSegment {
  const q = readQuoted(text, i);
  if (q.end < text.length && text[q.end] !== '.' && text[q.end] !== '[') {
    throw new DefinitionError(`unexpected "${text[q.end]}" after a quoted key in "${text}"`);
  }
  return { segment: keySegment(q.value), end: q.end, quoted: true };
}

/** A bare key up to the next `.` or `[`: a name, `*`, or a pattern with placeholders. */
function readBareKey(text: string, i: number): ReadSegment {
  let end = i;
  while (end < text.length && text[end] !== '.' && text[end] !== '[') end += 1;
  const raw = text.slice(i, end);
  if (raw === '') throw new DefinitionError(`empty key in "${text}"`);
  return { segment: raw === '*' ? { kind: 'wildcard' } : keySegment(raw), end, quoted: false };
}

/** Steps over the `.` between segments, refusing a trailing dot and an empty key. */
function skipDot(text: string, i: number): number {
  if (i >= text.length || text[i] !== '.') return i;
  if (i + 1 >= text.length) throw new DefinitionError(`"${text}" ends with "."`);
  if (text[i + 1] === '.') throw new DefinitionError(`empty key in "${text}"`);
  return i + 1;
}

/** `item` when the path starts with a bare `$item` (which is then removed), else `record`. */
function pathRoot(segments: Segment[], firstQuoted: boolean, side: 'source' | 'target'): KeyPath['root'] {
  const first = segments[0];
  if (firstQuoted || first?.kind !== 'key' || first.key !== '$item') return 'record';
  if (side === 'target')
    throw new DefinitionError('$item cannot be written to; target paths are relative to the output');
  segments.shift();
  if (segments.length === 0) throw new DefinitionError('"$item" must be followed by a key, e.g. "$item.id"');
  return 'item';
}

/** Refuses a literal key, or the literal part of a pattern, that could reach a prototype. */
function checkLiterals(segments: readonly Segment[], text: string): void {
  for (const segment of segments) {
    const literals =
      segment.kind === 'key'
        ? [segment.key]
        : segment.kind === 'pattern'
          ? segment.parts.filter((p) => typeof p === 'string')
          : [];
    for (const literal of literals) {
      if (isForbiddenKey(literal))
        throw new DefinitionError(`"${literal}" is not allowed in a key path ("${text}")`);
    }
  }
}

/** Writes a path back as text, quoting keys that need it. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[^.[\]"'\s]+$/.test(segment) && segment !== '*') out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Fills `{$key}` placeholders; the result is one key. */
export function fillPattern(
  parts: readonly (string | Placeholder)[],
  bindings: Bindings | undefined,
): string | undefined {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else {
      const value = placeholderValue(part, bindings);
      if (value === undefined) return undefined;
      out += value;
    }
  }
  return out;
}

/** The value of one placeholder, or undefined when the rule has no such binding. */
export function placeholderValue(
  placeholder: Placeholder,
  bindings: Bindings | undefined,
): string | undefined {
  if (!bindings) return undefined;
  if (placeholder.name === 'index') return String(bindings.index);
  const keys = bindings.keys;
  const key = placeholder.position === undefined ? keys[keys.length - 1] : keys[placeholder.position];
  return key === undefined ? undefined : String(key);
}

/** Reads one child of a container; own properties only, so nothing is read from a prototype. */
function child(container: unknown, segment: Segment, bindings: Bindings | undefined): unknown {
  if (container === null || typeof container !== 'object') return undefined;
  switch (segment.kind) {
    case 'key': {
      if (Array.isArray(container))
        return segment.numeric === undefined ? undefined : container[segment.numeric];
      return Object.hasOwn(container, segment.key)
        ? (container as Record<string, unknown>)[segment.key]
        : undefined;
    }
    case 'index': {
      if (!Array.isArray(container)) {
        const key = String(segment.index);
        return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
      }
      const index = segment.index < 0 ? container.length + segment.index : segment.index;
      return index >= 0 ? container[index] : undefined;
    }
    case 'pattern': {
      const key = fillPattern(segment.parts, bindings);
      if (key === undefined || isForbiddenKey(key)) return undefined;
      if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
      return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
    }
    default:
      return undefined;
  }
}

/** Reads a path that has no wildcard. */
export function getValue(root: unknown, segments: readonly Segment[], bindings?: Bindings): unknown {
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = child(current, segments[i]!, bindings);
    if (current === undefined) return undefined;
  }
  return current;
}

/** One value found by a path with wildcards, with the keys its wildcards matched. */
export interface Match {
  value: unknown;
  keys: (string | number)[];
}

/** Reads every value a path with wildcards reaches, in document order. */
export function getMatches(root: unknown, segments: readonly Segment[], bindings?: Bindings): Match[] {
  const out: Match[] = [];
  const walk = (current: unknown, depth: number, keys: (string | number)[]): void => {
    if (depth === segments.length) {
      if (current !== undefined) out.push({ value: current, keys });
      return;
    }
    const segment = segments[depth]!;
    if (segment.kind === 'wildcard') {
      if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) walk(current[i], depth + 1, [...keys, i]);
      } else if (isObject(current)) {
        for (const key of Object.keys(current)) {
          if (isForbiddenKey(key)) continue;
          walk(current[key], depth + 1, [...keys, key]);
        }
      }
      return;
    }
    const next = child(current, segment, bindings);
    if (next !== undefined) walk(next, depth + 1, keys);
  };
  walk(root, 0, []);
  return out;
}

/**
 * Turns target segments into concrete keys: wildcards take the bound keys in
 * order, placeholders are filled. Returns an error message when a key is
 * missing or forbidden.
 */
export function concreteTarget(
  segments: readonly Segment[],
  bindings: Bindings | undefined,
): (string | number)[] | string {
  const out: (string | number)[] = [];
  let wildcard = 0;
  for (const segment of segments) {
    switch (segment.kind) {
      case 'key':
        out.push(segment.key);
        break;
      case 'index':
        out.push(segment.index);
        break;
      case 'wildcard': {
        const key = bindings?.keys[wildcard];
        wildcard += 1;
        if (key === undefined) return 'a wildcard in the target has no matching key';
        if (typeof key === 'string' && isForbiddenKey(key))
          return `the key "${key}" from the data is not allowed`;
        out.push(key);
        break;
      }
      case 'pattern': {
        const key = fillPattern(segment.parts, bindings);
        if (key === undefined) return 'a placeholder in the target has no value';
        if (isForbiddenKey(key)) return `the key "${key}" built from the data is not allowed`;
        out.push(key);
        break;
      }
    }
  }
  return out;
}

/**
 * Lists the existing places a target path with wildcards reaches in `root`
 * (used when the rule's value does not come from a wildcard source, e.g.
 * `assets.*.roles`). Segments after the last wildcard need not exist yet.
 */
export function expandTarget(root: unknown, segments: readonly Segment[]): Bindings[] {
  let lastWildcard = -1;
  segments.forEach((s, i) => {
    if (s.kind === 'wildcard') lastWildcard = i;
  });
  const out: Bindings[] = [];
  const walk = (current: unknown, depth: number, keys: (string | number)[]): void => {
    if (depth > lastWildcard) {
      out.push({ keys, index: out.length });
      return;
    }
    const segment = segments[depth]!;
    if (segment.kind === 'wildcard') {
      if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) walk(current[i], depth + 1, [...keys, i]);
      } else if (isObject(current)) {
        for (const key of Object.keys(current)) {
          if (!isForbiddenKey(key)) walk(current[key], depth + 1, [...keys, key]);
        }
      }
      return;
    }
    const next = child(current, segment, { keys, index: out.length });
    if (next !== undefined) walk(next, depth + 1, keys);
  };
  walk(root, 0, []);
  return out;
}

/**
 * Reads a concrete path (own properties only).
 */
export function getConcrete(root: unknown, keys: readonly (string | number)[]): unknown {
  let current = root;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
      current = index >= 0 ? current[index] : undefined;
    } else {
      const name = String(key);
      current = Object.hasOwn(current, name) ? (current as Record<string, unknown>)[name] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Writes `value` at a concrete path, creating plain objects (for keys) and
 * arrays (for indexes) on the way. Returns an error message instead of
 * writing when a key is forbidden or a non-container is in the way. When
 * `merge` is true and both the old and new values are objects, the new one
 * is merged into the old one by `mergeInto`.
 */
export function setConcrete(
  root: Record<string, unknown>,
  keys: readonly (string | number)[],
  value: unknown,
  mergeInto?: (target: Record<string, unknown>, source: Record<string, unknown>) => void,
): string | undefined {
  let container: Record<string, unknown> | unknown[] = root;
  const last = keys.length - 1;
  for (let i = 0; i <= last; i++) {
    const key = keys[i]!;
    let slot: string | number;
    let existing: unknown;
    if (!Array.isArray(container)) {
      slot = typeof key === 'string' ? key : String(key);
      if (isForbiddenKey(slot)) return `"${slot}" is not allowed as a key`;
      existing = container[slot];
      // an inherited member (e.g. "toString") is not a value of this object
      if (existing !== undefined && !Object.hasOwn(container, slot)) existing = undefined;
    } else {
      const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : -1;
      if (index < 0)
        return `${formatPath(keys.slice(0, i)) || 'the root'} is an array, not an object with key "${key}"`;
      if (index > MAX_TARGET_INDEX) return `index ${index} is above the limit of ${MAX_TARGET_INDEX}`;
      while (container.length < index) container.push(null);
      slot = index;
      existing = container[index];
    }
    const holder = container as Record<string | number, unknown>;
    if (i === last) {
      if (mergeInto && isObject(existing) && isObject(value)) mergeInto(existing, value);
      else holder[slot] = value;
      return undefined;
    }
    if (existing === undefined || existing === null) {
      const created: Record<string, unknown> | unknown[] = typeof keys[i + 1] === 'number' ? [] : {};
      holder[slot] = created;
      container = created;
    } else if (typeof existing === 'object') {
      container = existing as Record<string, unknown> | unknown[];
    } else {
      return `cannot write below ${formatPath(keys.slice(0, i + 1))}: it holds a ${typeof existing}, not an object`;
    }
  }
  return undefined;
}
