import { defineExtension, isScmError, type ScmError, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { findConfigProblems, loadExtensions, prepareExtension } from '../src/index.js';
import { memoryLogger } from './helpers/logger.js';

const ext = defineExtension<{ pattern?: string; mode?: string; rules?: { key: string }[] }>({
  name: 'strict',
  prefix: 'strict',
  schemaUris: ['https://example.com/strict/v1.0.0/schema.json'],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pattern: { type: 'string' },
      mode: { enum: ['skip', 'fail'] },
      rules: {
        type: 'array',
        items: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } },
      },
    },
  },
  checkConfig: (config) => {
    const issues = [];
    if (config.pattern !== undefined) {
      try {
        new RegExp(config.pattern);
      } catch {
        issues.push({
          path: '/pattern',
          message: 'is not a regular expression',
          kind: 'config',
          severity: 'error' as const,
        });
      }
    }
    if (config.mode === 'skip') {
      issues.push({
        path: '/mode',
        message: 'skip hides problems',
        kind: 'config',
        severity: 'warning' as const,
      });
    }
    return issues;
  },
  applyToItem: (item: StacItem) => item,
});

function caught(fn: () => unknown): ScmError {
  try {
    fn();
  } catch (error) {
    if (isScmError(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('config checks', () => {
  it('names the extension and the config path of a schema error', () => {
    const error = caught(() =>
      prepareExtension(ext, { rules: [{ key: 'a' }, { nope: 1 }] }, { configPath: 'extensions[2].config' }),
    );
    expect(error.code).toBe('SCM_EXTENSION_CONFIG');
    expect(error.message).toBe(
      'extension "strict": invalid config at extensions[2].config.rules[1].key: is required',
    );
    expect(error.location?.path).toBe('extensions[2].config.rules[1].key');
    expect(error.details?.name).toBe('strict');
  });

  it('reports unknown options and enum values readably', () => {
    expect(findConfigProblems(ext, { colour: 'red', mode: 'maybe' })).toEqual([
      { path: 'config.colour', message: 'is not a known option', severity: 'error' },
      { path: 'config.mode', message: 'must be one of "skip", "fail"', severity: 'error' },
    ]);
  });

  it('runs checkConfig after the schema: errors throw, warnings are logged', () => {
    expect(caught(() => prepareExtension(ext, { pattern: '(' })).message).toMatch(
      /invalid config at config\.pattern: is not a regular expression/,
    );
    const logger = memoryLogger();
    prepareExtension(ext, { mode: 'skip' }, { logger });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        module: 'extension:strict',
        message: expect.stringMatching(/skip hides/),
      }),
    ]);
  });

  it('checks every config in loadExtensions before returning anything', async () => {
    const ok = defineExtension({ ...ext, name: 'ok', checkConfig: undefined });
    await expect(
      loadExtensions({
        builtins: [ok, ext],
        extensions: [{ name: 'ok' }, { name: 'strict', config: { mode: 'x' } }],
        extensionsDir: null,
        nodeModulesDirs: [],
      }),
    ).rejects.toMatchObject({
      code: 'SCM_EXTENSION_CONFIG',
      message: expect.stringMatching(/extensions\[1\]\.config\.mode/),
    });
  });

  it('resolves without checking configs when checkConfigs is false (validation needs none)', async () => {
    const loaded = await loadExtensions({
      builtins: [ext],
      extensions: [{ name: 'strict', config: { mode: 'x' } }],
      extensionsDir: null,
      nodeModulesDirs: [],
      checkConfigs: false,
    });
    expect(loaded.map((l) => l.extension.name)).toEqual(['strict']);
    expect(loaded[0]!.schemaUri).toBe(ext.schemaUris[0]);
  });

  it('freezes the config and drops prototype keys', () => {
    const loaded = prepareExtension(ext, JSON.parse('{"mode":"fail","__proto__":{"x":1}}'));
    expect(Object.isFrozen(loaded.config)).toBe(true);
    expect(Object.keys(loaded.config)).toEqual(['mode']);
  });
});
