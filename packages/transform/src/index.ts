/**
 * @scm/transform: declarative field mapping from source records to STAC
 * fields, with type conversions, lookups, templates, geometry parsing,
 * sidecar enrichment and an audit log.
 */

export type { ApplyOptions, ApplyResult, RuleError, TransformRecordsOptions } from './apply.js';
export { applyMapping, transformRecords } from './apply.js';
export type {
  Audit,
  AuditFailure,
  AuditReport,
  AuditRuleInfo,
  CreateAuditOptions,
  EnrichmentCounts,
  RuleCounts,
} from './audit.js';
export { createAudit, formatAudit } from './audit.js';
export type { EnrichOptions, KeyedRecordsOptions, SidecarInput } from './enrich.js';
export { enrichItems, keyedRecords } from './enrich.js';
export type { LookupTableSpec } from './lookup.js';
export { normalizeKey } from './lookup.js';
export type { Mapping, ParseMappingOptions } from './mapping.js';
export { loadMapping, parseMapping } from './mapping.js';
export type {
  MappingDocument,
  MappingRule,
  RuleLookup,
  TransformSpec,
  WhenMissing,
} from './mapping-types.js';
export { mappingJsonSchema } from './schema.js';
// Contracts of the readers a composer passes in (WKT, CSV, YAML each have one home elsewhere).
export type { CsvRowsReader, WktReader, YamlReader, YamlReadResult } from './readers.js';
