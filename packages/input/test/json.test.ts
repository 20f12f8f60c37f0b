import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson } from '../src/index.js';
import { drain, fixture, rejection } from './helpers.js';

describe('readJson', () => {
  it('streams an array of objects with index and start line; bad elements become Failures', async () => {
    const file = fixture('json', 'array.json');
    const { records, failures, sequence } = await drain(readJson(file));
    expect(records.map((r) => r.origin)).toEqual([
      { file, line: 2, index: 0 },
      { file, line: 6, index: 1 },
      { file, line: 21, index: 4 },
    ]);
    expect(records[1]!.value).toEqual({ id: 'b', n: 2, nested: { list: [1, 2, { deep: ']' }] } });
    expect(failures.map((f) => [f.error_context.line, f.error_context.details])).toEqual([
      [19, { index: 2 }],
      [20, { index: 3 }],
    ]);
    expect(failures[0]!.error_message).toMatch(
      new RegExp(`^${file}:19: element 2 \\(line 19\\) is not valid JSON`),
    );
    expect(failures[0]!.error_context.source_data).toBe('{"id": "bad", "n": tru}');
    expect(failures[1]!.error_message).toBe(
      `${file}:20: element 3 (line 20) is a number, expected a JSON object`,
    );
    expect(sequence).toHaveLength(5);
  });

  it('yields a single object as one record', async () => {
    const file = fixture('json', 'object.json');
    const { records } = await drain(readJson(file));
    expect(records).toHaveLength(1);
    expect(records[0]!.value).toMatchObject({ type: 'Feature', id: 'item-1' });
    expect(records[0]!.origin).toEqual({ file, line: 1, index: 0 });
  });

  it('says which forbidden members it dropped, by JSON Pointer, and nothing for a name that is only a value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scm-json-'));
    const array = join(dir, 'array.json');
    await writeFile(
      array,
      '[\n{"id": "a", "title": "constructor"},\n{"id": "b", "links": [{"href": "x", "prototype": 1}],\n "a/b": {"__proto__": {"p": 1}}}\n]\n',
    );
    const lone = join(dir, 'lone.json');
    await writeFile(lone, '{"id": "c", "constructor": {"name": "Object"}}\n');
    const warnings: { message: string; context: unknown }[] = [];
    const onWarning = (message: string, context: unknown) => warnings.push({ message, context });
    const { records } = await drain(readJson(array, { onWarning }));
    const single = await drain(readJson(lone, { onWarning }));
    expect(records.map((r) => r.value)).toEqual([
      { id: 'a', title: 'constructor' },
      { id: 'b', links: [{ href: 'x' }], 'a/b': {} },
    ]);
    expect(single.records[0]!.value).toEqual({ id: 'c' });
    expect(warnings.map((w) => w.context)).toEqual([
      { file: array, line: 3, dropped: ['/links/0/prototype', '/a~1b/__proto__'] },
      { file: lone, line: 1, dropped: ['/constructor'] },
    ]);
    expect(warnings[0]!.message).toMatch(
      new RegExp(
        `^${array}:3: members /links/0/prototype, /a~1b/__proto__ not read: members named __proto__`,
      ),
    );
  });

  it('yields each feature of a GeoJSON FeatureCollection', async () => {
    const file = fixture('json', 'feature-collection.json');
    const { records } = await drain(readJson(file));
    expect(records.map((r) => r.value.id)).toEqual(['item-1', 'item-2']);
    expect(records.map((r) => r.origin.index)).toEqual([0, 1]);
    expect(records[0]!.origin.line).toBe(4);
    // Strings holding brackets do not confuse the scanner.
    expect((records[1]!.value.properties as { note: string }).note).toBe(
      'brackets ] } [ { and "quotes" in a string',
    );
  });

  it('yields each item of a STAC ItemCollection whose features come after links and counts', async () => {
    const { records } = await drain(readJson(fixture('json', 'item-collection.json')));
    expect(records.map((r) => r.value.id)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(records.every((r) => r.origin.line === 1)).toBe(true);
  });

  it('handles a bare {"features": [...]} object', async () => {
    const { records } = await drain(readJson(fixture('json', 'features-only.json')));
    expect(records.map((r) => [r.value.id, r.origin.line, r.origin.index])).toEqual([
      ['item-1', 2, 0],
      ['item-2', 3, 1],
    ]);
  });

  it('gives the same records in tiny chunks, including a BOM split across chunks', async () => {
    for (const name of [
      'array.json',
      'object.json',
      'feature-collection.json',
      'item-collection.json',
      'features-only.json',
    ]) {
      const file = fixture('json', name);
      const whole = await drain(readJson(file));
      for (const chunkBytes of [1, 2, 5, 13]) {
        const chunked = await drain(readJson(file, { chunkBytes }));
        expect(chunked.records, `${name} in ${chunkBytes}-byte chunks`).toEqual(whole.records);
        expect(chunked.failures.length).toBe(whole.failures.length);
      }
    }
  });

  it('yields what was complete, then one parse_error Failure with the line, for a truncated file', async () => {
    const file = fixture('json', 'truncated.json');
    const { records, failures, sequence } = await drain(readJson(file));
    expect(records.map((r) => r.value.id)).toEqual(['a', 'b']);
    expect(sequence.at(-1)).toBe(failures[0]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      item_id: `${file}:3`,
      error_type: 'parse_error',
      error_context: { step: 'read', file, line: 3 },
    });
    expect(failures[0]!.error_message).toContain(`${file}:3:`);
    expect(failures[0]!.error_message).toContain('not closed');
  });

  it('turns data after the top-level value, a scalar document and a too-large record into Failures', async () => {
    for (const [file, options, words] of [
      [fixture('json', 'trailing.json'), {}, 'unexpected data after the end'],
      [fixture('json', 'scalar.json'), {}, 'not an array or an object'],
      [fixture('json', 'feature-collection.json'), { maxRecordBytes: 100 }, 'larger than 100 bytes'],
    ] as const) {
      const { failures } = await drain(readJson(file, options));
      expect(failures, file).toHaveLength(1);
      expect(failures[0]!.error_type).toBe('parse_error');
      expect(failures[0]!.error_message).toContain(words);
    }
  });

  it('yields nothing for an empty or blank file, and a Failure for a lone object that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scm-json-'));
    await writeFile(join(dir, 'empty.json'), '');
    await writeFile(join(dir, 'blank.json'), '  \n\n');
    await writeFile(join(dir, 'broken.json'), '{"id": "x", "n": tru}');
    expect((await drain(readJson(join(dir, 'empty.json')))).sequence).toEqual([]);
    expect((await drain(readJson(join(dir, 'blank.json')))).sequence).toEqual([]);
    const { failures } = await drain(readJson(join(dir, 'broken.json')));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error_context).toMatchObject({
      file: join(dir, 'broken.json'),
      line: 1,
      source_data: '{"id": "x", "n": tru}',
    });
  });

  it('throws SCM_INPUT_NOT_FOUND for a missing file', async () => {
    expect((await rejection(drain(readJson(fixture('json', 'missing.json'))))).code).toBe(
      'SCM_INPUT_NOT_FOUND',
    );
  });
});

describe('readJson recordsKey', () => {
  it('reads the records of an API page from the named member', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'scm-json-key-')), 'page.json');
    writeFileSync(file, '{"meta":{"page":1},\n"data":[\n{"uid":"a"},\n{"uid":"b"}\n]}\n');
    const out = [];
    for await (const r of readJson(file, { recordsKey: 'data' })) out.push(r);
    expect(out.map((r) => ('value' in r ? r.value : r))).toEqual([{ uid: 'a' }, { uid: 'b' }]);
  });
});
