import { rm, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import {
  countFailure,
  createFailure,
  type Failure,
  fileSystemError,
  finishSummary,
  formatSummary,
  isFailure,
  isPlainObject,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  type RecordOrigin,
  type RunSummary,
  type SourceRecord,
  ScmError,
  type StacItem,
  type SummaryCounter,
  startSummary,
  stacTypeOf,
} from '@scm/core';
import { applyExtensions, loadExtensions } from '@scm/extensions';
import { openSource } from '@scm/input';
import { scaffoldItem } from '@scm/scaffold';
import {
  applyMapping,
  enrichItems,
  formatAudit,
  keyedRecords,
  loadMapping,
  type Mapping,
} from '@scm/transform';
import { createValidator, type StacValidator } from '@scm/validate';
import { builtinExtensions, checkingExtensions } from './builtins.js';
import { MAPPING_READERS, readSafeYaml } from './readers.js';
import { AUDIT_FILE, FAILURES_FILE, type FailuresFile, openFailuresFile } from './failures-file.js';
import { type FileOutput, type FileOutputFormat, formatFromPath, openFileOutput } from './file-output.js';
import { logOpenedFiles } from './debug-log.js';
import { assertNewFiles, sideFilePath } from './output-dir.js';
import { describeReport } from './rebuild.js';
import { sourceWarnings } from './source-warnings.js';

/** Options shared by the record commands. */
export interface RecordCommandOptions {
  /** Input files or folders (CSV, JSON, NDJSON, Parquet, static catalogs). */
  input: string[];
  /** Base of relative paths (default process.cwd()). */
  cwd?: string;
  /** Output file. */
  outputPath: string;
  /** Output format (default: from the output file's extension, else json). */
  outputFormat?: string | undefined;
  /** Failures file (default `<output stem>.failed_items.ndjson` beside the output). */
  failuresPath?: string | undefined;
  /** For JSON inputs that are API pages: the member holding the records, e.g. `data` (default `features`). */
  recordsKey?: string | undefined;
  /** Where to write the transformation audit log as JSON (mapping commands; default `<output stem>.transformation_audit.json` beside the output). */
  auditPath?: string | undefined;
  /** Replace existing output, failures and audit files (default false: an existing one is `SCM_OUTPUT_EXISTS`). */
  overwrite?: boolean | undefined;
  /** Do everything but write (default false). */
  dryRun?: boolean;
  logger?: Logger;
  progress?: Progress;
  signal?: AbortSignal | undefined;
}

/** What a record command reports. */
export interface RecordCommandResult {
  summary: RunSummary;
  /** Lines for people: the summary, and the mapping audit where there is one. */
  text: string;
  /** Absolute path of the output file. */
  outputPath: string;
  /** Absolute path of the failures file (written only when something failed). */
  failuresPath: string;
}

type Step = (value: unknown, origin: RecordOrigin) => Promise<Record<string, unknown> | Failure>;

/** Optional stage over the whole record stream (enrichment joins a sidecar this way). */
type Pipe = (records: AsyncIterable<SourceRecord | Failure>) => AsyncIterable<SourceRecord | Failure>;

/** What a mapping command adds: the audit to print and write. */
interface AuditHook {
  text(): string;
  json(): unknown;
}

function abs(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function idOf(value: unknown, origin: RecordOrigin): string {
  if (isPlainObject(value) && (typeof value.id === 'string' || typeof value.id === 'number'))
    return String(value.id);
  return `${origin.file ?? 'input'}:${origin.line ?? origin.index ?? '?'}`;
}

function originFields(origin: RecordOrigin): { file?: string; line?: number } {
  return {
    ...(origin.file !== undefined ? { file: origin.file } : {}),
    ...(origin.line !== undefined ? { line: origin.line } : {}),
  };
}

/** Validates an item or collection, turning an invalid one into a Failure. */
function validated(
  validator: StacValidator,
  object: Record<string, unknown>,
  source: unknown,
  origin: RecordOrigin,
): Record<string, unknown> | Failure {
  const report = validator.validate(object);
  if (report.valid) return object;
  return createFailure({
    itemId: String(object.id ?? idOf(source, origin)),
    errorType: 'validation_error',
    message: describeReport(report),
    step: 'validate',
    sourceData: source,
    details: report.errors,
    ...originFields(origin),
  });
}

/** The files a record command writes, worked out (and checked) before anything is read. */
interface OutputPlan {
  outputPath: string;
  format: FileOutputFormat;
  failuresPath: string;
  auditPath: string | undefined;
}

/**
 * Resolves the output and side-file paths: the failures file and the audit
 * log go beside the output, named after its stem (`items.failed_items.ndjson`,
 * `items.transformation_audit.json`) unless given. None of them may exist
 * unless `overwrite`.
 */
async function planOutputs(
  command: string,
  options: RecordCommandOptions,
  allowed: readonly FileOutputFormat[],
  withAudit: boolean,
): Promise<OutputPlan> {
  const cwd = options.cwd ?? process.cwd();
  const outputPath = abs(cwd, options.outputPath);
  const format = formatFromPath(outputPath, options.outputFormat);
  if (!(allowed as readonly string[]).includes(format)) {
    throw new ScmError(
      'SCM_USAGE',
      `${command}: output format "${format}" is not one of ${allowed.join(', ')}`,
    );
  }
  const failuresPath = options.failuresPath
    ? abs(cwd, options.failuresPath)
    : sideFilePath(outputPath, FAILURES_FILE);
  const auditPath = !withAudit
    ? undefined
    : options.auditPath
      ? abs(cwd, options.auditPath)
      : sideFilePath(outputPath, AUDIT_FILE);
  const paths = [outputPath, failuresPath, ...(auditPath ? [auditPath] : [])];
  if (new Set(paths).size < paths.length) {
    throw new ScmError(
      'SCM_USAGE',
      `${command}: the output, failures and audit files must be different files`,
    );
  }
  if (!options.dryRun) await assertNewFiles(paths, { overwrite: options.overwrite });
  return { outputPath, format: format as FileOutputFormat, failuresPath, auditPath };
}

/** Reads every record, runs `step`, writes what passes and records what fails. */
async function runRecords(
  command: string,
  options: RecordCommandOptions,
  allowed: readonly FileOutputFormat[],
  items: boolean,
  step: Step,
  audit?: AuditHook,
  pipe?: Pipe,
): Promise<RecordCommandResult> {
  const logger = (options.logger ?? noopLogger).child(command);
  const plan = await planOutputs(command, options, allowed, audit !== undefined);
  const counter = startSummary(command);
  const dryRun = options.dryRun ?? false;
  const output = dryRun ? undefined : await openFileOutput(plan.outputPath, plan.format, { items });
  const failures = await openFailuresFile(plan.failuresPath, { dryRun });
  try {
    await pumpRecords(options, counter, { output, failures, step, pipe }, logger);
    await output?.close();
  } catch (error) {
    await output?.abort();
    await failures.close().catch(() => undefined);
    throw error;
  }
  await failures.close();
  if (!dryRun) {
    counter.outputs.push(plan.outputPath);
    if (failures.count > 0) counter.outputs.push(plan.failuresPath);
    else await rm(plan.failuresPath, { force: true });
  }
  if (audit && plan.auditPath && !dryRun) {
    await writeFile(plan.auditPath, `${JSON.stringify(audit.json(), null, 2)}\n`).catch((error: unknown) => {
      throw fileSystemError(error, plan.auditPath!, 'write');
    });
    counter.outputs.push(plan.auditPath);
  }
  const summary = finishSummary(counter);
  logger.info(`${command} finished`, {
    processed: summary.processed,
    succeeded: summary.succeeded,
    failed: summary.failed,
  });
  const lines = [formatSummary(summary)];
  if (audit) lines.push(audit.text());
  if (audit && !dryRun) lines.push(`audit log: ${plan.auditPath}`);
  if (summary.failed > 0) lines.push(`failures: ${dryRun ? '(dry run, not written)' : plan.failuresPath}`);
  return { summary, text: lines.join('\n'), outputPath: plan.outputPath, failuresPath: plan.failuresPath };
}

/** Where {@link pumpRecords} sends what it reads. */
interface Pump {
  output: FileOutput | undefined;
  failures: FailuresFile;
  step: Step;
  pipe: Pipe | undefined;
}

/** The record loop: read, run the step, write or record the failure, count. */
async function pumpRecords(
  options: RecordCommandOptions,
  counter: SummaryCounter,
  { output, failures, step, pipe }: Pump,
  logger: Logger,
): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  const progress = options.progress ?? noopProgress;
  const source = openSource({
    paths: options.input.map((p) => abs(cwd, p)),
    format: 'auto',
    onWarning: sourceWarnings(logger, counter),
    onFileOpened: logOpenedFiles(logger),
    onBytesRead: (read, total) => progress.position?.(read, total, 'bytes'),
    ...(options.recordsKey ? { json: { recordsKey: options.recordsKey } } : {}),
  });
  const fail = async (failure: Failure) => {
    countFailure(counter, failure.error_type);
    progress.failed?.();
    await failures.write(failure);
  };
  progress.start(counter.command);
  const records = source.records({ signal: options.signal });
  for await (const entry of pipe ? pipe(records) : records) {
    if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'the run was interrupted');
    counter.processed += 1;
    progress.tick();
    const result = isFailure(entry) ? entry : await step(entry.value, entry.origin);
    const refused = isFailure(result) ? result : await output?.write(result);
    if (refused) await fail(refused);
    else counter.succeeded += 1;
  }
  progress.done();
}

