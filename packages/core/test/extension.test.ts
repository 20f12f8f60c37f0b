import { describe, expect, it } from 'vitest';
import {
  defineExtension,
  EXTENSION_CONTRACT_VERSION,
  isExtension,
  isScmError,
  withStacExtension,
} from '../src/index.js';

const base = {
  name: 'demo',
  prefix: 'demo',
  schemaUris: ['https://example.com/demo/v1.0.0/schema.json'],
  configSchema: { type: 'object' },
  applyToItem: (item: never) => item,
};

describe('defineExtension', () => {
  it('freezes the definition and stamps the contract version', () => {
    const ext = defineExtension(base);
    expect(ext.contractVersion).toBe(EXTENSION_CONTRACT_VERSION);
    expect(Object.isFrozen(ext)).toBe(true);
    expect(Object.isFrozen(ext.schemaUris)).toBe(true);
    expect(isExtension(ext)).toBe(true);
  });

  it.each([
    [{ name: 'Bad Name' }, /name must be/],
    [{ prefix: 'A:B' }, /prefix must be/],
    [{ schemaUris: [] }, /at least one schema URI/],
    [{ schemaUris: ['file:///etc/passwd'] }, /not an http/],
    [{ configSchema: 'x' }, /configSchema/],
    [{ applyToItem: 42 }, /applyToItem must be a function/],
    [{ applyToCollection: 'nope' }, /applyToCollection must be a function/],
    [{ schemaUri: 'https://example.com/x.json' }, /schemaUri must be a function/],
    [{ checkConfig: {} }, /checkConfig must be a function/],
  ])('rejects %o', (patch, message) => {
    try {
      defineExtension({ ...base, ...(patch as object) } as never);
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_EXTENSION_INVALID');
      expect(String((error as Error).message)).toMatch(message);
    }
  });
});

describe('optional members (contract 1, backwards-compatible)', () => {
  it('keeps schemaUri, checkConfig and a checkObject that takes the context', () => {
    const v2 = 'https://example.com/demo/v2.0.0/schema.json';
    const ext = defineExtension<{ v2?: boolean }>({
      ...base,
      schemaUris: [base.schemaUris[0]!, v2],
      schemaUri: (config) => (config.v2 ? v2 : base.schemaUris[0]!),
      checkConfig: (config) =>
        config.v2 === undefined ? [] : [{ path: '/v2', message: 'set', kind: 'config', severity: 'warning' }],
      checkObject: (_object, context) =>
        context?.config.v2 ? [{ path: '', message: 'v2', kind: 'demo', severity: 'warning' }] : [],
    });
    expect(ext.contractVersion).toBe(EXTENSION_CONTRACT_VERSION);
    expect(ext.schemaUri?.({ v2: true })).toBe(v2);
    expect(ext.schemaUri?.({})).toBe(base.schemaUris[0]);
    expect(ext.checkConfig?.({ v2: false })).toHaveLength(1);
    expect(ext.checkObject?.({})).toEqual([]);
  });

  it('accepts a definition without them, as before', () => {
    const ext = defineExtension(base);
    expect(ext.schemaUri).toBeUndefined();
    expect(ext.checkConfig).toBeUndefined();
  });
});

describe('withStacExtension', () => {
  it('adds a URI once and drops the ones it replaces', () => {
    const old = 'https://example.com/demo/v0.9.0/schema.json';
    const uri = base.schemaUris[0]!;
    const once = withStacExtension(['https://other/schema.json', old], uri, [old]);
    expect(once).toEqual(['https://other/schema.json', uri]);
    expect(withStacExtension(once, uri, [old])).toEqual(once);
  });
});
