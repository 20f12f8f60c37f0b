import { readFileSync } from 'node:fs';
import { ITEM_MEMBER_NAMES, isItemMember, memberString, topLevelString } from '@scm/core/stac-item';
import { describe, expect, it } from 'vitest';

describe('Item members', () => {
  it('lists the ten STAC Item members and nothing else', () => {
    expect(ITEM_MEMBER_NAMES).toHaveLength(10);
    for (const name of ['id', 'geometry', 'bbox', 'properties', 'links', 'assets', 'collection']) {
      expect(isItemMember(name), name).toBe(true);
    }
    for (const name of ['datetime', 'title', '__proto__', 'constructor', 'Type']) {
      expect(isItemMember(name), name).toBe(false);
    }
  });
});

/** A small deterministic generator of JSON values, nested objects and arrays holding decoy `id` members. */
function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  const text = () => ['id', 'a"b', 'c\\d', '}', ']', ',', 'é\u2028', ''][Math.floor(next() * 8)] as string;
  if (kind === 0) return text();
  if (kind === 1) return Math.round(next() * 1e6) / 100 - 5000;
  if (kind === 2) return [true, false, null][Math.floor(next() * 3)];
  if (kind === 3) return { id: text() };
  if (kind === 4) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  return randomObject(next, depth + 1);
}

function randomObject(next: () => number, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const keys = ['type', 'id', 'geometry', 'properties', 'i"d', 'idx', 'assets', 'links'];
  for (let n = Math.floor(next() * 6); n > 0; n--)
    object[keys[Math.floor(next() * keys.length)] as string] = randomValue(next, depth);
  return object;
}

describe('topLevelString', () => {
  it('agrees with JSON.parse on the top-level id of generated objects, compact and indented', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let found = 0;
    for (let n = 0; n < 3000; n++) {
      const entries = Object.entries(randomObject(next, 0));
      // Half the objects get a string id at a random place among the other members.
      if (next() < 0.5) entries.splice(Math.floor(next() * (entries.length + 1)), 0, ['id', `item-${n}"\\`]);
      const object = Object.fromEntries(entries);
      const expected = typeof object.id === 'string' ? object.id : undefined;
      if (expected !== undefined) found++;
      expect(topLevelString(JSON.stringify(object), 'id')).toBe(expected);
      expect(topLevelString(JSON.stringify(object, null, 2), 'id')).toBe(expected);
    }
    expect(found, 'objects with a string id').toBeGreaterThan(1200);
  });

  it('finds the id of a real CMR-STAC HLS item past nested members named id', () => {
    // The CMR-STAC HLS S30 sample item (shared/samples/cmr-stac/synthetic), as the repository keeps it.
    const path = new URL('../../../tools/stac-server/fixtures/hls-item-template.json', import.meta.url);
    const item = JSON.parse(readFileSync(path, 'utf8'));
    const reordered = { properties: { id: 'inner' }, assets: item.assets, id: item.id };
    expect(topLevelString(JSON.stringify(item), 'id')).toBe('HLS.S30.T13SFC.2022273T174141.v2.0');
    expect(topLevelString(JSON.stringify(reordered), 'id')).toBe('HLS.S30.T13SFC.2022273T174141.v2.0');
    expect(topLevelString(JSON.stringify(item), 'collection')).toBe(item.collection);
  });

  it('answers undefined for what is not an object with that string member', () => {
    for (const text of [
      '',
      '[]',
      '"id"',
      '{}',
      '{"id":5}',
      '{"id":null}',
      '{"id":"a',
      '{"x":[1,2',
      '{"x" 1,"id":"a"}',
      'not json',
    ]) {
      expect(topLevelString(text, 'id'), text).toBeUndefined();
    }
    expect(topLevelString('{"id":"a\\"b"}', 'id')).toBe('a"b');
    expect(topLevelString('{"id":"a\\\\"}', 'id')).toBe('a\\');
    expect(topLevelString('{"i\\u0064":"escaped key"}', 'id')).toBe('escaped key');
  });
});

describe('memberString', () => {
  const hls = () =>
    JSON.parse(
      readFileSync(
        new URL('../../../tools/stac-server/fixtures/hls-item-template.json', import.meta.url),
        'utf8',
      ),
    );

  it("reads an Item's properties.datetime from its text, not an asset's datetime", () => {
    const item = hls();
    const first = Object.keys(item.assets)[0] as string;
    item.assets[first].datetime = '1999-01-01T00:00:00Z';
    // Assets before properties: the asset's datetime must be skipped, not taken.
    const reordered = { id: item.id, assets: item.assets, properties: item.properties };
    for (const object of [item, reordered]) {
      expect(memberString(JSON.stringify(object), ['properties', 'datetime'])).toBe(item.properties.datetime);
      expect(memberString(JSON.stringify(object, null, 2), ['properties', 'datetime'])).toBe(
        item.properties.datetime,
      );
    }
  });

  it('agrees with JSON.parse one level down on generated objects', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let found = 0;
    for (let n = 0; n < 2000; n++) {
      const inner = Object.entries(randomObject(next, 0));
      if (next() < 0.6) inner.splice(Math.floor(next() * (inner.length + 1)), 0, ['idx', `v-${n}\\"`]);
      const outer = Object.entries(randomObject(next, 0)).filter(([key]) => key !== 'properties');
      outer.splice(Math.floor(next() * (outer.length + 1)), 0, ['properties', Object.fromEntries(inner)]);
      const object = Object.fromEntries(outer);
      const idx = (object.properties as Record<string, unknown>).idx;
      const expected = typeof idx === 'string' ? idx : undefined;
      if (expected !== undefined) found++;
      expect(memberString(JSON.stringify(object), ['properties', 'idx'])).toBe(expected);
    }
    expect(found, 'objects with the nested member').toBeGreaterThan(800);
  });

  it('answers undefined when a step is not an object or the member is not a string', () => {
    for (const text of [
      '{"properties":[]}',
      '{"properties":"x"}',
      '{"properties":{"datetime":null}}',
      '{}',
    ]) {
      expect(memberString(text, ['properties', 'datetime']), text).toBeUndefined();
    }
    expect(memberString('{"a":{"b":{"c":"deep"}}}', ['a', 'b', 'c'])).toBe('deep');
  });
});
