import { defineExtension, EXTENSION_CONTRACT_VERSION, isScmError, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { createExtensionRegistry, toExtension } from '../src/index.js';

const definition = (name: string) => ({
  name,
  prefix: name,
  schemaUris: [`https://example.com/${name}/v1.0.0/schema.json`],
  configSchema: { type: 'object' },
  applyToItem: (item: StacItem) => item,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isScmError(error) ? error.code : 'not-scm';
  }
  return undefined;
}

describe('createExtensionRegistry', () => {
  it('registers built-ins and plain definitions, and lists them in order', () => {
    const registry = createExtensionRegistry([defineExtension(definition('one'))]);
    const two = registry.register(definition('two'));
    expect(two.contractVersion).toBe(EXTENSION_CONTRACT_VERSION);
    expect(Object.isFrozen(two)).toBe(true);
    expect(registry.list().map((e) => e.name)).toEqual(['one', 'two']);
    expect(registry.get('two')).toBe(two);
    expect(registry.has('three')).toBe(false);
    expect(registry.get('three')).toBeUndefined();
  });

  it('refuses a second extension with a taken name', () => {
    const registry = createExtensionRegistry([defineExtension(definition('one'))]);
    expect(codeOf(() => registry.register(definition('one')))).toBe('SCM_EXTENSION_INVALID');
    expect(() => registry.register(definition('one'))).toThrow(/already registered/);
    expect(codeOf(() => createExtensionRegistry([definition('x'), definition('x')]))).toBe(
      'SCM_EXTENSION_INVALID',
    );
  });

  it('refuses a bad definition with the member at fault', () => {
    const registry = createExtensionRegistry();
    expect(() => registry.register({ ...definition('bad'), applyToItem: 3 } as never)).toThrow(
      /applyToItem must be a function/,
    );
  });
});

describe('toExtension', () => {
  it('refuses an extension built for another contract version, saying which', () => {
    const future = {
      ...defineExtension(definition('future')),
      contractVersion: EXTENSION_CONTRACT_VERSION + 1,
    };
    expect(codeOf(() => toExtension(future))).toBe('SCM_EXTENSION_INVALID');
    expect(() => toExtension(future)).toThrow(
      new RegExp(
        `contract ${EXTENSION_CONTRACT_VERSION + 1}.*implements contract ${EXTENSION_CONTRACT_VERSION}`,
      ),
    );
  });
});
