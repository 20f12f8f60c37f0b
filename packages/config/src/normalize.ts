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

/**
 * Applies defaults, normalises `output.format` to `formats` and
 * `logging.level` to upper case, and makes relative paths absolute against
 * `baseDir`. Expects data that passed validation.
 */
export function toWorkflowConfig(data: Raw, baseDir: string): WorkflowConfig {
  const at = (p: string) => resolve(baseDir, p);
  const rawSource = section(data, 'source');
  const source: SourceConfig = defined({
    ...(rawSource as unknown as SourceConfig),
    format: (rawSource.format as SourceConfig['format'] | undefined) ?? CONFIG_DEFAULTS.sourceFormat,
    paths: Array.isArray(rawSource.paths) ? (rawSource.paths as string[]).map(at) : undefined,
  });

  const rawOutput = section(data, 'output');
  const format = rawOutput.format as OutputFormat | OutputFormat[] | undefined;
  const { format: _format, ...outputRest } = rawOutput;
  const output: OutputConfig = {
    formats:
      format === undefined
        ? [...CONFIG_DEFAULTS.outputFormats]
        : Array.isArray(format)
          ? [...format]
          : [format],
    ...(outputRest as unknown as Omit<OutputConfig, 'formats'>),
    path: at(String(rawOutput.path)),
    organize_by:
      (rawOutput.organize_by as OutputConfig['organize_by'] | undefined) ?? CONFIG_DEFAULTS.organizeBy,
    failures_file: (rawOutput.failures_file as string | undefined) ?? CONFIG_DEFAULTS.failuresFile,
  };

  const extensions: ExtensionConfig[] = ((data.extensions as Raw[] | undefined) ?? []).map((raw) =>
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

  let transformation: TransformationConfig | undefined;
  if (data.transformation !== undefined) {
    const raw = section(data, 'transformation');
    transformation = defined({
      mapping_schema:
        typeof raw.mapping_schema === 'string'
          ? at(raw.mapping_schema)
          : (raw.mapping_schema as JsonObject[] | undefined),
      lookup_tables: raw.lookup_tables as JsonObject | undefined,
    });
  }

  const validation = section(data, 'validation');
  const logging = section(data, 'logging');
  const processing = section(data, 'processing');

  return defined({
    workflow: defined({
      name: String(section(data, 'workflow').name),
      description: section(data, 'workflow').description as string | undefined,
    }),
    source,
    transformation,
    extensions,
    extensions_dir: typeof data.extensions_dir === 'string' ? at(data.extensions_dir) : undefined,
    output,
    validation: {
      level:
        (validation.level as WorkflowConfig['validation']['level'] | undefined) ??
        CONFIG_DEFAULTS.validationLevel,
      schema_dirs: ((validation.schema_dirs as string[] | undefined) ?? []).map(at),
      engine:
        (validation.engine as WorkflowConfig['validation']['engine'] | undefined) ??
        CONFIG_DEFAULTS.validationEngine,
    },
    logging: defined({
      level: (typeof logging.level === 'string'
        ? logging.level.toUpperCase()
        : CONFIG_DEFAULTS.logLevel) as ConfigLogLevel,
      file: typeof logging.file === 'string' ? at(logging.file) : undefined,
    }),
    processing: { ...CONFIG_DEFAULTS.processing, ...(processing as Partial<WorkflowConfig['processing']>) },
  });
}
