import { describe, expect, it } from 'vitest';
import { formatIssue, loadConfig, parseConfig } from '../src/index.js';
import { fixture, scmErrorOf } from './helpers.js';

describe('validation errors', () => {
  it('names file:line:column, the key path and the expected type for a wrong type', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('wrong-type.yaml'), { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain('wrong-type.yaml:9:16');
    expect(error.message).toContain('processing.concurrency');
    expect(error.message).toContain('must be integer');
    expect(error.location).toEqual({
      file: fixture('wrong-type.yaml'),
      line: 9,
      column: 16,
      path: 'processing.concurrency',
    });
  });

  it('reports an unknown key at the key itself, with a suggestion', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('unknown-key.yaml'), { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toContain('unknown-key.yaml:8:3 output.organise_by: unknown key "organise_by"');
    expect(error.message).toContain('did you mean "organize_by"?');
    expect(error.location).toMatchObject({ line: 8, column: 3, path: 'output.organise_by' });
  });

  it('reports every problem, in file order, in the message and in details.issues', async () => {
    const file = fixture('many-problems.yaml');
    const error = await scmErrorOf(() => loadConfig(file, { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    const issues = error.details?.issues as { line: number; column: number; path: string; message: string }[];
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`)).toEqual([
      '2:3 workflow: missing required key "name"',
      '4:3 source: missing required key "catalog_url" (required when type is stac_api)',
      '7:13 source.filters.spatial.bbox: must be a list of 4 or 6 numbers',
      '9:18 output.format[1]: must be one of json, ndjson, parquet',
      '12:10 logging.level: must be one of DEBUG, INFO, WARNING, ERROR (any case)',
      '14:16 processing.concurrency: must be >= 1',
      '15:23 processing.retry_max_attempts: must be integer (found a number)',
      '16:1 extra: unknown key "extra"; allowed keys: workflow, source, transformation, extensions, extensions_dir, output, validation, logging, processing, incremental, targeted',
    ]);
    expect(error.message.split('\n')[0]).toBe(`${file} is not a valid workflow configuration (8 problems):`);
    for (const issue of issues) expect(error.message).toContain(formatIssue({ file, ...issue }));
    expect(error.location).toMatchObject({ line: 2, column: 3, path: 'workflow' });
  });

  it('reports a wrong type for a whole section', () => {
    const text = 'workflow: [a, b]\nsource: {type: other}\noutput: {path: o}\n';
    expect(() => parseConfig(text, 'c.yaml', { env: {} })).toThrow(
      'c.yaml:1:11 workflow: must be a mapping (found a list)',
    );
  });

  it('reports a document that is not a mapping', () => {
    expect(() => parseConfig('- a\n- b\n', 'c.yaml', { env: {} })).toThrow(
      'c.yaml:1:1 must be a mapping (found a list)',
    );
  });

  it('reports an empty document', async () => {
    const error = await scmErrorOf(() => parseConfig('# nothing here\n', 'c.yaml', { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_INVALID');
    expect(error.message).toBe('c.yaml:1:1 the configuration is empty');
  });

  it('suggests the closest allowed value for a misspelt enum', () => {
    const text =
      'workflow: {name: n}\nsource: {type: stac-api, catalog_url: "https://x.org"}\noutput: {path: o}\n';
    expect(() => parseConfig(text, 'c.yaml', { env: {} })).toThrow(
      'c.yaml:2:16 source.type: must be one of stac_api, local_files, other (did you mean "stac_api"?)',
    );
  });

  it('requires paths for local_files and an http(s) catalog_url', async () => {
    const text = [
      'workflow: {name: n}',
      'source:',
      '  type: local_files',
      '  catalog_url: ftp://example.com',
      'output: {path: o}',
    ].join('\n');
    const error = await scmErrorOf(() => parseConfig(text, 'c.yaml', { env: {} }));
    expect(error.message).toContain(
      'c.yaml:3:3 source: missing required key "paths" (required when type is local_files)',
    );
    expect(error.message).toContain('c.yaml:4:16 source.catalog_url: must be an http(s) URL');
  });

  it('checks what a schema cannot: date order and bbox ranges', async () => {
    const text = [
      'workflow: {name: n}',
      'source:',
      '  type: other',
      '  filters:',
      '    temporal: {start_date: "2024-01-01", end_date: "2020-01-01"}',
      '    spatial: {bbox: [0, 50, 10, 40]}',
      'output: {path: o}',
    ].join('\n');
    const error = await scmErrorOf(() => parseConfig(text, 'c.yaml', { env: {} }));
    expect(error.message).toContain(
      'source.filters.temporal.end_date: must not be before start_date (2024-01-01)',
    );
    expect(error.message).toContain(
      'c.yaml:6:21 source.filters.spatial.bbox: miny must not be greater than maxy',
    );
  });

  it('accepts a 6-number bbox and an antimeridian-crossing one', () => {
    const base =
      'workflow: {name: n}\noutput: {path: o}\nsource:\n  type: other\n  filters:\n    spatial:\n      bbox: ';
    expect(
      parseConfig(`${base}[170, -10, 0, -170, 10, 100]\n`, 'c.yaml', { env: {} }).source.filters?.spatial
        ?.bbox,
    ).toEqual([170, -10, 0, -170, 10, 100]);
  });

  it('reports errors inside list items with their index', () => {
    const text =
      'workflow: {name: n}\nsource: {type: other}\noutput: {path: o}\nextensions:\n  - name: ok\n  - config: {}\n';
    expect(() => parseConfig(text, 'c.yaml', { env: {} })).toThrow(
      'c.yaml:6:5 extensions[1]: missing required key "name"',
    );
  });
});

describe('syntax errors', () => {
  it('reports YAML syntax errors as SCM_CONFIG_PARSE with a position', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('syntax-error.yaml'), { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain('syntax-error.yaml:4:9 ');
    expect(error.location).toMatchObject({ line: 4, column: 9 });
  });

  it('refuses duplicate keys', async () => {
    const error = await scmErrorOf(() => loadConfig(fixture('duplicate-key.yaml'), { env: {} }));
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.message).toContain('duplicate-key.yaml:3:1');
    expect(error.message).toContain('unique');
  });

  it('keeps line numbers for JSON files', async () => {
    const text =
      '{\n  "workflow": {"name": "n"},\n  "source": {"type": "other"},\n  "output": {"path": "o", "format": "xml"}\n}\n';
    const error = await scmErrorOf(() => parseConfig(text, 'c.json', { env: {} }));
    expect(error.message).toBe('c.json:4:37 output.format: must be one of json, ndjson, parquet');
    expect(() => parseConfig(text.replace('"xml"', '5'), 'c.json', { env: {} })).toThrow(
      'c.json:4:37 output.format: must be one of json, ndjson, parquet, or a list of them',
    );
  });

  it('refuses several documents in one file', async () => {
    const error = await scmErrorOf(() =>
      parseConfig('workflow: {name: a}\n---\nworkflow: {name: b}\n', 'c.yaml', { env: {} }),
    );
    expect(error.code).toBe('SCM_CONFIG_PARSE');
    expect(error.location?.line).toBe(2);
  });
});
