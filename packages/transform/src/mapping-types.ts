import type { LookupTableSpec } from './lookup.js';

/** A transform as written: a name (`"number"`), or an object with `type` and options. */
export type TransformSpec = string | ({ type: string; each?: boolean } & Record<string, unknown>);

/** What a rule does when its value is missing. */
export type WhenMissing = 'error' | 'skip' | 'default' | 'null';

/** The `lookup` of a rule: a table name, or the table with its miss policy. */
export type RuleLookup =
  | string
  | { table: string; on_miss?: 'error' | 'keep' | 'null' | 'default'; default?: unknown };

/** One mapping rule as written in a mapping file. */
export interface MappingRule {
  /** Where the value is written in the output (required). */
  target_field: string;
  /** Source path, or paths tried in order (the first present value wins). */
  source_field?: string | string[];
  /** A fixed value. */
  constant?: unknown;
  /** Text built from fields, e.g. `"{collection_name}-{dataset_id}"`. */
  template?: string;
  /** Conversion(s) applied to the value, in order. */
  transform?: TransformSpec | TransformSpec[];
  /** Skip the rule when the value is missing (default false: a missing value fails the record). */
  optional?: boolean;
  /** Value written when the source is missing (used as is, not transformed). */
  default?: unknown;
  /** Explicit missing-value policy; overrides `optional` and `default`. */
  when_missing?: WhenMissing;
  /** Lookup applied to the source value before `transform`. */
  lookup?: RuleLookup;
  /** Merge an object into an existing object at the target (default true) instead of replacing it. */
  merge?: boolean;
  /** Write even when the target already has a value (default true). */
  overwrite?: boolean;
  /** A note for people. */
  description?: string;
}

/** A mapping file. */
export interface MappingDocument {
  /** The rules, applied in order (required). */
  mappings: MappingRule[];
  /** Named lookup tables. */
  lookup_tables?: Record<string, LookupTableSpec>;
  /** Target path to value, written after the rules where the output has nothing yet. */
  defaults?: Record<string, unknown>;
  /** Template of the output `id`, applied before the rules. */
  id_template?: string;
  /** Copy unread source fields: true for all, or a list of top-level names (default false). */
  passthrough?: boolean | string[];
  /** Where passed-through fields go (default `properties`). */
  passthrough_target?: string;
  /** Free version label. */
  version?: string | number;
  /** What the mapping is for. */
  description?: string;
  /** Address of the JSON Schema, for editors. */
  $schema?: string;
}
