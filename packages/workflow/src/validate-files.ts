import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  isFailure,
  type Logger,
  noopLogger,
  noopProgress,
  type Progress,
  ScmError,
  stacTypeOf,
} from '@scm/core';
import { openSource } from '@scm/input';
import { createValidator } from '@scm/validate';
import { logOpenedFiles } from './debug-log.js';
import { validateWithStacValidator } from './engine-validate.js';
import { sourceWarnings } from './source-warnings.js';

/** Options of {@link validateFiles}. */
export interface ValidateFilesOptions {
  /** Files (JSON, NDJSON) or folders (static catalogs, folders of JSON/NDJSON). */
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
 * Validates every STAC object in the inputs and streams a report: one entry
 * per object (`file`, `line`, `id`, `type`, `valid`, `errors`, `warnings`)
 * and a summary grouped by error kind. Records that cannot be read count as
 * invalid with a `read` error.
 */
export async function validateFiles(options: ValidateFilesOptions): Promise<ValidateFilesResult> {
  const cwd = options.cwd ?? process.cwd();
  if (options.engine === 'stac-validator') return validateFilesWithPython(options, cwd);
  const logger = (options.logger ?? noopLogger).child('validate');
  const progress = options.progress ?? noopProgress;
  const validator = createValidator({
    level: options.level ?? 'strict',
    schemaDirs: options.schemaDirs ?? [],
  });
  const paths = options.inputs.map((p) => (isAbsolute(p) ? p : resolve(cwd, p)));
  const run = { notes: [] as string[] };
  const source = openSource({
    paths,
    format: 'auto',
    onWarning: sourceWarnings(logger, run),
    onFileOpened: logOpenedFiles(logger),
  });

  let out: ReturnType<typeof createWriteStream> | undefined;
  if (options.reportPath) {
    const reportPath = isAbsolute(options.reportPath) ? options.reportPath : resolve(cwd, options.reportPath);
    await mkdir(dirname(reportPath), { recursive: true });
    out = createWriteStream(reportPath);
    out.write('{"reports":[\n');
  }
  const write = async (text: string) => {
    if (out && !out.write(text)) await new Promise<void>((r) => out!.once('drain', r));
  };
  const byKindCount: Record<string, number> = {};
  const countKind = (kind: string) => {
    byKindCount[kind] = (byKindCount[kind] ?? 0) + 1;
  };
  const firstErrors: string[] = [];
  let total = 0;
  let invalid = 0;
  progress.start('validate');
  for await (const entry of source.records({ signal: options.signal })) {
    total += 1;
    let line: Record<string, unknown>;
    if (isFailure(entry)) {
      invalid += 1;
      const where = `${entry.error_context.file ?? ''}:${entry.error_context.line ?? ''}`;
      line = {
        file: entry.error_context.file,
        line: entry.error_context.line,
        id: entry.item_id,
        valid: false,
        errors: [{ path: '', message: entry.error_message, kind: 'read', severity: 'error' }],
        warnings: [],
      };
      if (firstErrors.length < 10) firstErrors.push(`${where} ${entry.error_message}`);
      countKind('read');
    } else {
      const kind = stacTypeOf(entry.value);
      const report = validator.validate(entry.value);
      if (!kind && report.valid) {
        throw new ScmError('SCM_INTERNAL', 'validator accepted a non-STAC object');
      }
      if (!report.valid) {
        invalid += 1;
        if (firstErrors.length < 10) {
          const where = `${entry.origin.file ?? ''}${entry.origin.line !== undefined ? `:${entry.origin.line}` : ''}`;
          for (const e of report.errors.slice(0, 3))
            firstErrors.push(`${where} ${report.id ?? ''} ${e.path || '/'}: ${e.message}`);
        }
      }
      line = { file: entry.origin.file, line: entry.origin.line, ...report };
      for (const e of report.errors) countKind(e.kind);
    }
    await write(`${total > 1 ? ',\n' : ''}${JSON.stringify(line)}`);
    progress.tick();
  }
  progress.done();
  const summary = { total, valid: total - invalid, invalid, byKind: byKindCount };
  if (out) {
    await write(`\n],\n"valid":${invalid === 0},\n"summary":${JSON.stringify(summary)}}\n`);
    await new Promise<void>((r, j) => out!.end((e?: Error | null) => (e ? j(e) : r())));
  }
  logger.info('validation finished', { total, invalid });
  const lines = [`${total} object(s): ${total - invalid} valid, ${invalid} invalid`];
  const byKind = Object.entries(byKindCount);
  if (byKind.length > 0) lines.push(`errors by kind: ${byKind.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(...firstErrors.map((e) => `  ${e.trim()}`), ...run.notes.map((note) => `  note: ${note}`));
  return { total, valid: total - invalid, invalid, text: lines.join('\n') };
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