/** Options of {@link scaffoldFiles}. */
export interface ScaffoldFilesOptions extends RecordCommandOptions {
  /** Mapping file (YAML or JSON). */
  mappingPath: string;
}

/**
 * `scaffold-items`: maps each record with the mapping file, completes it into
 * a STAC Item (geometry from WKT or GeoJSON, bbox, datetimes, links) and
 * validates it. Output: a FeatureCollection (json) or NDJSON.
 */
export async function scaffoldFiles(options: ScaffoldFilesOptions): Promise<RecordCommandResult> {
  const mapping = await loadMapping(abs(options.cwd ?? process.cwd(), options.mappingPath), MAPPING_READERS);
  const validator = createValidator({ level: 'strict', extensions: checkingExtensions([]) });
  return runRecords(
    'scaffold-items',
    options,
    ['json', 'ndjson', 'parquet'],
    true,
    async (value, origin) => {
      const mapped = applyMapping(value, mapping, origin);
      if (!mapped.ok) return mapped.failure;
      const scaffolded = scaffoldItem(mapped.value, {}, origin);
      if (!scaffolded.ok) return scaffolded.failure;
      return validated(validator, scaffolded.item as unknown as Record<string, unknown>, value, origin);
    },
    auditOf(mapping),
  );
}

function auditOf(mapping: Mapping): AuditHook {
  return { text: () => formatAudit(mapping.audit), json: () => mapping.audit.toJSON() };
}

