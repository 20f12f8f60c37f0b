import { resolve } from 'node:path';
import type { JsonObject } from '@scm/core';
import { CONFIG_DEFAULTS } from './defaults.js';
import type {
  ConfigLogLevel,
  ExtensionConfig,
  OutputConfig,
  OutputFormat,
  SourceConfig,
  TransformationConfig,
  WorkflowConfig,
} from './types.js';

/** The raw shape after validation: what the file says, before defaults. */
type Raw = Record<string, unknown>;

function section(data: Raw, key: string): Raw {
  const value = data[key];
  return typeof value === 'object' && value !== null ? (value as Raw) : {};
}

/** Copies the keys of `from` whose values are defined. */
function defined<T extends object>(from: T): T {
  return Object.fromEntries(Object.entries(from).filter(([, v]) => v !== undefined)) as T;
}

/** True for `./x`, `../x` and their Windows forms: a module path rather than a package name. */
function isRelativeModule(specifier: string): boolean {
  return /^\.\.?([\\/]|$)/.test(specifier);
}

/** Makes a path from the file absolute against the config file's folder. */
type Resolve = (path: string) => string;

function toSource(data: Raw, at: Resolve): SourceConfig {
  const rawSource = section(data, 'source');
  return defined({
    ...(rawSource as unknown as SourceConfig),
    format: (rawSource.format as SourceConfig['format'] | undefined) ?? CONFIG_DEFAULTS.sourceFormat,
    paths: Array.isArray(rawSource.paths) ? (rawSource.paths as string[]).map(at) : undefined,
  });
}

/** `output.format` (one or a list) becomes `formats`. */
function toOutput(data: Raw, at: Resolve): OutputConfig {
  const rawOutput = section(data, 'output');
  const format = rawOutput.format as OutputFormat | OutputFormat[] | undefined;
  const { format: _format, ...outputRest } = rawOutput;
  return {
    formats:
      format === undefined
        ? [...CONFIG_DEFAULTS.outputFormats]
        : Array.isArray(format)
          ? [...format]
          : [format],
    ...(outputRest as unknown as Omit<OutputConfig, 'formats'>),
    // An object-storage URL (s3://bucket/prefix) is not a path beside the config file.
    path: /^s3:\/\//i.test(String(rawOutput.path)) ? String(rawOutput.path) : at(String(rawOutput.path)),
    organize_by:
      (rawOutput.organize_by as OutputConfig['organize_by'] | undefined) ?? CONFIG_DEFAULTS.organizeBy,
    publish: (rawOutput.publish as OutputConfig['publish'] | undefined) ?? CONFIG_DEFAULTS.publish,
    parquet_partition:
      (rawOutput.parquet_partition as OutputConfig['parquet_partition'] | undefined) ??
      CONFIG_DEFAULTS.parquetPartition,
    failures_file: (rawOutput.failures_file as string | undefined) ?? CONFIG_DEFAULTS.failuresFile,
  };
}

/** A relative `module` is a file beside the config; any other is a package name, left as is. */
function toExtensions(data: Raw, at: Resolve): ExtensionConfig[] {
  return ((data.extensions as Raw[] | undefined) ?? []).map((raw) =>
    defined({
      name: String(raw.name),
      config: (raw.config as JsonObject | undefined) ?? {},
      module:
        typeof raw.module === 'string'
          ? isRelativeModule(raw.module)
            ? at(raw.module)
            : raw.module
          : undefined,
      optional: raw.optional === true,
    }),
  );
}

/** A mapping file path is resolved; inline mappings pass as they are. */
function toTransformation(data: Raw, at: Resolve): TransformationConfig | undefined {
  if (data.transformation === undefined) return undefined;
  const raw = section(data, 'transformation');
  return defined({
    mapping_schema:
      typeof raw.mapping_schema === 'string'
        ? at(raw.mapping_schema)
        : (raw.mapping_schema as JsonObject[] | undefined),
    lookup_tables: raw.lookup_tables as JsonObject | undefined,
  });
}

function toValidation(data: Raw, at: Resolve): WorkflowConfig['validation'] {
  const validation = section(data, 'validation');
  return {
    level:
      (validation.level as WorkflowConfig['validation']['level'] | undefined) ??
      CONFIG_DEFAULTS.validationLevel,
    schema_dirs: ((validation.schema_dirs as string[] | undefined) ?? []).map(at),
    engine:
      (validation.engine as WorkflowConfig['validation']['engine'] | undefined) ??
      CONFIG_DEFAULTS.validationEngine,
    ...(typeof validation.workers === 'number' ? { workers: validation.workers } : {}),
  };
}

function toLogging(data: Raw, at: Resolve): WorkflowConfig['logging'] {
  const logging = section(data, 'logging');
  return defined({
    level: (typeof logging.level === 'string'
      ? logging.level.toUpperCase()
      : CONFIG_DEFAULTS.logLevel) as ConfigLogLevel,
    file: typeof logging.file === 'string' ? at(logging.file) : undefined,
  });
}

/**
 * Applies defaults, normalises `output.format` to `formats` and
 * `logging.level` to upper case, and makes relative paths absolute against
 * `baseDir`. Expects data that passed validation.
 */
export function toWorkflowConfig(data: Raw, baseDir: string): WorkflowConfig {
  const at: Resolve = (p) => resolve(baseDir, p);
  const processing = section(data, 'processing');
  return defined({
    workflow: defined({
      name: String(section(data, 'workflow').name),
      description: section(data, 'workflow').description as string | undefined,
    }),
    source: toSource(data, at),
    transformation: toTransformation(data, at),
    extensions: toExtensions(data, at),
    extensions_dir: typeof data.extensions_dir === 'string' ? at(data.extensions_dir) : undefined,
    output: toOutput(data, at),
    validation: toValidation(data, at),
    logging: toLogging(data, at),
    processing: { ...CONFIG_DEFAULTS.processing, ...(processing as Partial<WorkflowConfig['processing']>) },
    targeted: data.targeted as WorkflowConfig['targeted'],
    incremental: data.incremental as WorkflowConfig['incremental'],
  });
}
