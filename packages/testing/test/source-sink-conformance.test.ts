// The Source and Sink suites must catch each way an implementation can break the core contracts. The
// real sources and sinks are run through them in their own packages (@scm/input, @scm/output-json).
import type { Failure, Sink, SinkResult, Source, SourceRecord, StreamOptions } from '@scm/core';
import { createFailure } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { testSink, testSource } from '../src/index.js';

const records: SourceRecord[] = [1, 2, 3].map((n) => ({
  value: { id: `r${n}` },
  origin: { file: 'a.ndjson', line: n },
}));
const failure: Failure = createFailure({
  itemId: 'a.ndjson:4',
  errorType: 'parse_error',
  message: 'not valid JSON',
  step: 'read',
  file: 'a.ndjson',
  line: 4,
});

/** A source that follows the contract: yields its entries and stops once its signal is aborted. */
function goodSource(entries: (SourceRecord | Failure)[] = [...records, failure]): Source {
  return {
    name: 'memory',
    async *records(options: StreamOptions = {}) {
      for (const entry of entries) {
        if (options.signal?.aborted) throw new Error('aborted');
        yield entry;
      }
    },
  };
}

const checks = (problems: { check: string }[]) => [...new Set(problems.map((p) => p.check))].sort();

describe('testSource', () => {
  it('finds nothing wrong with a source that follows the contract', async () => {
    expect(await testSource(() => goodSource(), { records: 3, failures: 1 })).toEqual([]);
  });

  it.each([
    ['name', { ...goodSource(), name: '' }],
    ['iterable', { name: 'x', records: () => [] as never }],
    ['record', goodSource([{ value: 1, origin: { line: 0 } }, { id: 'no value' } as never])],
    [
      'throws',
      {
        name: 'x',
        async *records() {
          yield records[0]!;
          throw new SyntaxError('Unexpected token } in JSON');
        },
      },
    ],
    [
      'abort',
      {
        name: 'x',
        async *records() {
          yield* records;
        },
      },
    ],
  ] as [string, Source][])('reports a source that breaks the %s rule', async (check, source) => {
    expect(checks(await testSource(() => source))).toEqual([check]);
  });

  it('reports counts that differ from the expected ones', async () => {
    expect(await testSource(() => goodSource(), { records: 2, failures: 0 })).toEqual([
      { check: 'count', message: 'yielded 3 records, expected 2' },
      { check: 'count', message: 'yielded 1 failures, expected 0' },
    ]);
  });

  it('reports a source that cannot be created', async () => {
    const problems = await testSource(() => {
      throw new Error('no such file');
    });
    expect(problems).toEqual([{ check: 'name', message: 'could not be created: no such file' }]);
  });
});

interface MemorySink extends Sink<{ id: string }> {
  stored: { id: string }[];
}

/** A sink that follows the contract, with `patch` to break one rule. */
function memorySink(
  patch: Partial<{ result: (written: number) => SinkResult; pullAll: boolean }> = {},
): MemorySink {
  const stored: { id: string }[] = [];
  return {
    name: 'memory',
    stored,
    async write(items: AsyncIterable<{ id: string }>, options: StreamOptions = {}) {
      for await (const item of items) {
        if (options.signal?.aborted && !patch.pullAll) throw new Error('aborted');
        stored.push(item);
        if (patch.pullAll === false && stored.length === 2) break;
      }
      return patch.result?.(stored.length) ?? { written: stored.length, files: ['items.ndjson'] };
    },
  };
}

const items = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

describe('testSink', () => {
  it('finds nothing wrong with a sink that follows the contract', async () => {
    let last: MemorySink | undefined;
    const problems = await testSink(
      () => {
        last = memorySink();
        return last;
      },
      { items, readBack: () => last!.stored },
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ['name', () => ({ ...memorySink(), name: '' })],
    ['write', () => memorySink({ result: () => ({ written: 'all' }) as never })],
    ['pull', () => memorySink({ pullAll: false })],
    ['written', () => memorySink({ result: (n) => ({ written: n + 1, files: ['items.ndjson'] }) })],
    ['files', () => memorySink({ result: (n) => ({ written: n, files: ['../elsewhere/items.ndjson'] }) })],
    ['abort', () => memorySink({ pullAll: true })],
  ] as [string, () => MemorySink][])('reports a sink that breaks the %s rule', async (check, create) => {
    expect(checks(await testSink(create, { items }))).toContain(check);
  });

  it('reports items that cannot be read back as written', async () => {
    const problems = await testSink(() => memorySink(), {
      items,
      readBack: () => [{ id: 'a' }, { id: 'b' }, { id: 'x' }],
    });
    expect(problems).toEqual([
      { check: 'read-back', message: 'read back 3 items that differ from the 3 written' },
    ]);
  });

  it('reports a sink that fails on an empty input', async () => {
    const empty: Sink<{ id: string }> = {
      name: 'no-empty',
      async write(stream) {
        let n = 0;
        for await (const _ of stream) n += 1;
        if (n === 0) throw new Error('nothing to write');
        return { written: n, files: [] };
      },
    };
    expect(await testSink(() => empty, { items })).toContainEqual({
      check: 'empty',
      message: 'writing no items failed: nothing to write',
    });
  });
});