/** Options of {@link transformFiles}. */
export interface TransformFilesOptions extends RecordCommandOptions {
  /** Mapping file (YAML or JSON). */
  mappingPath: string;
  /**
   * Sidecar file (CSV, JSON, NDJSON, Parquet) to join to the input items:
   * the mapping is then applied to each item's sidecar row, with the item
   * available as `$item.<path>`, and its results are merged into the item.
   */
  sidecarPath?: string | undefined;
  /** Key path in the items to join on (default `id`). */
  itemKey?: string | undefined;
  /** Key path in the sidecar rows (default: the item key). */
  sidecarKey?: string | undefined;
  /** An item without a sidecar row: `keep` it unchanged or make it a failure (default keep). */
  onMissing?: 'keep' | 'fail' | undefined;
  /** The sidecar is one JSON object keyed by id (`{ "<id>": { ...row } }`) rather than rows (default false). */
  sidecarKeyed?: boolean | undefined;
}

/**
 * `transform-metadata`: applies the mapping only; output JSON array, NDJSON
 * or CSV (dotted columns). With a sidecar it enriches the input items
 * instead, and validates each enriched STAC item.
 */
export async function transformFiles(options: TransformFilesOptions): Promise<RecordCommandResult> {
  const cwd = options.cwd ?? process.cwd();
  const mapping: Mapping = await loadMapping(abs(cwd, options.mappingPath), MAPPING_READERS);
  if (options.sidecarPath) {
    const sidecarFile = abs(cwd, options.sidecarPath);
    const validator = createValidator({ level: 'strict', extensions: checkingExtensions([]) });
    const itemKey = options.itemKey ?? 'id';
    const sidecarKey = options.sidecarKey ?? itemKey;
    let keyed: ReturnType<typeof keyedRecords> | undefined;
    if (options.sidecarKeyed) {
      const data = (await readSafeYaml(sidecarFile)) as Record<string, unknown>;
      keyed = keyedRecords(data, { keyField: sidecarKey, file: sidecarFile });
    }
    return runRecords(
      'transform-metadata',
      options,
      ['json', 'ndjson', 'csv'],
      true,
      async (value, origin) => {
        const object = value as Record<string, unknown>;
        return stacTypeOf(object) ? validated(validator, object, value, origin) : object;
      },
      auditOf(mapping),
      (records) =>
        enrichItems(
          records,
          keyed ?? openSource({ path: sidecarFile, format: 'auto' }).records({ signal: options.signal }),
          {
            mapping,
            itemKey,
            sidecarKey,
            onMissing: options.onMissing ?? 'keep',
            ...(options.signal ? { signal: options.signal } : {}),
          },
        ),
    );
  }
  return runRecords(
    'transform-metadata',
    options,
    ['json', 'ndjson', 'csv'],
    false,
    async (value, origin) => {
      const mapped = applyMapping(value, mapping, origin);
      return mapped.ok ? mapped.value : mapped.failure;
    },
    auditOf(mapping),
  );
}

