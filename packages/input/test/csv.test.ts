import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guessDelimiter, parseCsvText, readCsv, typeValue } from '../src/index.js';
import { drain, fixture, rejection } from './helpers.js';

describe('readCsv', () => {
  it('reads quoted WKT with commas, embedded newlines and escaped quotes, with physical line numbers', async () => {
    const file = fixture('csv', 'wkt.csv');
    const { records, failures } = await drain(readCsv(file));
    expect(failures).toEqual([]);
    expect(records.map((r) => r.origin)).toEqual([
      { file, line: 2 },
      { file, line: 3 },
      { file, line: 4 },
      { file, line: 7 },
    ]);
    expect(records[0]!.value).toEqual({
      dataset_id: 'ds-001',
      collection_name: 'landsat',
      acquisition_date: '2024-01-12',
      geometry_wkt: 'POLYGON ((30 10, 40 40, 20 40, 10 20, 30 10))',
      url: 'https://example.com/ds-001.tif',
    });
    expect(records[1]!.value.collection_name).toBe('sentinel, level 2');
    expect(records[2]!.value.collection_name).toBe('multi\nline "quoted" name');
    expect(records[2]!.value.geometry_wkt).toBe('MULTIPOINT ((1 2), (3 4))');
  });

  it('strips a BOM and handles CRLF line endings', async () => {
    const { records } = await drain(readCsv(fixture('csv', 'bom.csv')));
    expect(Object.keys(records[0]!.value)).toEqual(['id', 'name', 'value']);
    expect(records.map((r) => r.value)).toEqual([
      { id: '1', name: 'Zürich', value: '3.5' },
      { id: '2', name: 'São Paulo, BR', value: '4' },
    ]);
    expect(records.map((r) => r.origin.line)).toEqual([2, 3]);
  });

  it('auto-detects `;` and tab delimiters from the header line', async () => {
    const semicolon = await drain(readCsv(fixture('csv', 'semicolon.csv')));
    expect(semicolon.records.map((r) => r.value)).toEqual([
      { id: '1', name: 'alpha', value: '1,5' },
      { id: '2', name: 'beta; gamma', value: '2,75' },
    ]);
    const tab = await drain(readCsv(fixture('csv', 'tab.tsv')));
    expect(tab.records.map((r) => r.value)).toEqual([
      { id: '1', name: 'alpha', value: '10' },
      { id: '2', name: 'beta\tgamma', value: '20' },
    ]);
  });

  it('honours an explicit delimiter', async () => {
    const forced = await drain(readCsv(fixture('csv', 'semicolon.csv'), { delimiter: ',' }));
    // With `,` the header is the single column "id;name;value" and both rows split in two at their comma.
    expect(forced.records).toEqual([]);
    expect(forced.failures.map((f) => f.error_context.line)).toEqual([2, 3]);
    const tab = await drain(readCsv(fixture('csv', 'tab.tsv'), { delimiter: '\t' }));
    expect(tab.records).toHaveLength(2);
  });

  it('yields a Failure with its line for ragged rows and keeps reading', async () => {
    const file = fixture('csv', 'ragged.csv');
    const { records, failures, sequence } = await drain(readCsv(file));
    expect(records.map((r) => [r.value.id, r.origin.line])).toEqual([
      ['1', 2],
      ['2', 5],
      ['5', 8],
    ]);
    expect(records[0]!.value.note).toBe('first line\nsecond line\nthird line');
    expect(failures).toHaveLength(2);
    const [tooMany, tooFew] = failures;
    expect(tooMany!.error_context).toMatchObject({ step: 'read', file, line: 6 });
    expect(tooMany!.error_type).toBe('parse_error');
    expect(tooMany!.error_message).toContain('too many fields: 4 instead of the header');
    expect(tooMany!.error_context.source_data).toBe('3,three,extra,field');
    expect(tooMany!.item_id).toBe(`${file}:6`);
    expect(tooFew!.error_context.line).toBe(7);
    expect(tooFew!.error_message).toContain('too few fields: 2');
    // Failures come in file order, between the records around them.
    expect(sequence.map((x) => ('origin' in x ? x.origin.line : x.error_context.line))).toEqual([
      2, 5, 6, 7, 8,
    ]);
  });

  it('gives the same records and line numbers whatever the chunk size', async () => {
    for (const name of ['wkt.csv', 'bom.csv', 'ragged.csv', 'tab.tsv', 'typed.csv']) {
      const file = fixture('csv', name);
      const whole = await drain(readCsv(file));
      for (const chunkBytes of [1, 2, 3, 7, 16]) {
        const chunked = await drain(readCsv(file, { chunkBytes }));
        expect(chunked.records, `${name} in ${chunkBytes}-byte chunks`).toEqual(whole.records);
        expect(chunked.failures.map((f) => f.error_context.line)).toEqual(
          whole.failures.map((f) => f.error_context.line),
        );
      }
    }
  });

  it('keeps strings by default and types values with dynamicTyping', async () => {
    const file = fixture('csv', 'typed.csv');
    const plain = await drain(readCsv(file));
    expect(plain.records[0]!.value).toEqual({
      id: '1',
      count: '42',
      ratio: '0.5',
      flag: 'true',
      zip: '00123',
      empty: '',
      big: '9007199254740993',
    });
    const typed = await drain(readCsv(file, { dynamicTyping: true }));
    expect(typed.records.map((r) => r.value)).toEqual([
      { id: 1, count: 42, ratio: 0.5, flag: true, zip: '00123', empty: null, big: '9007199254740993' },
      { id: 2, count: -7, ratio: 1000, flag: false, zip: 10115, empty: 'x', big: 12 },
    ]);
    expect(typed.records[1]!.origin.line).toBe(3);
  });

  it('treats blank lines as rows when skipEmptyLines is false', async () => {
    const { records, failures } = await drain(readCsv(fixture('csv', 'wkt.csv'), { skipEmptyLines: false }));
    expect(records).toHaveLength(4);
    expect(failures.map((f) => f.error_context.line)).toEqual([6]);
  });

  describe('with generated files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'scm-input-csv-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('renames duplicate and empty headers, drops forbidden ones and reports them', async () => {
      const file = join(dir, 'headers.csv');
      await writeFile(file, 'id,name,name,,__proto__\n1,a,b,c,d\n');
      const warnings: string[] = [];
      const { records } = await drain(readCsv(file, { onWarning: (message) => warnings.push(message) }));
      expect(records[0]!.value).toEqual({ id: '1', name: 'a', name_1: 'b', column_4: 'c' });
      expect(Object.getPrototypeOf(records[0]!.value)).toBe(Object.prototype);
      expect(warnings).toHaveLength(3);
    });

    it('reports an unterminated quote as a Failure', async () => {
      const file = join(dir, 'open-quote.csv');
      await writeFile(file, 'a,b\n1,2\n3,"never closed\n4,5\n');
      const { records, failures } = await drain(readCsv(file));
      expect(records.map((r) => r.value)).toEqual([{ a: '1', b: '2' }]);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.error_context.line).toBe(3);
      expect(failures[0]!.error_message).toContain('malformed quoting');
    });

    it('reads old Mac (CR only) line endings and a file without a trailing newline', async () => {
      const file = join(dir, 'cr.csv');
      await writeFile(file, 'a,b\r1,2\r3,"x\ry"');
      const { records } = await drain(readCsv(file));
      expect(records.map((r) => [r.value, r.origin.line])).toEqual([
        [{ a: '1', b: '2' }, 2],
        [{ a: '3', b: 'x\ry' }, 3],
      ]);
    });

    it('finds the header after leading blank lines and counts them', async () => {
      const file = join(dir, 'leading-blank.csv');
      await writeFile(file, '\n  \nid;name\n1;a\n');
      const { records } = await drain(readCsv(file));
      expect(records.map((r) => [r.value, r.origin.line])).toEqual([[{ id: '1', name: 'a' }, 4]]);
    });

    it('decodes other encodings', async () => {
      const file = join(dir, 'latin1.csv');
      await writeFile(file, Buffer.from('id;ville\n1;Besançon\n', 'latin1'));
      const { records } = await drain(readCsv(file, { encoding: 'latin1' }));
      expect(records[0]!.value).toEqual({ id: '1', ville: 'Besançon' });
    });

    it('yields nothing for an empty file or a header-only file', async () => {
      const empty = join(dir, 'empty.csv');
      await writeFile(empty, '');
      expect((await drain(readCsv(empty))).sequence).toEqual([]);
      const headerOnly = join(dir, 'header.csv');
      await writeFile(headerOnly, 'a,b\n');
      expect((await drain(readCsv(headerOnly))).sequence).toEqual([]);
    });

    it('throws SCM_INPUT_PARSE for a record longer than maxRecordChars', async () => {
      const file = join(dir, 'long.csv');
      await writeFile(file, `a,b\n1,"${'x'.repeat(5000)}"\n`);
      const error = await rejection(drain(readCsv(file, { maxRecordChars: 1000, chunkBytes: 512 })));
      expect(error.code).toBe('SCM_INPUT_PARSE');
      expect(error.location).toMatchObject({ file, line: 2 });
    });
  });

  it('throws SCM_INPUT_NOT_FOUND for a missing file and SCM_INPUT_UNSUPPORTED for an unknown encoding', async () => {
    const missing = await rejection(drain(readCsv(fixture('csv', 'nope.csv'))));
    expect(missing.code).toBe('SCM_INPUT_NOT_FOUND');
    expect(missing.location).toEqual({ file: fixture('csv', 'nope.csv') });
    const encoding = await rejection(drain(readCsv(fixture('csv', 'wkt.csv'), { encoding: 'klingon' })));
    expect(encoding.code).toBe('SCM_INPUT_UNSUPPORTED');
  });

  it('stops with SCM_ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const error = await rejection(
      (async () => {
        for await (const item of readCsv(fixture('csv', 'wkt.csv'), { signal: controller.signal })) {
          seen.push(item);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('SCM_ABORTED');
    expect(seen).toHaveLength(1);
  });
});

