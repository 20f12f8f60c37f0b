/**
 * `@scm/config`: reads workflow configuration files (YAML or JSON),
 * substitutes `${VAR}` environment references, validates against the
 * shipped JSON Schema and returns a typed {@link WorkflowConfig}.
 *
 * @packageDocumentation
 */

// Defaults of every optional setting.
export type { ConfigDefaults } from './defaults.js';
export { CONFIG_DEFAULTS } from './defaults.js';
// `${VAR}` substitution of one string.
export type { Expansion, ReferenceProblem } from './env.js';
export { expandEnv, substituteEnv } from './env.js';
// Issue formatting.
export { formatIssue } from './issues.js';
// Entry points.
export { loadConfig, parseConfig, validateConfigObject } from './load.js';
// The JSON Schema and the value lists it uses.
export {
  configJsonSchema,
  ISO_DATE,
  LOG_LEVELS,
  INCREMENTAL_STRATEGIES,
  OUTPUT_FORMATS,
  SOURCE_FORMATS,
  SOURCE_TYPES,
} from './schema.js';
// The one safe YAML reader of the workspace (mapping and record-command files use it too).
export type { ReadYamlResult } from './yaml-source.js';
export { MAX_ALIAS_COUNT, MAX_YAML_LENGTH, readYaml } from './yaml-source.js';
// Types of the validated configuration.
export type {
  ConfigIssue,
  ConfigLogLevel,
  ConfigOptions,
  EnvMap,
  ExtensionConfig,
  LoggingConfig,
  MappingRule,
  OrganizeBy,
  ParquetPartition,
  PublishMode,
  OutputCatalog,
  OutputConfig,
  OutputFormat,
  ProcessingConfig,
  IncrementalConfig,
  IncrementalStrategy,
  TargetedConfig,
  SourceConfig,
  SourceFilters,
  SourceFormat,
  SourceType,
  SpatialFilter,
  TemporalFilter,
  TransformationConfig,
  ValidationConfig,
  ValidationEngine,
  ValidationLevel,
  WorkflowConfig,
  WorkflowInfo,
} from './types.js';
