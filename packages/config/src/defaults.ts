import type {
  ConfigLogLevel,
  OrganizeBy,
  OutputFormat,
  ParquetPartition,
  PublishMode,
  ProcessingConfig,
  SourceFormat,
  ValidationEngine,
  ValidationLevel,
} from './types.js';

/** Defaults applied after validation; the JSON Schema shows the same values as `default` annotations. */
export interface ConfigDefaults {
  /** `source.format`. */
  readonly sourceFormat: SourceFormat;
  /** `output.format` when absent. */
  readonly outputFormats: readonly OutputFormat[];
  /** `output.organize_by`. */
  readonly organizeBy: OrganizeBy;
  /** `output.publish`. */
  readonly publish: PublishMode;
  /** `output.parquet_partition`. */
  readonly parquetPartition: ParquetPartition;
  /** `output.failures_file`. */
  readonly failuresFile: string;
  /** `validation.level`. */
  readonly validationLevel: ValidationLevel;
  /** `validation.engine`. */
  readonly validationEngine: ValidationEngine;
  /** `logging.level`. */
  readonly logLevel: ConfigLogLevel;
  /** `processing.*`. */
  readonly processing: Readonly<ProcessingConfig>;
}

/** The default value of every optional setting. */
export const CONFIG_DEFAULTS: ConfigDefaults = Object.freeze({
  sourceFormat: 'auto',
  outputFormats: Object.freeze(['json', 'ndjson'] as OutputFormat[]),
  organizeBy: 'collection',
  publish: 'in_place',
  parquetPartition: 'none',
  failuresFile: 'failed_items.ndjson',
  validationLevel: 'strict',
  validationEngine: 'ajv',
  logLevel: 'INFO',
  processing: Object.freeze({
    concurrency: 5,
    rate_limit: 10,
    retry_max_attempts: 3,
    timeout_s: 30,
    backoff_base: 2,
    batch_size: 1000,
  }),
});
