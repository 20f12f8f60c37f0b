import type { SinkResult } from '@scm/core';

/** A record that was not written because an earlier record had the same id (the first one wins). */
export interface DuplicateRecord {
  /** `Feature` for an item, `Collection` for a collection. */
  type: 'Feature' | 'Collection';
  /** The repeated id. */
  id: string;
  /** For an item: its `collection`, when it has one. */
  collection?: string;
}

/** What both writers report from `finish()`. */
export interface WriterResult extends SinkResult {
  /** Items written, each id once per collection. */
  written: number;
  /** Collections written (for the JSON tree: `collection.json` files, placeholders included). */
  collections: number;
  /** Every file written, relative to the root, with `/` separators. */
  files: string[];
  /** Number of records dropped as duplicates (`duplicates.length`). */
  duplicatesDropped: number;
  /** The records dropped as duplicates, in the order they came. */
  duplicates: DuplicateRecord[];
}
