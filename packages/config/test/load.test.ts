// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the configuration substitution syntax, not a template
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, loadConfig, parseConfig, validateConfigObject } from '../src/index.js';
import { fixture, fixturesDir, scmErrorOf } from './helpers.js';

const env = { EARTHDATA_TOKEN: 'tok-123' };

/** Replaces the fixture folder with `<fixtures>` so the golden file is machine-independent. */
function portable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).split(fixturesDir).join('<fixtures>'));
}

describe('loadConfig', () => {
  it('loads the PRD example in YAML and matches the golden output', async () => {
    const config = await loadConfig(fixture('valid.yaml'), { env });
    const expected = JSON.parse(readFileSync(fixture('valid.expected.json'), 'utf8'));
    expect(portable(config)).toEqual(expected);
  });

  it('gives the same result for the JSON form', async () => {
    const fromYaml = await loadConfig(fixture('valid.yaml'), { env });
    const fromJson = await loadConfig(fixture('valid.json'), { env });
    expect(fromJson).toEqual(fromYaml);
  });

  it('applies every default to a minimal file', async () => {
    const config = await loadConfig(fixture('minimal.yaml'), { env: {} });
    expect(config).toEqual({
      workflow: { name: 'minimal' },
      source: { type: 'local_files', paths: [join(fixturesDir, 'items.ndjson')], format: 'auto' },
      extensions: [],
      output: {
        formats: ['json', 'ndjson'],
        path: join(fixturesDir, 'out'),
        organize_by: 'collection',
        publish: 'in_place',
        parquet_partition: 'none',
        failures_file: 'failed_items.ndjson',
      },
      validation: { level: 'strict', schema_dirs: [], engine: 'ajv' },
      logging: { level: 'INFO' },
      processing: {
        concurrency: 5,
        rate_limit: 10,
        retry_max_attempts: 3,
        timeout_s: 30,
        backoff_base: 2,
        batch_size: 1000,
      },
    });
    expect(config.processing).toEqual(CONFIG_DEFAULTS.processing);
  });

  it('resolves relative paths against the configuration file folder, not the working directory', async () => {
    const file = fixture('project/sub/config.yaml');
    const dir = dirname(file);
    const config = await loadConfig(file, { env: {} });
    expect(config.source.paths).toEqual([
      join(dir, 'data/items.ndjson'),
      join(dir, '../shared/collections'),
      '/absolute/items.json',
    ]);
    expect(config.extensions.map((e) => e.module)).toEqual([
      join(dir, 'extensions/custom.js'),
      '@acme/scm-extension',
    ]);
    expect(config.extensions_dir).toBe(join(dir, '../extensions'));
    expect(config.transformation?.mapping_schema).toBe(join(dir, 'mappings/rules.yaml'));
    expect(config.validation.schema_dirs).toEqual([join(dir, 'schemas')]);
    expect(config.output.path).toBe(join(dir, '../output'));
    expect(config.output.formats).toEqual(['json', 'ndjson', 'parquet']);
    expect(config.logging.file).toBe(join(dir, 'logs/run.log'));
  });

  it('reports a missing file as SCM_CONFIG_NOT_FOUND', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('does-not-exist.yaml')));
    expect(error.code).toBe('SCM_CONFIG_NOT_FOUND');
    expect(error.message).toContain('does-not-exist.yaml');
  });

  it('reports a folder given as the file as SCM_CONFIG_NOT_FOUND', async () => {
    const error = await scmErrorOf(() => loadConfig(fixturesDir));
    expect(error.code).toBe('SCM_CONFIG_NOT_FOUND');
    expect(error.message).toContain('is a folder');
  });
});

describe('parseConfig', () => {
  it('normalises a single output format and an upper-case log level', () => {
    const config = parseConfig(
      'workflow: {name: n}\nsource: {type: other}\noutput: {path: o, format: ndjson}\nlogging: {level: Warning}\n',
      '/configs/a.yaml',
      { env: {} },
    );
    expect(config.output.formats).toEqual(['ndjson']);
    expect(config.output.path).toBe('/configs/o');
    expect(config.logging.level).toBe('WARNING');
  });

  it('ignores a top-level $schema key (editors use it in JSON files)', () => {
    const config = parseConfig(
      '{"$schema": "x.json", "workflow": {"name": "n"}, "source": {"type": "other"}, "output": {"path": "o"}}',
      '/c/a.json',
      { env: {} },
    );
    expect(config).not.toHaveProperty('$schema');
  });

  it('reads incremental.strategy and names a value it does not know', () => {
    const text = (strategy: string) =>
      `workflow: {name: n}\nsource: {type: other}\noutput: {path: o}\nincremental: {strategy: ${strategy}}\n`;
    expect(parseConfig(text('filter'), '/c/a.yaml', { env: {} }).incremental).toEqual({ strategy: 'filter' });
    expect(() => parseConfig(text('cql'), '/c/a.yaml', { env: {} })).toThrow(
      /4:25 incremental.strategy: must be one of auto, filter, listing/,
    );
  });

  it('strips a byte-order mark', () => {
    const config = parseConfig(
      '\uFEFFworkflow: {name: n}\nsource: {type: other}\noutput: {path: o}\n',
      '/c/a.yaml',
      {
        env: {},
      },
    );
    expect(config.workflow.name).toBe('n');
  });

  it('uses process.env when no env is given', () => {
    process.env.SCM_CONFIG_TEST_NAME = 'from-process-env';
    try {
      const config = parseConfig(
        'workflow: {name: "${SCM_CONFIG_TEST_NAME}"}\nsource: {type: other}\noutput: {path: o}\n',
        '/c/a.yaml',
      );
      expect(config.workflow.name).toBe('from-process-env');
    } finally {
      delete process.env.SCM_CONFIG_TEST_NAME;
    }
  });
});

describe('validateConfigObject', () => {
  it('validates an object built in code and resolves paths against the given file', () => {
    const config = validateConfigObject(
      { workflow: { name: 'n' }, source: { type: 'other' }, output: { path: 'out', format: ['json'] } },
      '/configs/virtual.yaml',
    );
    expect(config.output).toMatchObject({ formats: ['json'], path: '/configs/out' });
  });

  it('lists every problem with key paths', async () => {
    const error = await scmErrorOf(() =>
      validateConfigObject({
        workflow: {},
        source: { type: 'ftp' },
        output: { path: 'o' },
        processing: { concurrency: 'x' },
      }),
    );
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain('workflow: missing required key "name"');
    expect(error.message).toContain('source.type: must be one of stac_api, local_files, other');
    expect(error.message).toContain('processing.concurrency: must be integer');
  });

  it('refuses forbidden keys in objects parsed from JSON', async () => {
    const value = JSON.parse(
      '{"workflow": {"name": "n"}, "source": {"type": "other"}, "output": {"path": "o"}, "extensions": [{"name": "x", "config": {"__proto__": {"a": 1}}}]}',
    );
    const error = await scmErrorOf(() => validateConfigObject(value));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain('extensions[0].config.__proto__: key "__proto__" is not allowed');
  });

  it('does not modify the object it is given', () => {
    const value = { workflow: { name: 'n' }, source: { type: 'other' }, output: { path: 'o' } };
    const copy = structuredClone(value);
    validateConfigObject(value);
    expect(value).toEqual(copy);
  });
});
