import type { StreamOptions, ValidationReport, Validator } from '@scm/core';
import { ScmError } from '@scm/core';

/** Totals over many reports; see {@link summarizeReports}. */
export interface ReportSummary {
  /** Reports counted. */
  total: number;
  /** Reports without errors. */
  valid: number;
  /** Reports with at least one error. */
  invalid: number;
  /** Warnings over all reports. */
  warnings: number;
  /** Errors per issue kind (`schema`, `geometry`, `bbox`, …) over all reports. Warnings are not counted here. */
  byKind: Record<string, number>;
}

/** Adds up reports: how many were valid, invalid, how many warnings, and errors per kind. */
export function summarizeReports(reports: Iterable<ValidationReport>): ReportSummary {
  const summary: ReportSummary = { total: 0, valid: 0, invalid: 0, warnings: 0, byKind: {} };
  for (const report of reports) {
    summary.total++;
    if (report.valid) summary.valid++;
    else summary.invalid++;
    summary.warnings += report.warnings.length;
    for (const error of report.errors) summary.byKind[error.kind] = (summary.byKind[error.kind] ?? 0) + 1;
  }
  return summary;
}

/** One object with its report, as yielded by {@link validateStream}. */
export interface ValidatedObject<T = unknown> {
  /** The object as it came in. */
  object: T;
  /** Its report. */
  report: ValidationReport;
}

/**
 * Validates objects as they are pulled and yields each with its report, in order. Memory stays bounded: one
 * object at a time, and the producer is only asked for the next when the consumer wants it. Stops with
 * `SCM_ABORTED` when `signal` aborts.
 */
export async function* validateStream<T = unknown>(
  objects: AsyncIterable<T> | Iterable<T>,
  validator: Validator,
  options: StreamOptions = {},
): AsyncGenerator<ValidatedObject<T>> {
  for await (const object of objects) {
    if (options.signal?.aborted) throw new ScmError('SCM_ABORTED', 'validation was aborted');
    yield { object, report: validator.validate(object) };
  }
}

/** Validates every object of an in-memory collection and returns the reports in order. */
export function validateMany(objects: Iterable<unknown>, validator: Validator): ValidationReport[] {
  const reports: ValidationReport[] = [];
  for (const object of objects) reports.push(validator.validate(object));
  return reports;
}
