/** Which STAC objects a rule touches. */
export type AppliesTo = 'items' | 'collections' | 'both';

/** A test on one property: equal to a value, one of a list, or within a range (bounds inclusive). */
export type PropertyTest =
  | { kind: 'equals'; value: unknown }
  | { kind: 'in'; values: readonly unknown[] }
  | { kind: 'range'; min?: number | string; max?: number | string };

/** What a rule selects; every given criterion must hold (an empty selection selects everything). */
export interface Selection {
  /** Object ids. */
  ids?: readonly string[];
  /** Collection id: an Item's `collection`, or a Collection's own id. */
  collection?: string;
  /** Milliseconds since the epoch; an open end is undefined. */
  datetime?: { start: number | undefined; end: number | undefined };
  /** `[west, south, east, north]` that the object's bbox must overlap. */
  bbox?: readonly [number, number, number, number];
  /** Tests on `properties` (Items) or top-level fields (Collections), by key path. */
  properties?: ReadonlyArray<{ path: readonly string[]; test: PropertyTest }>;
}

/** A field path: its segments, where `*` stands for every key (or element) at that level. */
export type FieldPath = readonly string[];

/** One operation of a rule, in the order the rule lists them. */
export type Operation =
  | { op: 'set'; path: FieldPath; value: unknown }
  | { op: 'merge'; patch: unknown }
  | { op: 'remove'; path: FieldPath }
  | { op: 'rename'; from: FieldPath; to: FieldPath }
  | { op: 'delete' };

/** One parsed rule of an updates document. */
export interface UpdateRule {
  /** Position in the document (0-based), for messages. */
  index: number;
  select: Selection;
  appliesTo: AppliesTo;
  operations: readonly Operation[];
}

/** One change made to one object. */
export interface UpdateChange {
  /** The object's id. */
  id: string;
  /** `Feature` or `Collection`. */
  type: string;
  /** The operation that made it. */
  op: 'set' | 'merge' | 'remove' | 'rename' | 'delete' | 'stamp';
  /** JSON Pointer (RFC 6901) of the changed value; `''` for the whole object (delete). */
  path: string;
  /** The value before (absent when the field did not exist). */
  before?: unknown;
  /** The value after (absent when the field was removed). */
  after?: unknown;
}

/** What {@link updateObject} did to one object. */
export interface UpdateOutcome<T> {
  /** The updated copy, or the input itself when nothing changed; undefined when a rule deleted it. */
  object: T | undefined;
  /** `updated`, `unchanged` or `deleted`. */
  status: 'updated' | 'unchanged' | 'deleted';
  /** Every change, in order. */
  changes: UpdateChange[];
}
