import { readFileSync } from 'node:fs';
import { isScmError, type ScmError } from '@scm/core';
import { compileSchema } from '@scm/validate';
import { describe, expect, it } from 'vitest';
import { loadMapping, mappingJsonSchema, parseMapping } from '../src/index.js';
import { fixture, readers } from './helpers.js';

function errorOf(fn: () => unknown): ScmError {
  try {
    fn();
  } catch (error) {
    if (isScmError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

async function loadError(file: string): Promise<ScmError> {
  try {
    await loadMapping(file, readers);
  } catch (error) {
    if (isScmError(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('loading', () => {
  it('loads YAML and JSON files, and YAML or JSON text', async () => {
    const yaml = await loadMapping(fixture('scenario4', 'mapping.yaml'), readers);
    expect(yaml.file).toBe(fixture('scenario4', 'mapping.yaml'));
    expect(yaml.rules[0]).toEqual({
      rule: 'id_template',
      target: 'id',
      source: 'template "{collection_name|slug}-{dataset_id|lower}"',
    });
    const json = await loadMapping(fixture('mappings', 'with-lookup.json'), readers);
    expect(json.rules).toHaveLength(2);
    const text = parseMapping('[{"source_field": "a", "target_field": "b"}]', undefined, readers);
    expect(text.document).toEqual({ mappings: [{ source_field: 'a', target_field: 'b' }] });
    const yamlText = parseMapping(
      '- source_field: a\n  target_field: b\n  transform: number\n',
      undefined,
      readers,
    );
    expect(yamlText.rules).toEqual([{ rule: 0, target: 'b', source: 'a' }]);
  });

  it('accepts the PRD shapes: `mappings:` and the bare rule array of transformation.mapping_schema', () => {
    const prd = parseMapping(
      `
mappings:
  - source_field: "source_property"
    target_field: "stac_property"
    transform: "string"
    optional: false
  - source_field: "nested.field"
    target_field: "properties.custom_field"
    transform: "number"
`,
      undefined,
      readers,
    );
    expect(prd.rules).toHaveLength(2);
    const bare = parseMapping([
      { source_field: 'properties.date', target_field: 'properties.datetime', transform: 'date' },
    ]);
    expect(bare.document.mappings).toHaveLength(1);
  });

  it('a missing file is SCM_MAPPING_NOT_FOUND', async () => {
    const error = await loadError(fixture('mappings', 'nope.yaml'));
    expect(error.code).toBe('SCM_MAPPING_NOT_FOUND');
    expect(error.message).toContain('nope.yaml');
  });

  it('errors name the file, line, rule index and field', async () => {
    const error = await loadError(fixture('mappings', 'bad-transform.yaml'));
    expect(error.code).toBe('SCM_MAPPING_INVALID');
    expect(error.message).toBe(
      `${fixture('mappings', 'bad-transform.yaml')}:6: rule 1 (target_field properties.b): unknown transform "nubmer" (did you mean "number"?)`,
    );
    expect(error.location).toEqual({
      file: fixture('mappings', 'bad-transform.yaml'),
      line: 6,
      path: 'mappings[1].transform',
    });
    expect(error.details).toMatchObject({ rule: 1, field: 'transform' });
  });

  it('unknown keys are errors, with suggestions', () => {
    expect(errorOf(() => parseMapping([{ source_feild: 'a', target_field: 'b' }])).message).toBe(
      'mapping: rule 0 (target_field b): unknown key "source_feild" (did you mean "source_field"?)',
    );
    expect(errorOf(() => parseMapping({ mapping: [] })).message).toMatch(
      /unknown top-level key "mapping" \(did you mean "mappings"\?\)/,
    );
    expect(
      errorOf(() =>
        parseMapping([
          { source_field: 'a', target_field: 'b', transform: { type: 'datetime', format: ['x'] } },
        ]),
      ).message,
    ).toMatch(/transform "datetime" has no option "format" \(did you mean "formats"\?\)/);
    expect(
      errorOf(() =>
        parseMapping([{ source_field: 'a', target_field: 'b', transform: { type: 'scale', factor: 'ten' } }]),
      ).message,
    ).toMatch(/option "factor" of transform "scale" must be number/);
    expect(
      errorOf(() =>
        parseMapping([{ source_field: 'a', target_field: 'b', transform: { type: 'integer', round: 'up' } }]),
      ).message,
    ).toMatch(/must be one of "none", "round", "floor", "ceil", "trunc"/);
    expect(
      errorOf(() => parseMapping([{ target_field: 'b', transform: { type: 'lookup' } }])).message,
    ).toMatch(/needs the option "table"/);
  });

  it('checks rule shapes', () => {
    expect(errorOf(() => parseMapping([{ source_field: 'a' }])).message).toMatch(
      /rule 0: target_field is required/,
    );
    expect(errorOf(() => parseMapping([{ target_field: 'a' }])).message).toMatch(
      /needs one of source_field, constant or template/,
    );
    expect(
      errorOf(() => parseMapping([{ target_field: 'a', source_field: 'b', constant: 1 }])).message,
    ).toMatch(/use only one of/);
    expect(
      errorOf(() => parseMapping([{ target_field: 'a', source_field: 'b', optional: 'yes' }])).message,
    ).toMatch(/optional must be true or false/);
    expect(errorOf(() => parseMapping([{ target_field: 'a', source_field: [] }])).message).toMatch(
      /source_field is an empty list/,
    );
    expect(errorOf(() => parseMapping([{ target_field: 'a', source_field: 5 }])).message).toMatch(
      /source_field must be a string/,
    );
    expect(errorOf(() => parseMapping([42])).message).toMatch(/rule 0 must be an object/);
    expect(errorOf(() => parseMapping({ mappings: [] })).message).toMatch(/has no rules/);
    expect(errorOf(() => parseMapping('just text', undefined, readers)).message).toMatch(
      /a mapping must be an object with "mappings" or an array of rules/,
    );
    expect(
      errorOf(() =>
        parseMapping({ mappings: [{ source_field: 'a', target_field: 'b' }], passthrough: 'yes' }),
      ).message,
    ).toMatch(/passthrough must be true, false or a list/);
  });

  it('parses YAML safely: syntax errors with a line, no custom tags, bounded aliases', async () => {
    const syntax = await loadError(fixture('mappings', 'bad-yaml.yaml'));
    expect(syntax.code).toBe('SCM_MAPPING_INVALID');
    expect(syntax.message).toMatch(/bad-yaml\.yaml:\d+: cannot parse the mapping/);
    const tag = await loadError(fixture('mappings', 'custom-tag.yaml'));
    expect(tag.message).toMatch(
      /custom-tag\.yaml:2: cannot parse the mapping: mappings\[0\]\.source_field: tag "!!js\/function" is not allowed/,
    );
    const bomb = await loadError(fixture('mappings', 'alias-bomb.yaml'));
    expect(bomb.code).toBe('SCM_MAPPING_INVALID');
    expect(bomb.message).toMatch(/alias/i);
    expect(
      errorOf(() =>
        parseMapping(
          'mappings:\n  - source_field: a\n    source_field: b\n    target_field: c\n',
          undefined,
          readers,
        ),
      ).message,
    ).toMatch(/unique/i);
  });
});

describe('forbidden keys are rejected at load time', () => {
  const targets = [
    '__proto__.x',
    'properties.constructor.prototype',
    'a.prototype',
    'properties["__proto__"]',
    'assets.*.constructor',
    "a['prototype'].b",
  ];
  for (const target of targets) {
    it(`target ${target}`, () => {
      const error = errorOf(() => parseMapping([{ source_field: 'a', target_field: target }]));
      expect(error.code).toBe('SCM_MAPPING_INVALID');
      expect(error.message).toMatch(/is not allowed in a key path/);
      expect(error.details).toMatchObject({ rule: 0, field: 'target_field' });
    });
  }
  for (const source of ['__proto__', 'a.constructor', 'x.prototype.y', '$item.__proto__']) {
    it(`source ${source}`, () => {
      expect(errorOf(() => parseMapping([{ source_field: source, target_field: 'a' }])).message).toMatch(
        /is not allowed in a key path/,
      );
    });
  }
  it('in a file, with its line', async () => {
    const error = await loadError(fixture('mappings', 'proto-target.yaml'));
    expect(error.message).toMatch(/proto-target\.yaml:3: rule 0 .*"__proto__" is not allowed in a key path/);
  });
  it('in defaults, passthrough, fields and templates', () => {
    expect(() =>
      parseMapping({ mappings: [{ constant: 1, target_field: 'a' }], defaults: { 'constructor.x': 1 } }),
    ).toThrow(/not allowed/);
    expect(() =>
      parseMapping({ mappings: [{ constant: 1, target_field: 'a' }], passthrough: ['__proto__'] }),
    ).toThrow(/not allowed/);
    expect(() =>
      parseMapping({ mappings: [{ constant: 1, target_field: 'a' }], passthrough_target: 'prototype' }),
    ).toThrow(/not allowed/);
    expect(() =>
      parseMapping([
        { target_field: 'g', transform: { type: 'point_geometry', fields: ['__proto__', 'lat'] } },
      ]),
    ).toThrow(/not allowed/);
    expect(() => parseMapping([{ template: '{a.__proto__.b}', target_field: 'id' }])).toThrow(/not allowed/);
    expect(() =>
      parseMapping(JSON.parse('{"mappings":[{"source_field":"a","target_field":"b","__proto__":{"x":1}}]}')),
    ).toThrow(/unknown key "__proto__"/);
    expect(() =>
      parseMapping(JSON.parse('{"__proto__":{"x":1},"mappings":[{"source_field":"a","target_field":"b"}]}')),
    ).toThrow(/unknown top-level key/);
  });
});

describe('the published JSON Schema', () => {
  it('schema/mapping.schema.json is current (run `npm run schema` after changing transforms)', () => {
    const onDisk = readFileSync(new URL('../schema/mapping.schema.json', import.meta.url), 'utf8');
    expect(onDisk).toBe(`${JSON.stringify(mappingJsonSchema, null, 2)}\n`);
  });

  it('accepts the example mappings and rejects invalid ones', async () => {
    const validate = compileSchema(mappingJsonSchema, { formats: 'none' });
    const yaml = await import('yaml');
    for (const file of [
      fixture('scenario4', 'mapping.yaml'),
      new URL('../../../examples/astral/mapping.yaml', import.meta.url),
    ]) {
      const doc = yaml.parse(readFileSync(file, 'utf8'));
      expect(validate(doc), `${String(file)}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(
      validate([
        { source_field: 'a', target_field: 'b', transform: [{ type: 'datetime', formats: ['X'] }, 'string'] },
      ]),
    ).toBe(true);
    expect(validate([{ source_field: 'a' }])).toBe(false);
    expect(validate([{ source_field: 'a', target_field: 'b', bogus: 1 }])).toBe(false);
    expect(validate([{ source_field: 'a', target_field: 'b', transform: 'nubmer' }])).toBe(false);
    expect(
      validate([{ source_field: 'a', target_field: 'b', transform: { type: 'datetime', format: 'x' } }]),
    ).toBe(false);
    expect(validate([{ source_field: 'a', constant: 1, target_field: 'b' }])).toBe(false);
    expect(validate({ mappings: [], lookup_tables: { t: { file: 'x.csv', sheet: 1 } } })).toBe(false);
  });

  it('lists every transform', () => {
    const names = (
      mappingJsonSchema.definitions as { transformObject: { properties: { type: { enum: string[] } } } }
    ).transformObject.properties.type.enum;
    expect(names).toEqual(
      expect.arrayContaining([
        'string',
        'number',
        'integer',
        'boolean',
        'date',
        'datetime',
        'array',
        'first',
        'last',
        'join',
        'flatten',
        'nest',
        'scale',
        'lowercase',
        'uppercase',
        'trim',
        'lookup',
        'wkt_geometry',
        'geojson_geometry',
        'bbox_geometry',
        'point_geometry',
        'json',
      ]),
    );
  });
});