/** Options of {@link extendFiles}. */
export interface ExtendFilesOptions extends RecordCommandOptions {
  /** Extension names: built-in (`dgeo`, `alternate-assets`) or plugins found in the documented places. */
  extensions: string[];
  /**
   * Config file (YAML or JSON). With one extension, the file is its config;
   * with several, it maps each extension name to its config.
   */
  extensionConfigPath?: string | undefined;
  /** Extra plugin folder (default ~/.stac-catalog-manager/extensions). */
  extensionsDir?: string | undefined;
  /** Folder of the CLI, for plugins installed next to it. */
  cliDir?: string;
}

/** `apply-extensions`: adds extension fields to Items and Collections, then validates them with the extensions' schemas. */
export async function extendFiles(options: ExtendFilesOptions): Promise<RecordCommandResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.extensions.length === 0)
    throw new ScmError('SCM_USAGE', 'apply-extensions: name at least one --extension');
  const raw = options.extensionConfigPath ? await readSafeYaml(abs(cwd, options.extensionConfigPath)) : {};
  const configFor = (name: string): Record<string, unknown> => {
    if (options.extensions.length === 1) return isPlainObject(raw) ? raw : {};
    const entry = isPlainObject(raw) ? raw[name] : undefined;
    return isPlainObject(entry) ? entry : {};
  };
  const loaded = await loadExtensions({
    extensions: options.extensions.map((name) => ({ name, config: configFor(name), optional: false })),
    builtins: builtinExtensions(),
    ...(options.extensionsDir ? { extensionsDir: abs(cwd, options.extensionsDir) } : {}),
    ...(options.cliDir ? { cliDir: options.cliDir } : {}),
    cwd,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const validator = createValidator({
    level: 'strict',
    extensions: checkingExtensions(loaded.map((l) => l.extension)),
  });
  return runRecords(
    'apply-extensions',
    options,
    ['json', 'ndjson', 'parquet'],
    true,
    async (value, origin) => {
      const kind = stacTypeOf(value);
      if (kind !== 'Item' && kind !== 'Collection') {
        return createFailure({
          itemId: idOf(value, origin),
          errorType: 'other',
          message: 'not a STAC Item or Collection',
          step: 'extend',
          sourceData: value,
          ...originFields(origin),
        });
      }
      const extended = applyExtensions(value as StacItem, loaded, originFields(origin));
      if (!extended.ok) return extended.failure;
      return validated(validator, extended.value as Record<string, unknown>, value, origin);
    },
  );
}
