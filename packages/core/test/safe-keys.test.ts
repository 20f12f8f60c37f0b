import { describe, expect, it } from 'vitest';
import { parseJsonText, stripForbiddenKeys } from '../src/index.js';

describe('parseJsonText', () => {
  it('returns the parsed value as it is when the text names no forbidden key', () => {
    const parsed = parseJsonText('{"id": "a", "assets": {"b": {"href": "x"}}}');
    expect(parsed).toEqual({ value: { id: 'a', assets: { b: { href: 'x' } } }, intact: true, dropped: [] });
  });

  it('drops forbidden members at any depth and names each by JSON Pointer, in document order', () => {
    const text =
      '{"__proto__": {"polluted": true}, "properties": {"constructor": 1, "a/b~c": [{"prototype": 2, "k": 3}]}}';
    const parsed = parseJsonText(text);
    expect(parsed.value).toEqual({ properties: { 'a/b~c': [{ k: 3 }] } });
    expect(Object.hasOwn(parsed.value as object, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.intact).toBe(false);
    expect(parsed.dropped).toEqual([
      '/__proto__',
      '/properties/constructor',
      '/properties/a~1b~0c/0/prototype',
    ]);
  });

  it('drops nothing when a forbidden name is only a value, but no longer vouches for the text', () => {
    const parsed = parseJsonText('{"title": "constructor"}');
    expect(parsed).toEqual({ value: { title: 'constructor' }, intact: false, dropped: [] });
  });

  it('throws the SyntaxError of JSON.parse', () => {
    expect(() => parseJsonText('{"a": ')).toThrow(SyntaxError);
  });
});

describe('stripForbiddenKeys', () => {
  it('copies without forbidden members and leaves the original as it was', () => {
    const original = JSON.parse('{"a": [{"__proto__": 1, "b": 2}], "constructor": 3}');
    expect(stripForbiddenKeys(original)).toEqual({ a: [{ b: 2 }] });
    expect(Object.keys(original)).toEqual(['a', 'constructor']);
  });
});
