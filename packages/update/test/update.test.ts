import { readFileSync } from 'node:fs';
import { isScmError } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { applyMergePatch, parseUpdates, updateObject } from '../src/index.js';

const SAMPLES = '/work/shared/samples';
type Doc = Record<string, unknown> & { properties: Record<string, unknown>; assets: Record<string, unknown> };
const load = (path: string) => JSON.parse(readFileSync(`${SAMPLES}/${path}`, 'utf8')) as Doc;
const hls = () => load('easierdata/synthetic/item-HLSS30_2.0-alternate-assets.json');
const collection = () => load('stac-spec-v1.0.0/collection.json');
const NOW = new Date('2026-01-02T03:04:05.000Z');

const run = (doc: unknown, object = hls()) => updateObject(object, parseUpdates(doc), { now: NOW });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isScmError(error) ? `${error.code} ${error.location?.path ?? ''}` : 'not-scm';
  }
  return undefined;
}

describe('operations', () => {
  it('set creates a field, stamps properties.updated and lists both changes', () => {
    const item = hls();
    const out = run({ updates: [{ set: { 'properties.license_note': 'open' } }] }, item);
    expect(out.status).toBe('updated');
    expect(out.object?.properties.license_note).toBe('open');
    expect(out.object?.properties.updated).toBe(NOW.toISOString());
    expect(out.changes.map((c) => [c.op, c.path, c.before, c.after])).toEqual([
      ['set', '/properties/license_note', undefined, 'open'],
      ['stamp', '/properties/updated', undefined, NOW.toISOString()],
    ]);
    expect(item.properties.license_note).toBeUndefined();
  });

  it('set with a wildcard reaches every asset and fills templates', () => {
    const out = run({ updates: [{ set: { 'assets.*.title': '{item_id}/{asset_key} of {collection_id}' } }] });
    const assets = out.object?.assets as Record<string, { title: string }>;
    expect(Object.keys(assets).length).toBeGreaterThan(3);
    for (const [key, asset] of Object.entries(assets)) {
      expect(asset.title).toBe(`HLS.S30.T13SFC.2022273T174141.v2.0/${key} of HLSS30_2.0`);
    }
  });

  it('merge applies an RFC 7386 patch: null removes, objects merge, arrays replace', () => {
    const out = run({
      updates: [{ merge: { properties: { 'eo:cloud_cover': null, platform: 'sentinel-2b' } } }],
    });
    expect(out.object?.properties['eo:cloud_cover']).toBeUndefined();
    expect(out.object?.properties.platform).toBe('sentinel-2b');
    expect(out.object?.properties.datetime).toBe('2022-09-30T17:51:36.529Z');
    expect(applyMergePatch({ a: [1, 2], b: { c: 1 } }, { a: [3], b: { d: 2 } })).toEqual({
      a: [3],
      b: { c: 1, d: 2 },
    });
  });

  it('remove drops fields, with wildcards', () => {
    const out = run({ updates: [{ remove: ['properties.storage:schemes', 'assets.*.alternate'] }] });
    expect(out.object?.properties['storage:schemes']).toBeUndefined();
    for (const asset of Object.values(out.object?.assets as Record<string, object>))
      expect(asset).not.toHaveProperty('alternate');
    expect(out.changes.find((c) => c.path === '/properties/storage:schemes')?.before).toBeDefined();
  });

  it('rename moves a value', () => {
    const out = run({ updates: [{ rename: { 'properties.eo:cloud_cover': 'properties.cloud' } }] });
    expect(out.object?.properties.cloud).toBe(0);
    expect(out.object?.properties).not.toHaveProperty('eo:cloud_cover');
    const blocked = run({
      updates: [{ rename: { 'properties.eo:cloud_cover': 'properties.datetime.cloud' } }],
    });
    expect(blocked.status).toBe('unchanged');
  });

  it('delete removes the object and reports one change', () => {
    const out = run({ updates: [{ select: { ids: ['HLS.S30.T13SFC.2022273T174141.v2.0'] }, delete: true }] });
    expect(out.status).toBe('deleted');
    expect(out.object).toBeUndefined();
    expect(out.changes).toMatchObject([{ op: 'delete', path: '', id: 'HLS.S30.T13SFC.2022273T174141.v2.0' }]);
  });

  it('a rule that changes nothing leaves the object unchanged and unstamped', () => {
    const item = hls();
    const out = run({ updates: [{ set: { 'properties.eo:cloud_cover': 0 } }] }, item);
    expect(out.status).toBe('unchanged');
    expect(out.object).toBe(item);
  });
});

