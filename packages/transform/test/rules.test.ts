import { createFailure, type Failure, type SourceRecord } from '@scm/core';
import { describe, expect, it } from 'vitest';
import {
  applyMapping,
  createAudit,
  formatAudit,
  type MappingRule,
  parseMapping,
  transformRecords,
} from '../src/index.js';
import { drain, split, stream } from './helpers.js';

function run(rules: MappingRule[] | Record<string, unknown>, record: unknown) {
  return applyMapping(record, parseMapping(rules));
}

describe('sources: coalesce, constant, template', () => {
  it('coalesce takes the first present value; null, undefined and blank text count as missing', () => {
    const rules: MappingRule[] = [{ source_field: ['a', 'b', 'c'], target_field: 'out' }];
    expect(run(rules, { a: null, b: '  ', c: 'third' })).toMatchObject({ ok: true, value: { out: 'third' } });
    expect(run(rules, { b: 0, c: 'third' })).toMatchObject({ ok: true, value: { out: 0 } });
    expect(run(rules, { a: false })).toMatchObject({ ok: true, value: { out: false } });
    expect(run(rules, { a: [] })).toMatchObject({ ok: true, value: { out: [] } });
  });

  it('constants are copied for each record', () => {
    const mapping = parseMapping([{ constant: { roles: ['data'] }, target_field: 'assets.data' }]);
    const one = applyMapping({}, mapping);
    const two = applyMapping({}, mapping);
    if (!one.ok || !two.ok) throw new Error('mapping failed');
    expect(one.value).toEqual({ assets: { data: { roles: ['data'] } } });
    expect(one.value.assets).not.toBe(two.value.assets);
    (one.value.assets as { data: { roles: string[] } }).data.roles.push('changed');
    expect(two.value).toEqual({ assets: { data: { roles: ['data'] } } });
    expect(applyMapping({}, mapping).ok && applyMapping({}, mapping)).toMatchObject({
      value: { assets: { data: { roles: ['data'] } } },
    });
    expect(run([{ constant: null, target_field: 'properties.datetime' }], {})).toMatchObject({
      ok: true,
      value: { properties: { datetime: null } },
    });
  });

  it('templates join fields with filters', () => {
    const rules: MappingRule[] = [
      { template: '{collection_name}-{dataset_id}', target_field: 'id' },
      { template: 'https://host/{path}/{meta.name|urlencode}.tif', target_field: 'assets.data.href' },
      { template: '{title|slug}', target_field: 'properties.slug' },
      { template: '{title|lower}/{title|upper}/{pad|trim}', target_field: 'properties.cases' },
      { template: '{{literal}} {n}', target_field: 'properties.braces' },
    ];
    const result = run(rules, {
      collection_name: 'hls',
      dataset_id: 42,
      path: 'a/b',
      meta: { name: 'x y' },
      title: 'Crème Brûlée: Été 2024!',
      pad: '  p ',
      n: 1.5,
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        id: 'hls-42',
        assets: { data: { href: 'https://host/a/b/x%20y.tif' } },
        properties: {
          slug: 'creme-brulee-ete-2024',
          cases: 'crème brûlée: été 2024!/CRÈME BRÛLÉE: ÉTÉ 2024!/p',
          braces: '{literal} 1.5',
        },
      },
    });
  });

  it('a template with a missing field fails, or is skipped when optional', () => {
    const failed = run([{ template: '{a}-{b}', target_field: 'id' }], { a: 'x' });
    expect(!failed.ok && failed.failure.error_message).toMatch(/required value b is missing/);
    expect(!failed.ok && failed.failure.error_context.field).toBe('b');
    const skipped = run([{ template: '{a}-{b}', target_field: 'id', optional: true }], { a: 'x' });
    expect(skipped).toMatchObject({ ok: true, value: {} });
    const objectField = run([{ template: '{a}', target_field: 'id' }], { a: { nested: 1 } });
    expect(!objectField.ok && objectField.failure.error_message).toMatch(
      /template field a is \{"nested":1\}, not text or a number/,
    );
  });

  it('templates never evaluate code', () => {
    // a forbidden key anywhere in a field path is rejected at load time
    expect(() =>
      parseMapping([{ template: "{constructor.constructor('return 1')()}", target_field: 'id' }]),
    ).toThrow(
      expect.objectContaining({
        code: 'SCM_MAPPING_INVALID',
        message: expect.stringMatching(/"constructor" is not allowed/),
      }),
    );
    expect(() => parseMapping([{ template: '{__proto__}', target_field: 'id' }])).toThrow(
      /"__proto__" is not allowed/,
    );
    // anything else is only a key path: looked up, not run
    for (const template of [
      "{toString('x')}",
      '{process.exit(1)}',
      '{1+1}',
      '{this}',
      '{globalThis.process}',
      '{require("fs")}',
    ]) {
      const result = run([{ template, target_field: 'id' }], { a: 1 });
      expect(result.ok, template).toBe(false);
      expect(!result.ok && result.failure.error_message, template).toMatch(/is missing/);
    }
    const result = run([{ template: '{process.exit(1)}', target_field: 'id' }], {
      process: { 'exit(1)': 'just a key' },
    });
    expect(result).toMatchObject({ ok: true, value: { id: 'just a key' } });
    expect(() => parseMapping([{ template: '{a', target_field: 'id' }])).toThrow(/unclosed "\{"/);
    expect(() => parseMapping([{ template: ['{`$', '{1}`}'].join(''), target_field: 'id' }])).toThrow(
      /unclosed "\{"/,
    );
    expect(() => parseMapping([{ template: 'a}', target_field: 'id' }])).toThrow(/unmatched "\}"/);
    expect(() => parseMapping([{ template: '{a|shout}', target_field: 'id' }])).toThrow(
      /unknown filter "shout"/,
    );
    expect(() => parseMapping([{ template: '{$now}', target_field: 'id' }])).toThrow(/unknown name "\$now"/);
  });

  it('id_template fills id before the rules run', () => {
    const mapping = parseMapping({
      id_template: '{collection_name|slug}-{dataset_id}',
      mappings: [{ source_field: 'x', target_field: 'properties.x' }],
    });
    expect(applyMapping({ collection_name: 'My Data', dataset_id: 'A1', x: 1 }, mapping)).toMatchObject({
      ok: true,
      value: { id: 'my-data-A1', properties: { x: 1 } },
    });
    expect(mapping.rules.map((r) => r.rule)).toEqual(['id_template', 0]);
  });
});

