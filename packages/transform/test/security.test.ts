import { afterEach, describe, expect, it } from 'vitest';
import { applyMapping, enrichItems, keyedRecords, parseMapping } from '../src/index.js';
import { drain, split, stream } from './helpers.js';

/** Source records built with JSON.parse, which creates real own `__proto__` members. */
const hostile = JSON.parse(`{
  "id": "evil",
  "__proto__": { "polluted": "yes" },
  "constructor": { "prototype": { "polluted": "yes" } },
  "nested": { "__proto__": { "polluted": "yes" }, "ok": 1 },
  "assets": { "__proto__": { "href": "x" }, "good": { "href": "https://g" } },
  "meta": "{\\"__proto__\\": {\\"polluted\\": \\"yes\\"}, \\"a\\": 1}",
  "flat": { "__proto__.polluted": "yes", "a.b": 1 },
  "keys": { "prototype": "p", "safe": "s" }
}`);

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

describe('data cannot reach a prototype', () => {
  it('copying objects drops forbidden members', () => {
    const result = applyMapping(
      hostile,
      parseMapping([
        { source_field: 'nested', target_field: 'properties.nested' },
        { source_field: 'id', target_field: 'id' },
      ]),
    );
    if (!result.ok) throw new Error(result.failure.error_message);
    const nested = (result.value.properties as Record<string, unknown>).nested as Record<string, unknown>;
    expect(nested).toEqual({ ok: 1 });
    expect(Object.hasOwn(nested, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
  });

  it('passthrough skips forbidden keys', () => {
    const result = applyMapping(
      hostile,
      parseMapping({ mappings: [{ source_field: 'id', target_field: 'id' }], passthrough: true }),
    );
    if (!result.ok) throw new Error(result.failure.error_message);
    const properties = result.value.properties as Record<string, unknown>;
    expect(Object.keys(properties).sort()).toEqual(['assets', 'flat', 'keys', 'meta', 'nested']);
    expect(properties.assets).toEqual({ good: { href: 'https://g' } });
  });

  it('wildcards skip forbidden keys in reads, and keys from data are checked before writes', () => {
    const result = applyMapping(
      hostile,
      parseMapping([{ source_field: 'assets.*.href', target_field: 'assets.*.href' }]),
    );
    expect(result).toMatchObject({ ok: true, value: { assets: { good: { href: 'https://g' } } } });
    const keyed = applyMapping(hostile, parseMapping([{ source_field: 'keys.*', target_field: 'out.*' }]));
    expect(keyed).toMatchObject({ ok: true, value: { out: { safe: 's' } } });
    expect(keyed.ok && Object.keys(keyed.value.out as object)).toEqual(['safe']);
    const built = applyMapping(
      hostile,
      parseMapping([{ source_field: 'keys.*', target_field: 'out["x-{$key}"]' }]),
    );
    expect(built.ok && built.value).toEqual({ out: { 'x-safe': 's' } });
  });

  it('json, nest and flatten drop or reject forbidden keys', () => {
    const json = applyMapping(
      hostile,
      parseMapping([{ source_field: 'meta', target_field: 'properties', transform: 'json' }]),
    );
    expect(json).toMatchObject({ ok: true, value: { properties: { a: 1 } } });
    expect(json.ok && Object.hasOwn(json.value.properties as object, '__proto__')).toBe(false);
    const nest = applyMapping(
      hostile,
      parseMapping([{ source_field: 'flat', target_field: 'properties', transform: 'nest' }]),
    );
    expect(!nest.ok && nest.failure.error_message).toMatch(/holds "__proto__", which is not allowed/);
    const flatten = applyMapping(
      hostile,
      parseMapping([{ source_field: 'nested', target_field: 'properties', transform: 'flatten' }]),
    );
    expect(flatten).toMatchObject({ ok: true, value: { properties: { ok: 1 } } });
  });

  it('target wildcards do not expand over forbidden keys', () => {
    const mapping = parseMapping([
      { source_field: 'assets.*', target_field: 'assets.*' },
      { source_field: 'keys.{$key}', target_field: 'assets.*.k', optional: true },
    ]);
    const record = JSON.parse(
      '{"assets": {"constructor": {"href": "x"}, "b": {"href": "y"}}, "keys": {"b": "kb", "constructor": "kc"}}',
    );
    expect(applyMapping(record, mapping)).toEqual({
      ok: true,
      value: { assets: { b: { href: 'y', k: 'kb' } } },
      defaulted: [],
    });
  });

  it('enrichment: a sidecar row with __proto__ keys does not pollute the item', async () => {
    const mapping = parseMapping({
      mappings: [{ source_field: 'extra', target_field: 'properties.extra' }],
      passthrough: true,
    });
    const rows = [
      JSON.parse(
        '{"id": "a", "extra": {"__proto__": {"polluted": "yes"}, "v": 1}, "__proto__": {"polluted": "yes"}}',
      ),
    ];
    const items = [{ value: { id: 'a', properties: {} }, origin: {} }];
    const { records } = split(await drain(enrichItems(stream(items), rows, { mapping })));
    expect(records[0]!.value).toEqual({ id: 'a', properties: { extra: { v: 1 } } });
    expect(keyedRecords(JSON.parse('{"__proto__": {"a": 1}, "ok": {"b": 2}}')).map((r) => r.value)).toEqual([
      { b: 2, id: 'ok' },
    ]);
  });
});
