import {
  errorMessage,
  type Failure,
  isPlainObject,
  type RecordOrigin,
  type Source,
  type SourceRecord,
} from '@scm/core';
import { type ContractProblem, nameProblem, opened } from './contract.js';

/** The rule a source breaks. */
export type SourceCheck =
  /** The source could not be created, or `name` is not a non-empty string. */
  | 'name'
  /** `records()` did not return an async iterable. */
  | 'iterable'
  /** A yielded value is neither a `SourceRecord` (`value` plus a valid `origin`) nor a `Failure`. */
  | 'record'
  /** Reading threw instead of yielding a `Failure` (the contract allows a throw only when nothing can run). */
  | 'throws'
  /** The numbers of records or failures differ from the expected ones. */
  | 'count'
  /** After its signal was aborted, the source still yielded records. */
  | 'abort';

/** One problem {@link testSource} found. */
export type SourceProblem = ContractProblem<SourceCheck>;

/** Input of {@link testSource}. */
export interface TestSourceOptions {
  /** Records (not failures) the source must yield. Default: not checked. */
  records?: number;
  /** Failures the source must yield (a fixture with broken records). Default: not checked. */
  failures?: number;
}

const FAILURE_TYPES = new Set([
  'validation_error',
  'transformation_error',
  'api_error',
  'parse_error',
  'other',
]);

function isFailure(value: unknown): value is Failure {
  return (
    isPlainObject(value) &&
    typeof value.item_id === 'string' &&
    FAILURE_TYPES.has(value.error_type as string) &&
    typeof value.error_message === 'string' &&
    isPlainObject(value.error_context) &&
    typeof value.error_context.step === 'string'
  );
}

/** Why `origin` is not a valid {@link RecordOrigin}, or `undefined`. */
function originProblem(origin: unknown): string | undefined {
  if (!isPlainObject(origin)) return 'origin is not an object';
  const o = origin as RecordOrigin;
  if (o.file !== undefined && typeof o.file !== 'string') return 'origin.file is not a string';
  if (o.url !== undefined && typeof o.url !== 'string') return 'origin.url is not a string';
  if (o.line !== undefined && !(Number.isInteger(o.line) && o.line >= 1))
    return 'origin.line is not a 1-based integer';
  if (o.index !== undefined && !(Number.isInteger(o.index) && o.index >= 0))
    return 'origin.index is not a 0-based integer';
  return undefined;
}

/** Why `entry` is neither a record nor a failure, or `undefined`. */
function entryProblem(entry: unknown): string | undefined {
  if (isFailure(entry)) return undefined;
  if (!isPlainObject(entry) || !('value' in entry))
    return 'neither a SourceRecord ({ value, origin }) nor a Failure';
  return originProblem((entry as unknown as SourceRecord).origin);
}

function iterableOf(source: Source): AsyncIterable<unknown> | SourceProblem {
  try {
    const stream = source.records();
    if (stream && typeof (stream as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
      return stream;
  } catch (error) {
    return { check: 'throws', message: `records() threw: ${errorMessage(error)}` };
  }
  return { check: 'iterable', message: 'records() did not return an async iterable' };
}

/** Reads the whole source, checking each entry and counting records and failures. */
async function readAll(
  source: Source,
  problems: SourceProblem[],
): Promise<{ records: number; failures: number }> {
  const counts = { records: 0, failures: 0 };
  const stream = iterableOf(source);
  if ('check' in stream) {
    problems.push(stream);
    return counts;
  }
  let index = 0;
  try {
    for await (const entry of stream) {
      const problem = entryProblem(entry);
      if (problem) problems.push({ check: 'record', message: `entry ${index}: ${problem}` });
      if (isFailure(entry)) counts.failures += 1;
      else counts.records += 1;
      index += 1;
    }
  } catch (error) {
    problems.push({
      check: 'throws',
      message: `reading threw after ${index} entries: ${errorMessage(error)}`,
    });
  }
  return counts;
}

function countProblems(
  counts: { records: number; failures: number },
  options: TestSourceOptions,
): SourceProblem[] {
  const out: SourceProblem[] = [];
  for (const key of ['records', 'failures'] as const) {
    const expected = options[key];
    if (expected !== undefined && counts[key] !== expected) {
      out.push({ check: 'count', message: `yielded ${counts[key]} ${key}, expected ${expected}` });
    }
  }
  return out;
}

/** Aborts after the first entry; the source may end or throw, but must yield nothing more. */
async function abortProblems(source: Source): Promise<SourceProblem[]> {
  const controller = new AbortController();
  const iterator = source.records({ signal: controller.signal })[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done) return [];
    controller.abort(new Error('testSource abort check'));
    const next = await iterator.next();
    if (next.done) return [];
    await iterator.return?.();
    return [{ check: 'abort', message: 'yielded another entry after its signal was aborted' }];
  } catch {
    // Throwing (SCM_ABORTED or the signal's reason) is how most sources stop.
    return [];
  }
}

/**
 * Runs the `Source` contract of `@scm/core` against a source and returns what is broken (an empty list when
 * all is well). `open` is called once per check, so each check reads a fresh source. Checks: `name` is a
 * non-empty string; `records()` returns an async iterable; every entry is a `SourceRecord` with a valid
 * `origin` or a `Failure`; reading never throws (broken records are yielded as failures); the counts match
 * `options`; and after the signal is aborted no further entry is yielded.
 *
 * The source should read a fixture with at least two records, so that the abort check means something.
 */
export async function testSource(
  open: () => Source | Promise<Source>,
  options: TestSourceOptions = {},
): Promise<SourceProblem[]> {
  const first = await opened(open, 'name');
  if (!first.value) return [first.problem!];
  const problems: SourceProblem[] = [...nameProblem(first.value)];
  const counts = await readAll(first.value, problems);
  if (problems.some((p) => p.check === 'iterable' || p.check === 'throws')) return problems;
  problems.push(...countProblems(counts, options));
  const second = await opened(open, 'name');
  if (!second.value) return [...problems, second.problem!];
  problems.push(...(await abortProblems(second.value)));
  return problems;
}