describe('missing values: optional, default, when_missing', () => {
  it('a missing required value fails the record', () => {
    const result = run([{ source_field: 'a', target_field: 'out' }], {});
    expect(!result.ok && result.failure.error_message).toBe(
      'rule 0 -> out from a: required value a is missing',
    );
  });

  it('optional skips, default writes the default and reports it', () => {
    const mapping = parseMapping([
      { source_field: 'a', target_field: 'properties.a', optional: true },
      { source_field: 'b', target_field: 'properties.b', default: 'unknown' },
      { source_field: 'c', target_field: 'properties.c', transform: 'number', default: { nested: [1] } },
      { source_field: 'd', target_field: 'properties.d', default: 5, optional: true },
    ]);
    const result = applyMapping({ a: '', b: null }, mapping);
    expect(result).toEqual({
      ok: true,
      value: { properties: { b: 'unknown', c: { nested: [1] }, d: 5 } },
      defaulted: ['properties.b', 'properties.c', 'properties.d'],
    });
    const present = applyMapping({ a: 'x', b: 'y', c: '3', d: 4 }, mapping);
    expect(present).toEqual({
      ok: true,
      value: { properties: { a: 'x', b: 'y', c: 3, d: 4 } },
      defaulted: [],
    });
  });

  it('a default is used as is and a bad value is still a failure', () => {
    const mapping = parseMapping([{ source_field: 'n', target_field: 'n', transform: 'number', default: 0 }]);
    expect(applyMapping({ n: 'abc' }, mapping)).toMatchObject({ ok: false });
  });

  it('when_missing overrides optional and default', () => {
    expect(
      run([{ source_field: 'a', target_field: 'properties.datetime', when_missing: 'null' }], {}),
    ).toEqual({
      ok: true,
      value: { properties: { datetime: null } },
      defaulted: ['properties.datetime'],
    });
    expect(run([{ source_field: 'a', target_field: 't', when_missing: 'skip' }], {})).toMatchObject({
      ok: true,
      value: {},
    });
    expect(
      run([{ source_field: 'a', target_field: 't', default: 1, when_missing: 'error' }], {}),
    ).toMatchObject({ ok: false });
    expect(() => parseMapping([{ source_field: 'a', target_field: 't', when_missing: 'default' }])).toThrow(
      /needs a "default"/,
    );
    expect(() =>
      parseMapping([{ source_field: 'a', target_field: 't', when_missing: 'maybe' as never }]),
    ).toThrow(/when_missing must be one of/);
  });
});

