import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/index.js';
import { fixture, scmErrorOf } from './helpers.js';

const base = 'source: {type: other}\noutput: {path: o}\n';

describe('YAML safety', () => {
  it('refuses an alias bomb before expanding it', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('alias-bomb.yaml'), { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain('aliases');
  });

  it('allows a few aliases', () => {
    const text = `workflow: {name: &n shared, description: *n}\n${base}`;
    expect(parseConfig(text, 'c.yaml', { env: {} }).workflow).toEqual({
      name: 'shared',
      description: 'shared',
    });
  });

  it('refuses !!js/function', async () => {
    const file = fixture('js-function.yaml');
    const error = await scmErrorOf(() => loadConfig(file, { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain(`${file}:2:9 workflow.name: tag "!!js/function" is not allowed`);
  });

  it('refuses tags the core schema lacks, even ones yaml knows (!!binary, !!set, local tags)', async () => {
    const text = `workflow: {name: n}\n${base}extensions:\n  - name: a\n    config:\n      b: !!binary aGk=\n      s: !!set {x}\n      l: !local v\n`;
    const error = await scmErrorOf(() => parseConfig(text, 'c.yaml', { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.details?.issues).toHaveLength(3);
    expect(error.message).toContain('tag "!!binary" is not allowed');
    expect(error.message).toContain('tag "!!set" is not allowed');
    expect(error.message).toContain('tag "!local" is not allowed');
  });

  it('accepts explicit core tags', () => {
    const text = `workflow: {name: !!str 12}\n${base}processing: {concurrency: !!int "3"}\n`;
    const config = parseConfig(text, 'c.yaml', { env: {} });
    expect(config.workflow.name).toBe('12');
    expect(config.processing.concurrency).toBe(3);
  });

  it('refuses __proto__ anywhere, even in free-form extension config', async () => {
    const file = fixture('proto-key.yaml');
    const error = await scmErrorOf(() => loadConfig(file, { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain(
      `${file}:10:7 extensions[0].config.__proto__: key "__proto__" is not allowed`,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses constructor and prototype keys and complex keys', async () => {
    const text = `workflow: {name: n}\n${base}transformation:\n  lookup_tables:\n    constructor: {}\n    t: {prototype: 1}\n    ? [a, b]\n    : c\n`;
    const error = await scmErrorOf(() => parseConfig(text, 'c.yaml', { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain(
      'transformation.lookup_tables.constructor: key "constructor" is not allowed',
    );
    expect(error.message).toContain(
      'transformation.lookup_tables.t.prototype: key "prototype" is not allowed',
    );
    expect(error.message).toContain('transformation.lookup_tables: keys must be plain strings');
  });

  it('treats YAML 1.1 booleans as strings (core schema)', () => {
    const text = `workflow: {name: yes, description: on}\n${base}`;
    expect(parseConfig(text, 'c.yaml', { env: {} }).workflow).toEqual({ name: 'yes', description: 'on' });
  });
});
