import { errorMessage, isPlainObject, type Sink, type SinkResult } from '@scm/core';
import { type ContractProblem, isInsideRelative, nameProblem, opened } from './contract.js';
import { jsonEqual } from './json-diff.js';

/** The rule a sink breaks. */
export type SinkCheck =
  /** The sink could not be created, or `name` is not a non-empty string. */
  | 'name'
  /** `write()` threw, rejected, or did not resolve with a `SinkResult` (`written`, `files`). */
  | 'write'
  /** The sink did not pull every item it was given. */
  | 'pull'
  /** `written` is not the number of items given. */
  | 'written'
  /** A file in `files` is not a path relative to the sink's root. */
  | 'files'
  /** What `readBack` found differs from the items given. */
  | 'read-back'
  /** Writing nothing failed or did not report `written: 0`. */
  | 'empty'
  /** After its signal was aborted, the sink went on pulling items or reported the run complete. */
  | 'abort';

/** One problem {@link testSink} found. */
export type SinkProblem = ContractProblem<SinkCheck>;

/** Input of {@link testSink}. */
export interface TestSinkOptions<T> {
  /** Items to write; three or more, so that the abort check means something. */
  items: readonly T[];
  /**
   * Reads back what a sink wrote (from `result.files`, a database…). The items found must equal `items`,
   * in any order. Default: not checked.
   */
  readBack?: (result: SinkResult) => readonly unknown[] | Promise<readonly unknown[]>;
}

/** Yields `items` (cloned, so the sink cannot change the caller's), counting what the sink pulled. */
function counted<T>(
  items: readonly T[],
  onPull?: (pulled: number) => void,
): { stream: AsyncIterable<T>; pulled: () => number } {
  let pulled = 0;
  async function* stream() {
    for (const item of items) {
      pulled += 1;
      onPull?.(pulled);
      yield structuredClone(item);
    }
  }
  return { stream: stream(), pulled: () => pulled };
}

function isSinkResult(value: unknown): value is SinkResult {
  return (
    isPlainObject(value) &&
    Number.isInteger(value.written) &&
    (value.written as number) >= 0 &&
    Array.isArray(value.files) &&
    value.files.every((f) => typeof f === 'string')
  );
}

function resultProblems(result: SinkResult, given: number, pulled: number): SinkProblem[] {
  const problems: SinkProblem[] = [];
  if (pulled !== given) problems.push({ check: 'pull', message: `pulled ${pulled} of ${given} items` });
  if (result.written !== given)
    problems.push({ check: 'written', message: `reported written: ${result.written}, expected ${given}` });
  const outside = result.files.filter((f) => !isInsideRelative(f));
  if (outside.length > 0)
    problems.push({ check: 'files', message: `files not relative to the root: ${outside.join(', ')}` });
  return problems;
}

/** The same values, whatever the order. */
function sameItems(found: readonly unknown[], expected: readonly unknown[]): boolean {
  if (found.length !== expected.length) return false;
  const left = [...expected];
  return found.every((item) => {
    const at = left.findIndex((candidate) => jsonEqual(candidate, item));
    if (at >= 0) left.splice(at, 1);
    return at >= 0;
  });
}

async function readBackProblems<T>(result: SinkResult, options: TestSinkOptions<T>): Promise<SinkProblem[]> {
  if (!options.readBack) return [];
  try {
    const found = await options.readBack(result);
    return sameItems(found, options.items)
      ? []
      : [
          {
            check: 'read-back',
            message: `read back ${found.length} items that differ from the ${options.items.length} written`,
          },
        ];
  } catch (error) {
    return [{ check: 'read-back', message: `readBack threw: ${errorMessage(error)}` }];
  }
}

/** Writes every item with one sink and checks what it reports and what can be read back. */
async function writeAll<T>(sink: Sink<T>, options: TestSinkOptions<T>): Promise<SinkProblem[]> {
  const { stream, pulled } = counted(options.items);
  let result: unknown;
  try {
    result = await sink.write(stream);
  } catch (error) {
    return [{ check: 'write', message: `write() failed: ${errorMessage(error)}` }];
  }
  if (!isSinkResult(result)) {
    return [
      { check: 'write', message: `write() resolved with ${JSON.stringify(result)}, not { written, files }` },
    ];
  }
  return [
    ...resultProblems(result, options.items.length, pulled()),
    ...(await readBackProblems(result, options)),
  ];
}

async function emptyProblems<T>(sink: Sink<T>): Promise<SinkProblem[]> {
  try {
    const result = await sink.write(counted<T>([]).stream);
    return isSinkResult(result) && result.written === 0
      ? []
      : [{ check: 'empty', message: `writing no items resolved with ${JSON.stringify(result)}` }];
  } catch (error) {
    return [{ check: 'empty', message: `writing no items failed: ${errorMessage(error)}` }];
  }
}

/** Aborts once the first item is pulled: the sink may pull one more, then must stop and not report success. */
async function abortProblems<T>(sink: Sink<T>, items: readonly T[]): Promise<SinkProblem[]> {
  if (items.length < 3) return [];
  const controller = new AbortController();
  const { stream, pulled } = counted(items, (n) => {
    if (n === 1) controller.abort(new Error('testSink abort check'));
  });
  let result: unknown;
  try {
    result = await sink.write(stream, { signal: controller.signal });
  } catch {
    result = undefined;
  }
  const problems: SinkProblem[] = [];
  if (pulled() > 2)
    problems.push({ check: 'abort', message: `pulled ${pulled()} items after being aborted at the first` });
  if (isSinkResult(result) && result.written === items.length) {
    problems.push({ check: 'abort', message: 'reported every item written although its signal was aborted' });
  }
  return problems;
}

/**
 * Runs the `Sink` contract of `@scm/core` against a sink and returns what is broken (an empty list when all is
 * well). `create` is called once per check (a full write, an empty write, an aborted write), so each check
 * writes with a fresh sink: give each call its own output folder. Checks: `name` is a non-empty string;
 * `write()` pulls every item and resolves with `{ written, files }`, `written` being the number of items
 * and `files` relative paths; `readBack` finds the items written; writing nothing reports `written: 0`; and
 * once its signal is aborted the sink pulls at most one more item and does not report the run complete.
 */
export async function testSink<T>(
  create: () => Sink<T> | Promise<Sink<T>>,
  options: TestSinkOptions<T>,
): Promise<SinkProblem[]> {
  const full = await opened(create, 'name');
  if (!full.value) return [full.problem!];
  const problems: SinkProblem[] = [...nameProblem(full.value), ...(await writeAll(full.value, options))];
  for (const check of [emptyProblems, (sink: Sink<T>) => abortProblems(sink, options.items)]) {
    const sink = await opened(create, 'name');
    problems.push(...(sink.value ? await check(sink.value) : [sink.problem!]));
  }
  return problems;
}
