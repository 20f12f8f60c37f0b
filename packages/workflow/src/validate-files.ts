import { createWriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  type Failure,
  isFailure,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  ScmError,
  type SourceRecord,
  type StacItem,
  stacTypeOf,
  type ValidationReport,
} from '@scm/core';
import { type ExtensionConfigEntry, type LoadedExtension, loadExtensions } from '@scm/extensions';
import { type DroppedWarning, ndjsonLineRecord, warnDropped } from '@scm/input';
import { createRunRecorder, RUN_RECORD_FILE, writeRunRecord } from '@scm/report';
import type { LineVerdict } from '@scm/validate';
import {
  type BatchValidator,
  LinesToValidate,
  openBatchValidator,
  validateInBatches,
} from './batch-validator.js';
import { builtinExtensions } from './builtins.js';
import { logOpenedFiles } from './debug-log.js';
import { validateWithStacValidator } from './engine-validate.js';
import { sourceWarnings } from './source-warnings.js';
import { planValidationInputs, validationObjects } from './validation-inputs.js';

/** Options of {@link validateFiles}. */
export interface ValidateFilesOptions {
  /**
   * Files (JSON, NDJSON, stac-geoparquet) or folders (static catalogs, folders of those). A CSV input is
   * refused with `SCM_USAGE`: it holds records, not STAC objects.
   */
  inputs: string[];
  /** Base for relative inputs (default process.cwd()). */
  cwd?: string;
  /** strict: an unresolvable extension schema is an error; lenient: a warning (default strict). */
  level?: 'strict' | 'lenient';
  /** Extra schema folders laid out by URL. */
  schemaDirs?: string[];
  /** Where to write the JSON report (default: not written). */
  reportPath?: string | undefined;
  /** Logger. */
  logger?: Logger;
  /** Progress. */
  progress?: Progress;
  /** Abort signal. */
  signal?: AbortSignal | undefined;
  /** `ajv` (ours, default) or `stac-validator` (the Python tool, when installed). */
  engine?: 'ajv' | 'stac-validator';
  /**
   * Plugin extensions whose schemas and `checkObject` run too, by name or as config entries (a config's
   * `extensions:` list). The built-in extensions always run on objects that declare their schemas.
   * Default: none.
   */
  extensions?: readonly (string | ExtensionConfigEntry)[];
  /** Extra plugin folder (default ~/.stac-catalog-manager/extensions). */
  extensionsDir?: string | undefined;
  /** Folder of the CLI, so plugins installed next to it are found. */
  cliDir?: string;
  /** Folder that relative plugin `module` paths are resolved against (the config file's folder). Default `cwd`. */
  baseDir?: string;
  /**
   * Validation worker threads (0: validate in this thread). Default: one per core. NDJSON files go to the
   * threads as blocks of lines that this thread neither decodes nor parses; the texts of JSON array elements
   * are parsed there too (800,000 HLS items of 13.0 KB on 2 cores: 40 s, 20K items/s; 100,000 in this
   * thread alone: 12.2 s). Reports are the same whatever the number.
   */
  workers?: number | undefined;
}

/** Result of {@link validateFiles}. */
export interface ValidateFilesResult {
  total: number;
  valid: number;
  invalid: number;
  /** Lines for people: totals and the first errors with their locations. */
  text: string;
}

/**
 * The plugins named, whose schemas and checks the validator runs besides every built-in (each checks only
 * objects that declare its schema; see `checkingExtensions`).
 */