describe('selection', () => {
  const sets = (select: unknown, appliesTo = 'items') =>
    run({ updates: [{ select, applies_to: appliesTo, set: { 'properties.hit': true } }] }).status;
  it('by ids and collection', () => {
    expect(sets({ ids: ['HLS.S30.T13SFC.2022273T174141.v2.0'] })).toBe('updated');
    expect(sets({ ids: ['other'] })).toBe('unchanged');
    expect(sets({ collection: 'HLSS30_2.0' })).toBe('updated');
    expect(sets({ collection: 'HLSL30_2.0' })).toBe('unchanged');
  });
  it('by datetime range (a date alone covers its day)', () => {
    expect(sets({ datetime: '2022-09-30/2022-09-30' })).toBe('updated');
    expect(sets({ datetime: '2022-10-01/..' })).toBe('unchanged');
    expect(sets({ datetime: '../2022-09-29T23:59:59Z' })).toBe('unchanged');
  });
  it('by bbox overlap', () => {
    expect(sets({ bbox: [-103, 36, -100, 40] })).toBe('updated');
    expect(sets({ bbox: [0, 0, 1, 1] })).toBe('unchanged');
  });
  it('by property equals, in and range', () => {
    expect(sets({ properties: { 'eo:cloud_cover': 0 } })).toBe('updated');
    expect(sets({ properties: { 'eo:cloud_cover': { in: [5, 0] } } })).toBe('updated');
    expect(sets({ properties: { 'eo:cloud_cover': { min: 1, max: 10 } } })).toBe('unchanged');
    expect(sets({ properties: { 'eo:cloud_cover': { max: 10 } } })).toBe('updated');
  });
  it('applies_to keeps item rules off collections and the other way round', () => {
    expect(sets({}, 'collections')).toBe('unchanged');
    const col = collection();
    const out = updateObject(col, parseUpdates([{ applies_to: 'both', set: { keywords: ['x'] } }]), {
      now: NOW,
    });
    expect(out.object?.keywords).toEqual(['x']);
    expect(out.object).not.toHaveProperty('properties');
    expect(updateObject(col, parseUpdates([{ set: { title: 'y' } }])).status).toBe('unchanged');
  });
});

describe('guards and errors', () => {
  it('refuses prototype keys in paths, values and patches', () => {
    expect(codeOf(() => parseUpdates([{ set: { '__proto__.polluted': 1 } }]))).toBe(
      'SCM_CONFIG_INVALID updates[0].set',
    );
    expect(codeOf(() => parseUpdates([{ set: { 'properties.constructor': 1 } }]))).toMatch(
      /^SCM_CONFIG_INVALID/,
    );
    expect(codeOf(() => parseUpdates([{ remove: ['a.prototype'] }]))).toMatch(/^SCM_CONFIG_INVALID/);
    const patch = JSON.parse('{"merge": {"__proto__": {"polluted": 1}}}');
    expect(codeOf(() => parseUpdates([patch]))).toMatch(/^SCM_CONFIG_INVALID/);
  });
  it('never writes through a __proto__ member found in the data', () => {
    const item = hls();
    item.assets = JSON.parse('{"__proto__": {"roles": ["x"]}, "data": {"href": "a"}}');
    const out = updateObject(item, parseUpdates([{ set: { 'assets.*.roles': ['data'] } }]), { now: NOW });
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
    expect(out.changes.filter((c) => c.op === 'set').map((c) => c.path)).toEqual(['/assets/data/roles']);
    expect(applyMergePatch({}, JSON.parse('{"__proto__": {"polluted": 1}}'))).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('names the rule and key of a bad document', () => {
    expect(codeOf(() => parseUpdates({ updates: [] }))).toBe('SCM_CONFIG_INVALID updates');
    expect(codeOf(() => parseUpdates([{ select: { colection: 'x' }, delete: true }]))).toBe(
      'SCM_CONFIG_INVALID updates[0].select.colection',
    );
    expect(codeOf(() => parseUpdates([{ select: { datetime: 'yesterday' }, delete: true }]))).toBe(
      'SCM_CONFIG_INVALID updates[0].select.datetime',
    );
    expect(codeOf(() => parseUpdates([{ select: { bbox: [1, 2, 3] }, delete: true }]))).toMatch(/bbox$/);
    expect(codeOf(() => parseUpdates([{ select: {} }]))).toBe('SCM_CONFIG_INVALID updates[0]');
    expect(codeOf(() => parseUpdates([{ delete: true, set: { a: 1 } }]))).toBe(
      'SCM_CONFIG_INVALID updates[0]',
    );
    expect(codeOf(() => parseUpdates([{ applies_to: 'both', delete: true }]))).toBe(
      'SCM_CONFIG_INVALID updates[0].applies_to',
    );
    expect(codeOf(() => parseUpdates([{ applies_to: 'all', delete: true }]))).toBe(
      'SCM_CONFIG_INVALID updates[0].applies_to',
    );
  });
});
