import type { JsonObject } from '@scm/core';

/** Kind of source a workflow reads from. */
export type SourceType = 'stac_api' | 'local_files' | 'other';

/** Format of local source files; `auto` guesses from the file extension and content. */
export type SourceFormat = 'auto' | 'stac' | 'ndjson' | 'json' | 'csv' | 'parquet';

/** Output encodings a workflow can write. */
export type OutputFormat = 'json' | 'ndjson' | 'parquet';

/** How the output catalog is laid out on disk. */
export type OrganizeBy = 'catalog' | 'collection';

/** How an `s3://` output is published: in place (changed objects, root last) or as a snapshot under `runs/<run id>/`. */
export type PublishMode = 'in_place' | 'snapshot';

/** How each collection's stac-geoparquet is cut into files: one file, or one per UTC year or month of `datetime`. */
export type ParquetPartition = 'none' | 'year' | 'month';

/** `strict` fails items on any validation error; `lenient` reports and keeps going. */
export type ValidationLevel = 'strict' | 'lenient';

/** Which validator runs: the bundled ajv one or the external Python `stac-validator`. */
export type ValidationEngine = 'ajv' | 'stac-validator';

/** Log level as written in configuration, normalised to upper case. */
export type ConfigLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** `workflow` section: what the run is called. */
export interface WorkflowInfo {
  /** Name shown in logs and summaries. Required. */
  name: string;
  /** Free-text description. */
  description?: string;
}

/** `source.filters.temporal`: ISO 8601 dates or date-times, either end optional. */
export interface TemporalFilter {
  /** Inclusive start, e.g. `2020-01-01` or `2020-01-01T00:00:00Z`. */
  start_date?: string;
  /** Inclusive end. */
  end_date?: string;
}

/** `source.filters.spatial`. */
export interface SpatialFilter {
  /** `[minx, miny, maxx, maxy]` or `[minx, miny, minz, maxx, maxy, maxz]` in WGS 84. */
  bbox: number[];
}

/** `source.filters`. */
export interface SourceFilters {
  /** Time window. */
  temporal?: TemporalFilter;
  /** Area of interest. */
  spatial?: SpatialFilter;
}

/** `source` section: where records come from. */
export interface SourceConfig {
  /** Kind of source. */
  type: SourceType;
  /** STAC API root (http or https); present when `type` is `stac_api`. */
  catalog_url?: string;
  /** Collection ids or wildcards such as `HLS*`. */
  collections?: string[];
  /** Temporal and spatial filters. */
  filters?: SourceFilters;
  /** Files or folders to read (absolute once loaded); present when `type` is `local_files`. */
  paths?: string[];
  /** Format of local files. Default `auto`. */
  format: SourceFormat;
  /** Extra HTTP headers for API requests (values usually come from `${ENV_VARS}`). */
  headers?: Record<string, string>;
  /** Page size requested from APIs. */
  limit?: number;
  /** Stop after this many items. */
  max_items?: number;
}

/** One field-mapping rule; its shape is checked by `@scm/transform`, not here. */
export type MappingRule = JsonObject;

/** `transformation` section. */
export interface TransformationConfig {
  /** Inline mapping rules, or the absolute path of a mapping file once loaded. */
  mapping_schema?: MappingRule[] | string;
  /** Named lookup tables the rules can refer to. */
  lookup_tables?: JsonObject;
}

/** One entry of `extensions`. */
export interface ExtensionConfig {
  /** Extension name, e.g. `dgeo` or `alternate-assets`. */
  name: string;
  /** Extension options, checked later against the extension's own schema. Default `{}`. */
  config: JsonObject;
  /** Module to load the extension from: a package name, or a path (absolute once loaded when it was relative). */
  module?: string;
  /** When true a missing extension is a warning instead of an error. Default `false`. */
  optional: boolean;
}

/** `output.catalog`: metadata of the root catalog written. */
export interface OutputCatalog {
  /** Catalog id. */
  id?: string;
  /** Catalog title. */
  title?: string;
  /** Catalog description. */
  description?: string;
}