async function extensionsToCheck(options: ValidateFilesOptions, cwd: string): Promise<LoadedExtension[]> {
  const named = options.extensions ?? [];
  if (named.length === 0) return [];
  const loaded = await loadExtensions({
    extensions: named.map((e) => (typeof e === 'string' ? { name: e } : e)),
    builtins: builtinExtensions(),
    ...(options.extensionsDir ? { extensionsDir: resolve(cwd, options.extensionsDir) } : {}),
    ...(options.cliDir ? { cliDir: options.cliDir } : {}),
    cwd,
    baseDir: options.baseDir ?? cwd,
    checkConfigs: false, // validation runs schemas and checks only; it never applies an extension
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return loaded;
}

/** Streams the JSON report: `{"reports":[…],"valid":…,"summary":…}`, one report per line. */
async function openReport(path: string | undefined, cwd: string) {
  if (!path) return undefined;
  const reportPath = isAbsolute(path) ? path : resolve(cwd, path);
  await mkdir(dirname(reportPath), { recursive: true });
  const out = createWriteStream(reportPath);
  out.write('{"reports":[\n');
  let entries = 0;
  return {
    async add(line: Record<string, unknown>): Promise<void> {
      const text = `${entries > 0 ? ',\n' : ''}${JSON.stringify(line)}`;
      entries += 1;
      if (!out.write(text)) await new Promise<void>((r) => out.once('drain', r));
    },
    async close(valid: boolean, summary: Record<string, unknown>): Promise<void> {
      out.write(`\n],\n"valid":${valid},\n"summary":${JSON.stringify(summary)}}\n`);
      await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
    },
  };
}

/**
 * A record on its way through validation. When the source gave its text, only the text is kept (a
 * validation thread parses it): the parsed object would otherwise live until the report comes back. An
 * NDJSON line validated from its block (`unparsed`) was parsed only on a thread; its text is kept only
 * when it is invalid, and its kind is not known here.
 */
type ValidationEntry =
  | Failure
  | {
      origin: SourceRecord['origin'];
      kind: string | undefined;
      value?: unknown;
      text?: string;
      unparsed?: true;
    };

async function* lightened(
  entries: AsyncIterable<SourceRecord | Failure | LinesToValidate>,
  threads: boolean,
): AsyncGenerator<ValidationEntry | LinesToValidate> {
  for await (const entry of entries) {
    if (isFailure(entry) || entry instanceof LinesToValidate) yield entry;
    else {
      const kind = stacTypeOf(entry.value);
      const { origin, text } = entry;
      yield threads && text !== undefined
        ? { origin, kind, text }
        : { origin, kind, value: entry.value, text };
    }
  }
}

/**
 * The entry of a line validated from its block (the verdict of an invalid line has its text). The members
 * its parse dropped are told to `onWarning`, as the NDJSON reader tells them when the line is read here.
 */
function lineEntry(
  lines: LinesToValidate,
  verdict: LineVerdict,
  onWarning: DroppedWarning | undefined,
): ValidationEntry {
  const origin = { file: lines.file, line: verdict.line };
  if (verdict.dropped) warnDropped(verdict.dropped, { file: lines.file, line: verdict.line }, onWarning);
  return verdict.text === undefined
    ? { origin, kind: undefined, unparsed: true }
    : { origin, kind: undefined, unparsed: true, text: verdict.text };
}

/**
 * An unparsed line found invalid may not be JSON, or not an object: then it is reported as the NDJSON
 * reader reports it (a `read` error with its words), as when the line is parsed while read.
 */
function asRead(entry: ValidationEntry, report: ValidationReport | undefined): ValidationEntry {
  if (isFailure(entry) || !entry.unparsed || report?.valid !== false) return entry;
  const record = ndjsonLineRecord(entry.text!, entry.origin.file!, entry.origin.line!);
  return isFailure(record) ? record : entry;
}

/** One report line: a record that could not be read, or an object's validation report with where it came from. */
function reportLine(
  entry: ValidationEntry,
  report: ValidationReport | undefined,
): { line: Record<string, unknown>; firstErrors: string[] } {
  if (isFailure(entry)) {
    const where = `${entry.error_context.file ?? ''}:${entry.error_context.line ?? ''}`;
    const line = {
      file: entry.error_context.file,
      line: entry.error_context.line,
      id: entry.item_id,
      valid: false,
      errors: [{ path: '', message: entry.error_message, kind: 'read', severity: 'error' }],
      warnings: [],
    };
    // A reader's message already starts with the file and line.
    const message = entry.error_message.startsWith(where)
      ? entry.error_message
      : `${where} ${entry.error_message}`;
    return { line, firstErrors: [message] };
  }
  if (!report || (!entry.kind && !entry.unparsed && report.valid)) {
    throw new ScmError('SCM_INTERNAL', 'validator accepted a non-STAC object');
  }
  const { file, line } = entry.origin;
  const where = `${file ?? ''}${line !== undefined ? `:${line}` : ''}`;
  const firstErrors = report.errors
    .slice(0, 3)
    .map((e) => `${where} ${report.id ?? ''} ${e.path || '/'}: ${e.message}`);
  return { line: { file, line, ...report }, firstErrors };
}

/**
 * Validates every STAC object in the inputs and streams a report: one entry
 * per object (`file`, `line`, `id`, `type`, `valid`, `errors`, `warnings`)
 * and a summary grouped by error kind. Records that cannot be read count as
 * invalid with a `read` error. Besides the schemas, the checks of every
 * built-in extension (and of the plugins named in `extensions`) run on the
 * objects that declare their schemas; their findings carry JSON paths too.
 */
export async function validateFiles(options: ValidateFilesOptions): Promise<ValidateFilesResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.engine === 'stac-validator') return validateFilesWithPython(options, cwd);
  const logger = (options.logger ?? noopLogger).child('validate');
  const validator = openBatchValidator({
    level: options.level ?? 'strict',
    schemaDirs: options.schemaDirs ?? [],
    loaded: await extensionsToCheck(options, cwd),
    workers: options.workers ?? availableParallelism(),
  });
  try {
    return await validateAll(options, cwd, validator, logger);
  } finally {
    await validator.close();
  }
}

