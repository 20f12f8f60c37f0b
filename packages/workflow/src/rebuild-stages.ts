import type { WorkflowConfig } from '@scm/config';
import {
  createFailure,
  type Failure,
  isPlainObject,
  type Logger,
  type RecordOrigin,
  type StacCollection,
  type StacItem,
  stacTypeOf,
  type ValidationReport,
} from '@scm/core';
import { applyExtensions, type LoadedExtension, loadExtensions } from '@scm/extensions';
import { scaffoldItem } from '@scm/scaffold';
import { applyMapping, loadMapping, type Mapping, parseMapping } from '@scm/transform';
import { MAPPING_READERS } from './readers.js';
import { createValidator, type StacValidator } from '@scm/validate';
import { builtinExtensions, checkingExtensions } from './builtins.js';

/** What a stage hands on: the value for the next stage, or the failure that ends this record. */
export type StageResult<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** The configured map, extend and validate stages of a rebuild, ready to run. */
export interface RecordStages {
  /** The mapping, when the config has one. */
  mapping: Mapping | undefined;
  extensions: LoadedExtension[];
  validator: StacValidator;
}

/** A short message from a validation report: the first few errors with their paths. */
export function describeReport(report: ValidationReport, max = 5): string {
  const parts = report.errors.slice(0, max).map((e) => `${e.path || '/'}: ${e.message}`);
  const more = report.errors.length > max ? ` (+${report.errors.length - max} more)` : '';
  return `${parts.join('; ')}${more}`;
}

const pass = <T>(value: T): StageResult<T> => ({ ok: true, value });
const stop = (failure: Failure): StageResult<never> => ({ ok: false, failure });

async function loadRunMapping(config: WorkflowConfig): Promise<Mapping | undefined> {
  const spec = config.transformation?.mapping_schema;
  if (typeof spec === 'string') return loadMapping(spec, MAPPING_READERS);
  if (!Array.isArray(spec) || spec.length === 0) return undefined;
  const tables = config.transformation?.lookup_tables;
  return parseMapping(tables ? { mappings: spec, lookup_tables: tables } : spec, undefined, MAPPING_READERS);
}

/**
 * Loads the extensions and the mapping and sets up the validator. Each can
 * reject the configuration, so this runs before anything is written.
 */
export async function prepareStages(
  config: WorkflowConfig,
  cliDir: string | undefined,
  logger: Logger,
): Promise<RecordStages> {
  const extensions = await loadExtensions({
    extensions: config.extensions,
    builtins: builtinExtensions(),
    ...(config.extensions_dir !== undefined ? { extensionsDir: config.extensions_dir } : {}),
    ...(cliDir !== undefined ? { cliDir } : {}),
    logger,
  });
  const mapping = await loadRunMapping(config);
  const validator = createValidator({
    level: config.validation?.level ?? 'strict',
    schemaDirs: config.validation?.schema_dirs ?? [],
    extensions: checkingExtensions(extensions.map((l) => l.extension)),
  });
  return { mapping, extensions, validator };
}

function idOf(value: unknown, origin: RecordOrigin): string {
  if (isPlainObject(value) && (typeof value.id === 'string' || typeof value.id === 'number'))
    return String(value.id);
  return origin.file ? `${origin.file}:${origin.line ?? origin.index ?? '?'}` : 'unknown';
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Map: applies the mapping; an Item keeps its members and takes the mapped ones over them. */
export function mapRecord(
  record: unknown,
  mapping: Mapping | undefined,
  origin: RecordOrigin,
): StageResult<unknown> {
  if (!mapping) return pass(record);
  const mapped = applyMapping(record, mapping, origin);
  if (!mapped.ok) return stop(mapped.failure);
  return pass(
    stacTypeOf(record) === 'Item' ? deepMerge(record as Record<string, unknown>, mapped.value) : mapped.value,
  );
}

/** Scaffold: an Item passes as it is; any other object is made into one. `source` is the record as read. */
export function scaffoldRecord(
  record: unknown,
  source: unknown,
  origin: RecordOrigin,
): StageResult<StacItem> {
  if (stacTypeOf(record) === 'Item') return pass(record as StacItem);
  if (isPlainObject(record)) {
    const scaffolded = scaffoldItem(record, {}, origin);
    return scaffolded.ok ? pass(scaffolded.item) : stop(scaffolded.failure);
  }
  return stop(
    createFailure({
      itemId: idOf(source, origin),
      errorType: 'other',
      message: 'record is not a JSON object',
      step: 'read',
      sourceData: source,
      ...origin,
    }),
  );
}

/** Extend: applies the configured extensions, failures located at the record's file and line. */
export function extendItem(
  item: StacItem,
  stages: RecordStages,
  origin: RecordOrigin,
): StageResult<StacItem> {
  const at =
    origin.file !== undefined
      ? { file: origin.file, ...(origin.line !== undefined ? { line: origin.line } : {}) }
      : {};
  const extended = applyExtensions(item, stages.extensions, at);
  return extended.ok ? pass(extended.value as StacItem) : stop(extended.failure);
}

/** Validate: schemas and extension checks; an invalid item fails with the record as read. */
export function validateItem(
  item: StacItem,
  stages: RecordStages,
  source: unknown,
  origin: RecordOrigin,
): StageResult<StacItem> {
  const report = stages.validator.validate(item);
  if (report.valid) return pass(item);
  return stop(validationFailure(item, report, source, origin));
}

/** The failure of an item its validation report rejects, carrying the record as read. */
export function validationFailure(
  item: StacItem,
  report: ValidationReport,
  source: unknown,
  origin: RecordOrigin,
): Failure {
  return createFailure({
    itemId: item.id,
    errorType: 'validation_error',
    message: describeReport(report),
    step: 'validate',
    sourceData: source,
    details: report.errors,
    ...(origin.file !== undefined ? { file: origin.file } : {}),
    ...(origin.line !== undefined ? { line: origin.line } : {}),
  });
}

/** One record through map -> scaffold -> extend -> validate: a valid Item, or the first failure. */
export function runRecordStages(
  stages: RecordStages,
  source: unknown,
  origin: RecordOrigin,
): StageResult<StacItem> {
  const mapped = mapRecord(source, stages.mapping, origin);
  if (!mapped.ok) return mapped;
  const item = scaffoldRecord(mapped.value, source, origin);
  if (!item.ok) return item;
  const extended = extendItem(item.value, stages, origin);
  if (!extended.ok) return extended;
  return validateItem(extended.value, stages, source, origin);
}

/** A collection through extend -> validate (no record origin: it is the source's or scaffolded). */
export function runCollectionStages(
  stages: RecordStages,
  collection: StacCollection,
): StageResult<StacCollection> {
  const extended = applyExtensions(collection, stages.extensions);
  if (!extended.ok) return extended;
  const report = stages.validator.validate(extended.value);
  if (report.valid) return pass(extended.value as StacCollection);
  return stop(
    createFailure({
      itemId: collection.id,
      errorType: 'validation_error',
      message: `collection: ${describeReport(report)}`,
      step: 'validate',
      sourceData: collection,
      details: report.errors,
    }),
  );
}