/** `output` section. */
export interface OutputConfig {
  /** Formats to write, from `output.format` (one or a list). Default `["json", "ndjson"]`. */
  formats: OutputFormat[];
  /** Output folder (absolute once loaded). Required. */
  path: string;
  /** Layout. Default `collection`. */
  organize_by: OrganizeBy;
  /** How an `s3://` output is published. Default `in_place`. */
  publish: PublishMode;
  /** How each collection's stac-geoparquet is cut into files. Default `none`. */
  parquet_partition: ParquetPartition;
  /** Absolute URL prefix for `self` links; relative links when absent. */
  base_url?: string;
  /** Root catalog metadata. */
  catalog?: OutputCatalog;
  /** File that collects failed items, as written (the workflow places it under `path`). Default `failed_items.ndjson`. */
  failures_file: string;
}

/** `validation` section. */
export interface ValidationConfig {
  /** Default `strict`. */
  level: ValidationLevel;
  /** Extra folders of local JSON Schemas (absolute once loaded). Default `[]`. */
  schema_dirs: string[];
  /** Default `ajv`. */
  engine: ValidationEngine;
  /** Validation worker threads; 0 validates in the main thread. Absent: cores minus one, at least 1. */
  workers?: number;
}

/** `logging` section. */
export interface LoggingConfig {
  /** Upper-cased level. Default `INFO`. */
  level: ConfigLogLevel;
  /** Log file (absolute once loaded); logs go to stderr when absent. */
  file?: string;
}

/** `processing` section. */
export interface ProcessingConfig {
  /** Parallel requests or tasks. Default 5. */
  concurrency: number;
  /** Requests per second per host. Default 10. */
  rate_limit: number;
  /** Retries after the first attempt. Default 3. */
  retry_max_attempts: number;
  /** Per-request timeout in seconds. Default 30. */
  timeout_s: number;
  /** Exponential backoff base. Default 2. */
  backoff_base: number;
  /** Items per batch for writers and bulk operations. Default 1000. */
  batch_size: number;
}

/**
 * A validated workflow configuration with every default applied and every
 * relative path made absolute against the configuration file's folder.
 */
/** `targeted`: the records `rebuild-catalog --mode targeted` rebuilds when the command line names none. */
export interface TargetedConfig {
  /** Item ids. */
  ids?: string[];
  /** Collection id. */
  collection?: string;
  /** RFC 3339 instant or `start/end` interval. */
  datetime?: string;
  /** `[west, south, east, north]`. */
  bbox?: [number, number, number, number];
}

/** How `rebuild-catalog --mode incremental` finds the delta of a STAC API source. */
export type IncrementalStrategy = 'auto' | 'filter' | 'listing';

/** `incremental`: how an incremental rebuild finds what changed. */
export interface IncrementalConfig {
  /**
   * `auto` (default): a server-side CQL2 filter on `properties.updated` when
   * the STAC API offers it and the state has an `updated` high-water mark,
   * else the full listing compared by content hash. `filter` forces the
   * filter (an error when it cannot be used); `listing` forces the listing.
   */
  strategy?: IncrementalStrategy;
}

export interface WorkflowConfig {
  /** Name and description. */
  workflow: WorkflowInfo;
  /** Where records come from. */
  source: SourceConfig;
  /** Field mapping. */
  transformation?: TransformationConfig;
  /** Extensions to apply, in order. Default `[]`. */
  extensions: ExtensionConfig[];
  /** Folder searched for extension modules (absolute once loaded). */
  extensions_dir?: string;
  /** What to write and where. */
  output: OutputConfig;
  /** Validation settings. */
  validation: ValidationConfig;
  /** Logging settings. */
  logging: LoggingConfig;
  /** Concurrency, rate limiting and retries. */
  processing: ProcessingConfig;
  /** Default selection of `rebuild-catalog --mode targeted`. */
  targeted?: TargetedConfig;
  /** How `rebuild-catalog --mode incremental` finds the delta. */
  incremental?: IncrementalConfig;
}

/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** File as the user named it. */
  file: string;
  /** 1-based line, when the problem maps to a place in the file. */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Key path such as `output.format` or `extensions[0].name`; empty for the whole document. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
}

/** Environment variables used for `${VAR}` substitution. */
export type EnvMap = Record<string, string | undefined>;

/** Options of {@link parseConfig} and {@link loadConfig}. */
export interface ConfigOptions {
  /** Variables for `${VAR}` substitution. Default `process.env`. */
  env?: EnvMap;
}
