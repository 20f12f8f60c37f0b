import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  collect,
  type Failure,
  isBlankLine,
  isFailure,
  type JsonObject,
  linesOfBlock,
  type SourceRecord,
} from '@scm/core';
import { describe, expect, it } from 'vitest';
import { ndjsonLineRecord, readNdjson, readNdjsonBlocks } from '../src/index.js';
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

  it('drops __proto__ members so they cannot reach a prototype later, and says which', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const warnings: unknown[] = [];
    const { records } = await drain(readNdjson(file, { onWarning: (m, c) => warnings.push([m, c]) }));
    const d = records.find((r) => r.value.id === 'd')!;
    expect(Object.keys(d.value)).toEqual(['id', 'value']);
    expect(Object.hasOwn(d.value, '__proto__')).toBe(false);
    expect(warnings).toEqual([
      [
        `${file}:7: member /__proto__ not read: members named __proto__, constructor or prototype are never read (they could reach an object's prototype)`,
        { file, line: 7, dropped: ['/__proto__'] },
      ],
    ]);
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

  it('reads blocks of whole lines that give the same records, line for line, as readNdjson', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    const direct = await drain(readNdjson(file));
    const lines: (SourceRecord<JsonObject> | Failure)[] = [];
    // Tiny chunks: lines are cut across chunks, and a block is still made of whole lines.
    for await (const block of readNdjsonBlocks(file, { chunkBytes: 7 })) {
      for (const { text, line } of linesOfBlock(block)) {
        if (!isBlankLine(text)) lines.push(ndjsonLineRecord(text, file, line));
      }
    }
    const timeless = (r: SourceRecord<JsonObject> | Failure) =>
      isFailure(r) ? { ...r, error_context: { ...r.error_context, timestamp: '' } } : r;
    expect(lines.map(timeless)).toEqual(direct.sequence.map(timeless));
  });

  it('counts the bytes of the blocks it reads, and refuses a missing file as readNdjson does', async () => {
    const file = fixture('ndjson', 'records.ndjson');
    let bytes = 0;
    for await (const _ of readNdjsonBlocks(file, { onBytes: (n) => (bytes += n), chunkBytes: 64 })) void _;
    expect(bytes).toBe((await stat(file)).size);
    await expect(collect(readNdjsonBlocks(join(file, '..', 'missing.ndjson')))).rejects.toMatchObject({
      code: 'SCM_INPUT_NOT_FOUND',
    });
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
