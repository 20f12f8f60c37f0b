/**
 * Schema inference: a lattice of value shapes that only ever widens.
 *
 * Every column (and every struct member, list element) is a {@link ShapeNode}.
 * Observing a value joins the node's kind with the value's kind:
 *
 * - `null` joins to anything (a node that only saw nulls is written as string);
 * - `int ⊔ double = double`;
 * - timestamp columns stay timestamps: a string that is not RFC 3339 is counted as
 *   `unparsed` and kept in the side column (other readers expect those names to be timestamps);
 * - `list<A> ⊔ list<B> = list<A ⊔ B>`, `struct ⊔ struct` = union of members;
 * - anything else that disagrees (number and string, struct and list, …) becomes
 *   `json`: each value is stored as its JSON text, so nothing is lost.
 *
 * Nodes also count explicit nulls and non-null values, which decide how a
 * Parquet null is read back (absent key or JSON null, see `plan.ts`).
 */
import { isForbiddenKey } from '@scm/core';
import { inspectGeometry } from './geometry.js';
import { readTimestamp, TimestampStyleCounter } from './timestamp.js';

/** The kinds of the lattice. */
export type ShapeKind =
  | 'null'
  | 'bool'
  | 'int'
  | 'double'
  | 'string'
  | 'timestamp'
  | 'wkb'
  | 'json'
  | 'list'
  | 'struct'
  | 'bbox';

/** Limits that make a node fall back to `json`. */
export interface ShapeLimits {
  /** Most members a struct may have before it is stored as JSON text. */
  maxStructFields: number;
  /** Deepest nesting stored as structs and lists; deeper values become JSON text. */
  maxDepth: number;
}

/** Default {@link ShapeLimits}. */
export const DEFAULT_SHAPE_LIMITS: ShapeLimits = { maxStructFields: 1000, maxDepth: 12 };

/** One node of the inferred schema tree. */
export class ShapeNode {
  kind: ShapeKind = 'null';
  /** Explicit JSON nulls seen at this position. */
  nulls = 0;
  /** Non-null values seen at this position. */
  present = 0;
  /** List element shape. */
  element: ShapeNode | undefined;
  /** Struct members, in first-seen order. */
  fields: Map<string, ShapeNode> | undefined;
  /** Values may be RFC 3339 timestamps (widen to string when one is not). */
  timestampCandidate = false;
  /** Values may be GeoJSON geometries stored as WKB (`proj:geometry`). */
  wkbCandidate = false;
  /** Struct that never falls back to JSON for its member count (assets, links). */
  unlimited = false;
  /** Strings of a timestamp node that are not RFC 3339 (kept in the side column, or the column becomes string). */
  unparsed = 0;
  /** Per-style hit counts, for timestamp nodes. */
  styles: TimestampStyleCounter | undefined;
  /** Widening events, `from → to`. */
  widenings: Set<string> | undefined;
  /** Bbox nodes: some value had 6 numbers. */
  has3d = false;

  constructor(kind: ShapeKind = 'null') {
    this.kind = kind;
    if (kind === 'struct') this.fields = new Map();
  }

  /**
   * The node of `data`, a node (and its children) that crossed threads: a structured clone keeps the members
   * of a node, Maps and Sets included, but not its class.
   */
  static revive(data: ShapeNode): ShapeNode {
    const node = Object.assign(new ShapeNode(), data);
    if (data.element) node.element = ShapeNode.revive(data.element);
    if (data.fields) {
      node.fields = new Map();
      for (const [name, child] of data.fields) node.fields.set(name, ShapeNode.revive(child));
    }
    if (data.styles) node.styles = TimestampStyleCounter.revive(data.styles);
    return node;
  }

  /** The member node `name`, created on first use. */
  field(name: string): ShapeNode {
    let node = this.fields!.get(name);
    if (!node) {
      node = new ShapeNode();
      if (name === 'proj:geometry') node.wkbCandidate = true;
      this.fields!.set(name, node);
    }
    return node;
  }

  /** The list element node, created on first use. */
  elementNode(): ShapeNode {
    if (!this.element) this.element = new ShapeNode();
    return this.element;
  }

  /** Records a widening event `from → to`. */
  noteWidening(from: ShapeKind, to: ShapeKind): void {
    if (from === 'null' || from === to) return;
    if (!this.widenings) this.widenings = new Set();
    this.widenings.add(`${from} → ${to}`);
  }

  /**
   * Joins the node with `kind`; returns false when the node became (or was)
   * `json`, so its value needs no further inspection.
   */
  join(kind: ShapeKind): boolean {
    const current = this.kind;
    if (current === kind) return kind !== 'json';
    if (current === 'null') {
      this.kind = kind;
      if (kind === 'struct') this.fields = new Map();
      return kind !== 'json';
    }
    if (current === 'json') return false;
    if ((current === 'int' && kind === 'double') || (current === 'double' && kind === 'int')) {
      this.noteWidening(current, 'double');
      this.kind = 'double';
      return true;
    }
    if ((current === 'timestamp' && kind === 'string') || (current === 'string' && kind === 'timestamp')) {
      this.noteWidening('timestamp', 'string');
      this.kind = 'string';
      this.styles = undefined;
      return true;
    }
    this.noteWidening(current, 'json');
    this.toJson();
    return false;
  }