/** Reads every object, validates it in batches and streams the report, in input order. */
async function validateAll(
  options: ValidateFilesOptions,
  cwd: string,
  validator: BatchValidator,
  logger: Logger,
): Promise<ValidateFilesResult> {
  const recorder = options.reportPath ? createRunRecorder() : undefined;
  const progress =
    recorder?.wrapProgress(options.progress ?? noopProgress) ?? options.progress ?? noopProgress;
  const paths = options.inputs.map((p) => (isAbsolute(p) ? p : resolve(cwd, p)));
  const run = { notes: [] as string[] };
  const hooks = {
    onWarning: sourceWarnings(logger, run),
    onFileOpened: logOpenedFiles(logger),
    onBytesRead: (read: number, of: number) => progress.position?.(read, of, 'bytes'),
  };
  const inputs = await planValidationInputs(paths, hooks.onWarning);
  const report = await openReport(options.reportPath, cwd);
  const byKindCount: Record<string, number> = {};
  const firstErrors: string[] = [];
  let total = 0;
  let invalid = 0;
  progress.start('validate');
  const settle = async (validated: ValidationEntry, result: ValidationReport | undefined) => {
    total += 1;
    const entry = asRead(validated, result);
    const { line, firstErrors: errors } = reportLine(entry, isFailure(entry) ? undefined : result);
    if (line.valid === false) {
      invalid += 1;
      progress.failed?.();
      const object = isFailure(entry) ? undefined : (entry.value ?? JSON.parse(entry.text!));
      if (recorder && stacTypeOf(object) === 'Item') recorder.observeItem(object as StacItem);
    }
    if (firstErrors.length < 10) firstErrors.push(...errors);
    for (const e of (line.errors ?? []) as { kind: string }[])
      byKindCount[e.kind] = (byKindCount[e.kind] ?? 0) + 1;
    await report?.add(line);
    progress.tick();
  };
  const pick = (entry: ValidationEntry) =>
    isFailure(entry) ? undefined : { object: entry.value, text: entry.text };
  // With threads, NDJSON files go to them as blocks of lines: this thread neither decodes nor parses them.
  const threads = validator.workers > 0;
  const entries = lightened(validationObjects(inputs, hooks, options.signal, threads), threads);
  await validateInBatches(entries, validator, pick, settle, (lines, verdict) =>
    lineEntry(lines, verdict, hooks.onWarning),
  );
  progress.done();
  await report?.close(invalid === 0, { total, valid: total - invalid, invalid, byKind: byKindCount });
  const recordPath = validationRecordPath(options.reportPath, cwd);
  if (recorder && recordPath) await writeRunRecord(recordPath, recorder);
  logger.info('validation finished', { total, invalid });
  const lines = [`${total} object(s): ${total - invalid} valid, ${invalid} invalid`];
  const byKind = Object.entries(byKindCount);
  if (byKind.length > 0) lines.push(`errors by kind: ${byKind.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(...firstErrors.map((e) => `  ${e.trim()}`), ...run.notes.map((note) => `  note: ${note}`));
  return { total, valid: total - invalid, invalid, text: lines.join('\n') };
}

/**
 * Where `validate` leaves its run record for the report page (`r.json` → `r.report_record.json`: the stage
 * and its rate over time, the footprints of invalid Items); none for a report not named `.json`.
 */
export function validationRecordPath(reportPath: string | undefined, cwd: string): string | undefined {
  if (!reportPath?.endsWith('.json')) return undefined;
  const absolute = isAbsolute(reportPath) ? reportPath : resolve(cwd, reportPath);
  return absolute.replace(/\.json$/, `.${RUN_RECORD_FILE}`);
}

async function validateFilesWithPython(
  options: ValidateFilesOptions,
  cwd: string,
): Promise<ValidateFilesResult> {
  const { reports } = await validateWithStacValidator(options.inputs, cwd, options.signal);
  const invalid = reports.filter((r) => !r.report.valid);
  if (options.reportPath) {
    const reportPath = isAbsolute(options.reportPath) ? options.reportPath : resolve(cwd, options.reportPath);
    await mkdir(dirname(reportPath), { recursive: true });
    const body = {
      engine: 'stac-validator',
      valid: invalid.length === 0,
      reports: reports.map((r) => ({
        file: r.file,
        ...(r.line !== undefined ? { line: r.line } : {}),
        ...r.report,
      })),
      summary: { total: reports.length, valid: reports.length - invalid.length, invalid: invalid.length },
    };
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(reportPath, `${JSON.stringify(body, null, 2)}\n`),
    );
  }
  const lines = [
    `${reports.length} object(s): ${reports.length - invalid.length} valid, ${invalid.length} invalid (engine: stac-validator)`,
  ];
  for (const r of invalid.slice(0, 10)) {
    lines.push(`  ${r.file}${r.line !== undefined ? `:${r.line}` : ''} ${r.report.errors[0]?.message ?? ''}`);
  }
  return {
    total: reports.length,
    valid: reports.length - invalid.length,
    invalid: invalid.length,
    text: lines.join('\n'),
  };
}
