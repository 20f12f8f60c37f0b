import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '@scm/input';
import { describe, expect, it } from 'vitest';
import { applyMapping, loadMapping, normalizeKey, parseMapping } from '../src/index.js';
import { drain, fixture, readers } from './helpers.js';

describe('lookup tables', () => {
  const inline = {
    lookup_tables: {
      platforms: { inline: { S2A: 'sentinel-2a', S2B: 'sentinel-2b', '7': { name: 'seven' } } },
    },
  };

  it('inline tables, with every on_miss policy', () => {
    const mapping = parseMapping({
      ...inline,
      mappings: [
        { source_field: 'p', target_field: 'error', lookup: 'platforms', optional: true },
        { source_field: 'p', target_field: 'keep', lookup: { table: 'platforms', on_miss: 'keep' } },
        { source_field: 'p', target_field: 'null', lookup: { table: 'platforms', on_miss: 'null' } },
        {
          source_field: 'p',
          target_field: 'default',
          lookup: { table: 'platforms', on_miss: 'default', default: 'other' },
        },
        {
          source_field: 'p',
          target_field: 'rule_default',
          lookup: { table: 'platforms', on_miss: 'default' },
          default: 'fallback',
        },
      ],
    });
    expect(applyMapping({ p: 'S2A' }, mapping)).toMatchObject({
      ok: true,
      value: {
        error: 'sentinel-2a',
        keep: 'sentinel-2a',
        null: 'sentinel-2a',
        default: 'sentinel-2a',
        rule_default: 'sentinel-2a',
      },
    });
    const miss = applyMapping({ p: 'L9' }, mapping);
    expect(!miss.ok && miss.failure.error_message).toMatch(
      /rule 0 -> error from p: "L9" is not a key of lookup table "platforms"/,
    );
    const noError = parseMapping({ ...inline, mappings: (mapping.document.mappings ?? []).slice(1) });
    expect(applyMapping({ p: 'L9' }, noError)).toMatchObject({
      ok: true,
      value: { keep: 'L9', null: null, default: 'other', rule_default: 'fallback' },
    });
  });

  it('keys are compared as trimmed text; values are copied', () => {
    const mapping = parseMapping({
      ...inline,
      mappings: [{ source_field: 'p', target_field: 'out', lookup: 'platforms' }],
    });
    expect(applyMapping({ p: 7 }, mapping)).toMatchObject({ value: { out: { name: 'seven' } } });
    expect(applyMapping({ p: ' S2B ' }, mapping)).toMatchObject({ value: { out: 'sentinel-2b' } });
    const a = applyMapping({ p: 7 }, mapping);
    const b = applyMapping({ p: 7 }, mapping);
    expect(a.ok && b.ok && a.value.out).not.toBe(b.ok && b.value.out);
    expect(normalizeKey(123)).toBe('123');
    expect(normalizeKey(1.0)).toBe('1');
    expect(normalizeKey(' a ')).toBe('a');
    expect(normalizeKey('')).toBeUndefined();
    expect(normalizeKey(null)).toBeUndefined();
    expect(normalizeKey({})).toBeUndefined();
  });

  it('the lookup transform runs inside a pipeline, after other steps', () => {
    const mapping = parseMapping({
      ...inline,
      mappings: [
        {
          source_field: 'p',
          target_field: 'out',
          transform: ['uppercase', { type: 'lookup', table: 'platforms' }],
        },
      ],
    });
    expect(applyMapping({ p: 's2a' }, mapping)).toMatchObject({ value: { out: 'sentinel-2a' } });
  });

  it('file tables: CSV and JSON (object or array), relative to the mapping file', async () => {
    const mapping = await loadMapping(fixture('mappings', 'with-lookup.json'), readers);
    expect(applyMapping({ platform: 'L9', band: 'B02' }, mapping)).toMatchObject({
      value: { properties: { platform: 'landsat-9', wavelength: 0.49 } },
    });
    expect(applyMapping({ platform: '7', band: 'B12' }, mapping)).toMatchObject({
      value: { properties: { platform: 'seven', wavelength: null } },
    });
    const csv = parseMapping(
      {
        lookup_tables: { platforms: { file: 'platforms.csv', key: 'code', value: 'name' } },
        mappings: [{ source_field: 'p', target_field: 'out', lookup: 'platforms' }],
      },
      fixture('scenario4', 'mapping.yaml'),
      readers,
    );
    expect(applyMapping({ p: 'L8' }, csv)).toMatchObject({ value: { out: 'landsat-8' } });
    const viaBaseDir = parseMapping(
      {
        lookup_tables: { t: { file: 'platforms.csv', key: 'code', value: 'name' } },
        mappings: [{ source_field: 'p', target_field: 'o', lookup: 't' }],
      },
      undefined,
      { ...readers, baseDir: fixture('scenario4') },
    );
    expect(applyMapping({ p: 'S2B' }, viaBaseDir)).toMatchObject({ value: { o: 'sentinel-2b' } });
  });

  it('reports bad tables at load time', () => {
    const at =
      (tables: unknown, rules: unknown[] = [{ source_field: 'p', target_field: 'o', lookup: 't' }]) =>
      () =>
        parseMapping(
          { lookup_tables: tables, mappings: rules },
          fixture('scenario4', 'mapping.yaml'),
          readers,
        );
    expect(at({})).toThrow(/lookup table "t" is not defined \(add it under lookup_tables\)/);
    expect(at({ t: { file: 'missing.csv', key: 'a', value: 'b' } })).toThrow(/cannot read missing.csv/);
    expect(at({ t: { file: 'platforms.csv', key: 'kode', value: 'name' } })).toThrow(
      /column "kode" is not in platforms.csv \(columns: code, name\)/,
    );
    expect(at({ t: { file: 'platforms.csv' } })).toThrow(/needs "key" and "value"/);
    expect(at({ t: { inline: { a: 1 }, file: 'x' } })).toThrow(/unknown key "file"/);
    expect(
      at({ t: { inline: { a: 1 } } }, [
        { source_field: 'p', target_field: 'o', lookup: { table: 't', on_miss: 'default' } },
      ]),
    ).toThrow(/on_miss: default needs a "default"/);
    expect(at({ t: { inline: JSON.parse('{"__proto__": 1}') } })).toThrow(
      /"__proto__" is not allowed as a key/,
    );
    expect(
      at({ t: { inline: { a: 1 } } }, [
        { source_field: 'p', target_field: 'o', lookup: { table: 't', on_miss: 'ignore' } },
      ]),
    ).toThrow(/on_miss must be one of error, keep, null, default/);
  });

  it('a quoted field with a comma and a line break reads the same in a lookup table as in an input CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-lookup-'));
    const file = join(dir, 'names.csv');
    writeFileSync(file, '\ufeffcode,name\r\nA,"Alpha, ""first""\r\nline two"\r\nB,plain\r\n');
    const mapping = parseMapping(
      {
        lookup_tables: { names: { file: 'names.csv', key: 'code', value: 'name' } },
        mappings: [{ source_field: 'c', target_field: 'name', lookup: 'names' }],
      },
      undefined,
      { ...readers, baseDir: dir },
    );
    const input = (await drain(readCsv(file))) as unknown as { value: { code: string; name: string } }[];
    expect(input.map((r) => r.value.code)).toEqual(['A', 'B']);
    for (const row of input) {
      expect(applyMapping({ c: row.value.code }, mapping)).toMatchObject({ value: { name: row.value.name } });
    }
    expect(input[0]!.value.name).toBe('Alpha, "first"\r\nline two');
  });

  it('refuses a CSV table when no CSV reader was given, and reports broken quoting', () => {
    const rules = [{ source_field: 'p', target_field: 'o', lookup: 't' }];
    const table = { t: { file: 'platforms.csv', key: 'code', value: 'name' } };
    expect(() =>
      parseMapping({ lookup_tables: table, mappings: rules }, fixture('scenario4', 'mapping.yaml')),
    ).toThrow(/needs a CSV reader/);
    const dir = mkdtempSync(join(tmpdir(), 'scm-lookup-'));
    writeFileSync(join(dir, 'bad.csv'), 'code,name\nA,"open\n');
    const bad = { t: { file: 'bad.csv', key: 'code', value: 'name' } };
    expect(() =>
      parseMapping({ lookup_tables: bad, mappings: rules }, undefined, { ...readers, baseDir: dir }),
    ).toThrow(/lookup table "t": CSV text has malformed quoting/);
  });
});
