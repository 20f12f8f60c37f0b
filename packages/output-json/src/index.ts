/**
 * @packageDocumentation
 * STAC JSON tree and pgstac-ready NDJSON writers with atomic, path-safe
 * writes, and readers for what they write.
 */

export type { WriteJsonOptions } from './json-text.js';
export { ndjsonLine, stringifyStac, writeJsonAtomic, writeTextAtomic } from './json-text.js';
export type {
  JsonTreeCatalogOptions,
  JsonTreeOptions,
  JsonTreeResult,
  JsonTreeWriter,
  MissingCollection,
  MissingCollectionPolicy,
  OrganizeBy,
} from './json-tree-writer.js';
export { createJsonTreeWriter } from './json-tree-writer.js';
export type { NdjsonResult, NdjsonWriter, NdjsonWriterOptions } from './ndjson-writer.js';
export { COLLECTIONS_NDJSON, createNdjsonWriter, ITEMS_NDJSON } from './ndjson-writer.js';
export type { JsonTreeEntry, NdjsonEntry, ReadJsonTreeOptions } from './readers.js';
export { readJsonTree, readNdjsonDir } from './readers.js';
export type { SafePathSegmentOptions } from './safe-path.js';
export { assertInside, DEFAULT_MAX_SEGMENT_LENGTH, safePathSegment } from './safe-path.js';
export type { DuplicateRecord, WriterResult } from './types.js';
