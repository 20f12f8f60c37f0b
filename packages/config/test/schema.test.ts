import { readFileSync } from 'node:fs';
import { compileSchema } from '@scm/validate';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../src/index.js';
import { fixture } from './helpers.js';

const schemaFile = new URL('../schema/config.schema.json', import.meta.url);

describe('config.schema.json', () => {
  it('is up to date with the TypeScript source (run `npm run schema` in packages/config)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(`${JSON.stringify(configJsonSchema, null, 2)}\n`);
  });

  it('is a draft-07 schema a plain validator accepts, and the valid fixtures pass it', () => {
    // Not strict, without the errorMessage keyword: what a plain editor or validator does with it.
    const validate = compileSchema(JSON.parse(readFileSync(schemaFile, 'utf8')));
    for (const name of ['valid.yaml', 'valid.json', 'minimal.yaml']) {
      const data = parse(readFileSync(fixture(name), 'utf8'));
      expect(validate(data), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(
      validate({ workflow: { name: 'n' }, source: { type: 'other' }, output: { path: 'o', formt: 1 } }),
    ).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(configJsonSchema)).toBe(true);
    expect(Object.isFrozen(configJsonSchema.properties)).toBe(true);
  });
});