describe('guessDelimiter and typeValue', () => {
  it('counts delimiters outside quotes only', () => {
    expect(guessDelimiter('a,b,c')).toBe(',');
    expect(guessDelimiter('"a;b;c",d')).toBe(',');
    expect(guessDelimiter('a;b;c')).toBe(';');
    expect(guessDelimiter('a\tb\tc,d')).toBe('\t');
    expect(guessDelimiter('single')).toBe(',');
    expect(guessDelimiter('a,b;c')).toBe(',');
  });

  it('types numbers, booleans and empties conservatively', () => {
    expect(typeValue('')).toBeNull();
    expect(typeValue('TRUE')).toBe(true);
    expect(typeValue('-0.5')).toBe(-0.5);
    expect(typeValue('.5')).toBe(0.5);
    expect(typeValue('1e3')).toBe(1000);
    expect(typeValue('0')).toBe(0);
    expect(typeValue('007')).toBe('007');
    expect(typeValue('1,5')).toBe('1,5');
    expect(typeValue('0x10')).toBe('0x10');
    expect(typeValue('Infinity')).toBe('Infinity');
    expect(typeValue('1e999')).toBe('1e999');
    expect(typeValue(' 1')).toBe(' 1');
  });
});

describe('parseCsvText', () => {
  it('reads quotes, escaped quotes, CRLF, a BOM and quoted line breaks, keeping values as text', () => {
    expect(parseCsvText('\ufeffa,b\r\n"x, y","say ""hi"""\r\n1,\r\n\r\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ]);
    expect(parseCsvText('a\n"multi\nline"\n')).toEqual([['a'], ['multi\nline']]);
    expect(parseCsvText('code;name\nA;"x;y"\n')).toEqual([
      ['code', 'name'],
      ['A', 'x;y'],
    ]);
  });

  it('refuses a quoted field that is never closed', () => {
    expect(() => parseCsvText('a,b\n1,"open\n')).toThrow(/malformed quoting/);
  });
});