describe('writing: order, overwrite, merge, defaults, passthrough', () => {
  it('later rules overwrite earlier ones unless overwrite is false', () => {
    expect(
      run(
        [
          { constant: 1, target_field: 'x' },
          { constant: 2, target_field: 'x' },
        ],
        {},
      ),
    ).toMatchObject({ value: { x: 2 } });
    expect(
      run(
        [
          { constant: 1, target_field: 'x' },
          { source_field: 'bad', target_field: 'x', transform: 'number', overwrite: false },
        ],
        { bad: 'zz' },
      ),
    ).toMatchObject({
      ok: true,
      value: { x: 1 },
    });
  });

  it('objects are merged into objects unless merge is false', () => {
    const rules: MappingRule[] = [
      { constant: 'a', target_field: 'properties.title' },
      { source_field: 'meta', target_field: 'properties', transform: 'nest' },
    ];
    expect(run(rules, { meta: { 'sat:orbit': 1, 'x.y': 2 } })).toMatchObject({
      value: { properties: { title: 'a', 'sat:orbit': 1, x: { y: 2 } } },
    });
    expect(run([rules[0]!, { ...rules[1]!, merge: false }], { meta: { 'sat:orbit': 1 } })).toMatchObject({
      value: { properties: { 'sat:orbit': 1 } },
    });
  });

  it('a value in the way is reported', () => {
    const result = run(
      [
        { constant: 'text', target_field: 'a' },
        { constant: 1, target_field: 'a.b' },
      ],
      {},
    );
    expect(!result.ok && result.failure.error_message).toMatch(/cannot write below a: it holds a string/);
  });

  it('top-level defaults fill what the rules left empty', () => {
    const mapping = parseMapping({
      defaults: { 'properties.license': 'CC-BY-4.0', 'properties["eo:cloud_cover"]': 0, stac_extensions: [] },
      mappings: [{ source_field: 'cc', target_field: 'properties.eo:cloud_cover', optional: true }],
    });
    expect(applyMapping({ cc: 7 }, mapping)).toMatchObject({
      value: { properties: { license: 'CC-BY-4.0', 'eo:cloud_cover': 7 }, stac_extensions: [] },
    });
    expect(applyMapping({}, mapping)).toMatchObject({
      value: { properties: { license: 'CC-BY-4.0', 'eo:cloud_cover': 0 } },
    });
  });

  it('passthrough keeps unread fields in properties (custom fields)', () => {
    const rules: MappingRule[] = [
      { source_field: 'dataset_id', target_field: 'id' },
      { template: '{collection_name}', target_field: 'collection' },
      { source_field: 'nested.a', target_field: 'properties.a' },
      { source_field: 'title', target_field: 'properties.title' },
    ];
    const record = {
      dataset_id: 'd1',
      collection_name: 'c',
      nested: { a: 1 },
      title: 't',
      platform: 'S2A',
      empty: '',
      cloud: 3,
      meta: { k: [1] },
    };
    const all = applyMapping(record, parseMapping({ mappings: rules, passthrough: true }));
    expect(all).toMatchObject({
      ok: true,
      value: {
        id: 'd1',
        collection: 'c',
        properties: { a: 1, title: 't', platform: 'S2A', cloud: 3, meta: { k: [1] } },
      },
    });
    expect(all.ok && Object.keys(all.value.properties as object)).not.toContain('empty');
    const some = applyMapping(record, parseMapping(rules), undefined, {
      passthrough: ['platform', 'missing', 'title'],
    });
    expect(some).toMatchObject({ value: { properties: { a: 1, title: 't', platform: 'S2A' } } });
    expect(some.ok && Object.keys(some.value.properties as object).sort()).toEqual([
      'a',
      'platform',
      'title',
    ]);
    const elsewhere = applyMapping(
      record,
      parseMapping({ mappings: rules, passthrough: ['platform'], passthrough_target: 'properties.custom' }),
    );
    expect(elsewhere).toMatchObject({ value: { properties: { custom: { platform: 'S2A' } } } });
    const option = applyMapping(record, parseMapping(rules), undefined, {
      passthrough: ['cloud'],
      passthroughTarget: 'extra',
    });
    expect(option).toMatchObject({ value: { extra: { cloud: 3 } } });
  });
});