  /** Turns the node into `json`, dropping its children. */
  toJson(): void {
    this.kind = 'json';
    this.element = undefined;
    this.fields = undefined;
    this.styles = undefined;
  }

  /** Records a member value (`undefined` means the member is absent: nothing to record). */
  observe(raw: unknown, limits: ShapeLimits, depth = 0): void {
    const value = jsonView(raw);
    if (value === undefined) return;
    if (value === null) {
      this.nulls += 1;
      return;
    }
    this.present += 1;
    this.observeValue(value, limits, depth);
  }

  private observeValue(value: unknown, limits: ShapeLimits, depth: number): void {
    switch (typeof value) {
      case 'boolean':
        this.join('bool');
        return;
      case 'number':
        this.join(Number.isSafeInteger(value) && !Object.is(value, -0) ? 'int' : 'double');
        return;
      case 'string': {
        if (this.timestampCandidate && (this.kind === 'null' || this.kind === 'timestamp')) {
          this.join('timestamp');
          if (!this.styles) this.styles = new TimestampStyleCounter();
          const parsed = readTimestamp(value);
          if (parsed) this.styles.add(parsed);
          else this.unparsed += 1;
          return;
        }
        this.join('string');
        return;
      }
      case 'object': {
        if (Array.isArray(value)) {
          if (depth >= limits.maxDepth) {
            this.join('json');
            return;
          }
          if (!this.join('list')) return;
          const element = this.elementNode();
          for (const raw of value) {
            const item = jsonView(raw);
            if (item === null || item === undefined) element.nulls += 1;
            else {
              element.present += 1;
              element.observeValue(item, limits, depth + 1);
            }
          }
          return;
        }
        if (this.wkbCandidate && (this.kind === 'null' || this.kind === 'wkb')) {
          const info = inspectGeometry(value);
          if (typeof info !== 'string' && info.exact) {
            this.join('wkb');
            return;
          }
        }
        if (depth >= limits.maxDepth) {
          this.join('json');
          return;
        }
        if (!this.join('struct')) return;
        const object = value as Record<string, unknown>;
        for (const key in object) {
          if (isForbiddenKey(key)) continue;
          const member = object[key];
          // JSON.stringify leaves these members out: no column for them.
          if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
          this.field(key).observe(member, limits, depth + 1);
        }
        if (!this.unlimited && this.fields!.size > limits.maxStructFields) {
          this.noteWidening('struct', 'json');
          this.toJson();
        }
        return;
      }
      default:
        this.join('json');
    }
  }
}

/**
 * The value as `JSON.stringify` sees it: `toJSON()` applied, non-finite numbers
 * as null, functions and symbols as absent. Inference must see exactly what
 * the spill file (and so pass two) will hold.
 */
export function jsonView(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'function':
    case 'symbol':
    case 'undefined':
      return undefined;
    case 'object':
      if (value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return jsonView((value as { toJSON: () => unknown }).toJSON());
      }
      return value;
    default:
      return value;
  }
}

/** A declared type for a property or struct member (from an extension schema or the collection). */
export type PropertyTypeHint =
  | 'string'
  | 'int'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | 'json'
  | { list: PropertyTypeHint }
  | { struct: Record<string, PropertyTypeHint> };

/** Applies a declared type to a fresh node (before any value is observed). */
export function applyHint(node: ShapeNode, hint: PropertyTypeHint): void {
  if (typeof hint === 'string') {
    switch (hint) {
      case 'boolean':
        node.join('bool');
        return;
      case 'timestamp':
        node.timestampCandidate = true;
        node.join('timestamp');
        node.styles = new TimestampStyleCounter();
        return;
      default:
        node.join(hint);
        return;
    }
  }
  if ('list' in hint) {
    node.join('list');
    applyHint(node.elementNode(), hint.list);
    return;
  }
  node.join('struct');
  for (const [name, member] of Object.entries(hint.struct)) {
    if (isForbiddenKey(name)) continue;
    applyHint(node.field(name), member);
  }
}

/**
 * Declares the shape of a sample value (an `item_assets` definition) without
 * counting it as data: kinds and members are created, null counts are not.
 */
export function declareFromSample(node: ShapeNode, sample: unknown, limits: ShapeLimits): void {
  const before = { nulls: node.nulls, present: node.present };
  node.observe(sample, limits);
  resetCounts(node);
  node.nulls = before.nulls;
  node.present = before.present;
}

function resetCounts(node: ShapeNode): void {
  node.nulls = 0;
  node.present = 0;
  if (node.styles) node.styles = new TimestampStyleCounter();
  if (node.element) resetCounts(node.element);
  if (node.fields) for (const child of node.fields.values()) resetCounts(child);
}
