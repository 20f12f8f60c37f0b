import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFailure } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { isUnparsed, ndjsonLineRecord, readNdjson } from '../src/index.js';
import { drain, fixture, rejection } from './helpers.js';

describe('readNdjson', () => {
  it('yields one record per line, skips blank lines and turns bad lines into Failures', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const { records, failures, sequence } = await drain(readNdjson(file));
    expect(records.map((r) => [r.value.id, r.origin])).toEqual([
      ['a', { file, line: 1 }],
      ['b', { file, line: 3 }],
      ['d', { file, line: 7 }],
      ['e', { file, line: 8 }],
    ]);
    expect(failures.map((f) => f.error_context.line)).toEqual([4, 6]);
    expect(failures[0]).toMatchObject({
      item_id: `${file}:4`,
      error_type: 'parse_error',
      error_context: { step: 'read', file, line: 4, source_data: '{"id": "c", "value": ' },
    });
    expect(failures[0]!.error_message).toMatch(new RegExp(`^${file}:4: not valid JSON`));
    expect(failures[1]!.error_message).toBe(`${file}:6: the line holds an array, expected a JSON object`);
    expect(sequence).toHaveLength(6);
  });

  it('keeps a huge unreadable line in source_data cut to 1000 characters', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scm-ndjson-'));
    const file = join(dir, 'huge.ndjson');
    const huge = `{"id": "x", "blob": "${'a'.repeat(5000)}`;
    await writeFile(file, `${huge}\n`);
    const { failures } = await drain(readNdjson(file));
    expect(failures[0]!.error_context.source_data).toBe(`${huge.slice(0, 1000)}…`);
  });

  it('drops __proto__ members so they cannot reach a prototype later', async () => {
    const { records } = await drain(readNdjson(fixture('ndjson', 'records.ndjson')));
    const d = records.find((r) => r.value.id === 'd')!;
    expect(Object.keys(d.value)).toEqual(['id', 'value']);
    expect(Object.hasOwn(d.value, '__proto__')).toBe(false);
  });

  it("keeps each line as the record's text, unless a forbidden member was dropped from it", async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
    const { records } = await drain(readNdjson(file));
    for (const record of records.filter((r) => r.value.id !== 'd')) {
      expect(record.text).toBe(lines[record.origin.line! - 1]);
      expect(JSON.parse(record.text!)).toEqual(record.value);
    }
    expect(records.find((r) => r.value.id === 'd')!.text).toBeUndefined();
  });

  it('with `unparsed`, leaves object lines as text until read, and reads the others as without it', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const parsed = await drain(readNdjson(file));
    const lazy = await drain(readNdjson(file, { unparsed: true }));
    // The forbidden member of line 7 and the array of line 6 are read as without the option; the cut-short
    // object of line 4 stays a line (its Failure comes when it is parsed, see the next test).
    expect(lazy.records.map((r) => [r.origin.line, isUnparsed(r)])).toEqual([
      [1, true],
      [3, true],
      [4, true],
      [7, false],
      [8, true],
    ]);
    const described = (f: (typeof parsed.failures)[number]) => [
      f.error_message,
      { ...f.error_context, timestamp: '' },
    ];
    expect(lazy.failures.map(described)).toEqual(
      parsed.failures.filter((f) => f.error_context.line === 6).map(described),
    );
    const readable = lazy.records.filter((r) => r.origin.line !== 4);
    expect(readable.map((r) => [r.value, r.text, r.origin])).toEqual(
      parsed.records.map((r) => [r.value, r.text, r.origin]),
    );
    expect(parsed.records.some((r) => isUnparsed(r))).toBe(false);
  });

  it('with `unparsed`, a cut-short object line throws when its value is read; ndjsonLineRecord gives its Failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scm-ndjson-'));
    const file = join(dir, 'cut.ndjson');
    await writeFile(file, '{"id": "a"}\n{"id": "b", "v": \n');
    const { records } = await drain(readNdjson(file, { unparsed: true }));
    expect(records).toHaveLength(2);
    expect(() => records[1]!.value).toThrow(SyntaxError);
    const failure = ndjsonLineRecord(records[1]!.text!, file, 2);
    const direct = await drain(readNdjson(file));
    // A failure records when it happened; everything else is the same.
    const timeless = (f: (typeof direct.failures)[number]) => ({
      ...f,
      error_context: { ...f.error_context, timestamp: '' },
    });
    expect(isFailure(failure) && timeless(failure)).toEqual(timeless(direct.failures[0]!));
  });

  it('gives the same result in tiny chunks', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const whole = await drain(readNdjson(file));
    const chunked = await drain(readNdjson(file, { chunkBytes: 3 }));
    expect(chunked.records).toEqual(whole.records);
  });

  it('throws SCM_INPUT_NOT_FOUND for a missing file and SCM_INPUT_UNSUPPORTED for a folder', async () => {
    expect((await rejection(drain(readNdjson(fixture('ndjson', 'missing.ndjson'))))).code).toBe(
      'SCM_INPUT_NOT_FOUND',
    );
    expect((await rejection(drain(readNdjson(fixture('ndjson'))))).code).toBe('SCM_INPUT_UNSUPPORTED');
  });
});