describe('failures', () => {
  it('carry rule index, target, field, value and origin', () => {
    const mapping = parseMapping({
      mappings: [
        { source_field: 'id', target_field: 'id' },
        {
          source_field: 'when',
          target_field: 'properties.datetime',
          transform: { type: 'datetime', formats: ['DD/MM/YYYY'] },
        },
        { source_field: 'cc', target_field: 'properties.eo:cloud_cover', transform: 'number' },
      ],
    });
    const result = applyMapping({ id: 'rec-7', when: '31/02/2024', cc: 'cloudy' }, mapping, {
      file: 'data.csv',
      line: 17,
    });
    if (result.ok) throw new Error('expected a failure');
    const f = result.failure;
    expect(f).toMatchObject({
      item_id: 'rec-7',
      error_type: 'transformation_error',
      error_message: 'rule 1 -> properties.datetime from when: day 31 does not exist in 2024-02 (and 1 more)',
      error_context: {
        step: 'transform',
        file: 'data.csv',
        line: 17,
        field: 'when',
        source_data: { id: 'rec-7', when: '31/02/2024', cc: 'cloudy' },
        details: {
          rule: 1,
          target: 'properties.datetime',
          value: '31/02/2024',
          errors: [
            {
              rule: 1,
              target: 'properties.datetime',
              field: 'when',
              value: '31/02/2024',
              message: 'day 31 does not exist in 2024-02',
            },
            {
              rule: 2,
              target: 'properties.eo:cloud_cover',
              field: 'cc',
              value: 'cloudy',
              message: '"cloudy" is not a number',
            },
          ],
        },
      },
    });
    expect(f.error_context.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });

  it('use file:line as the item id when the record has no id', () => {
    const result = applyMapping({}, parseMapping([{ source_field: 'x', target_field: 'y' }]), {
      file: 'in.csv',
      line: 3,
    });
    expect(!result.ok && result.failure.item_id).toBe('in.csv:3');
  });
});

describe('transformRecords and the audit', () => {
  const mapping = () =>
    parseMapping(
      {
        mappings: [
          { source_field: 'id', target_field: 'id' },
          { source_field: 'v', target_field: 'properties.v', transform: 'number' },
          { source_field: 'o', target_field: 'properties.o', optional: true },
          { source_field: 'd', target_field: 'properties.d', default: 'n/a' },
          {
            source_field: 'list[*]',
            target_field: 'properties.list[*]',
            transform: 'integer',
            optional: true,
          },
        ],
      },
      'audit.yaml',
    );

  const input: (SourceRecord | Failure)[] = [
    {
      value: { id: 'a', v: '1', o: 'x', d: 'y', list: ['1', '2', '3'] },
      origin: { file: 'in.ndjson', line: 1 },
    },
    createFailure({
      itemId: 'in.ndjson:2',
      errorType: 'other',
      message: 'malformed JSON',
      step: 'read',
      file: 'in.ndjson',
      line: 2,
    }),
    { value: { id: 'b', v: 'NaN?', list: ['4', 'x'] }, origin: { file: 'in.ndjson', line: 3 } },
    { value: { id: 'c', v: 2 }, origin: { file: 'in.ndjson', line: 4 } },
  ];

  it('streams mapped records, failures, and upstream failures in order', async () => {
    const m = mapping();
    const audit = createAudit(m);
    const out = await drain(transformRecords(stream(input), m, { audit }));
    expect(out).toHaveLength(4);
    expect(out[0]).toEqual({
      value: { id: 'a', properties: { v: 1, o: 'x', d: 'y', list: [1, 2, 3] } },
      origin: { file: 'in.ndjson', line: 1 },
    });
    expect(out[1]).toBe(input[1]);
    expect(out[2]).toMatchObject({ item_id: 'b', error_context: { line: 3, file: 'in.ndjson' } });
    expect(out[3]).toEqual({
      value: { id: 'c', properties: { v: 2, d: 'n/a' } },
      origin: { file: 'in.ndjson', line: 4 },
    });
    const { records, failures } = split(out);
    expect(records).toHaveLength(2);
    expect(failures).toHaveLength(2);

    expect(audit.records).toEqual({ total: 3, mapped: 2, failed: 1, passed_through_failures: 1 });
    expect(
      audit.rules.map(({ rule, mapped, failed, defaulted, skipped }) => ({
        rule,
        mapped,
        failed,
        defaulted,
        skipped,
      })),
    ).toEqual([
      { rule: 0, mapped: 3, failed: 0, defaulted: 0, skipped: 0 },
      { rule: 1, mapped: 2, failed: 1, defaulted: 0, skipped: 0 },
      { rule: 2, mapped: 1, failed: 0, defaulted: 0, skipped: 2 },
      { rule: 3, mapped: 1, failed: 0, defaulted: 2, skipped: 0 },
      { rule: 4, mapped: 4, failed: 1, defaulted: 0, skipped: 1 },
    ]);
    expect(m.audit.records.total).toBe(0);

    const report = audit.toJSON();
    expect(report).toMatchObject({
      mapping: 'audit.yaml',
      records: { total: 3, mapped: 2, failed: 1, passed_through_failures: 1 },
      failures: [
        {
          item_id: 'b',
          rule: 1,
          target: 'properties.v',
          field: 'v',
          value: 'NaN?',
          file: 'in.ndjson',
          line: 3,
        },
      ],
      failures_omitted: 0,
    });
    expect(JSON.parse(JSON.stringify(audit))).toEqual(report);

    const text = formatAudit(audit);
    expect(text).toContain('Transformation audit (audit.yaml)');
    expect(text).toContain('records: 3 seen, 2 mapped, 1 failed, 1 earlier failures passed through');
    expect(text).toMatch(/#1 properties\.v <- v\s+2\s+0\s+0\s+1/);
    expect(text).toContain('in.ndjson:3 rule #1 properties.v: "NaN?" is not a number');
  });

  it('the mapping audit accumulates across calls; maxFailures bounds the detail', async () => {
    const m = mapping();
    await drain(transformRecords(stream(input), m));
    await drain(transformRecords(stream(input), m));
    expect(m.audit.records).toEqual({ total: 6, mapped: 4, failed: 2, passed_through_failures: 2 });
    const small = createAudit(m, { maxFailures: 1 });
    await drain(transformRecords(stream([...input, ...input]), m, { audit: small }));
    expect(small.failures).toHaveLength(1);
    expect(small.toJSON().failures_omitted).toBe(1);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const m = mapping();
    const iterator = transformRecords(stream(input), m, { signal: controller.signal });
    await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'SCM_ABORTED' });
  });
});
