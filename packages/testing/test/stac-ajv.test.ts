import { describe, expect, it } from 'vitest';
import { coreErrors, createStacAjv, schemaErrors, stacSchemasDir } from '../src/index.js';

const item = {
  type: 'Feature',
  stac_version: '1.0.0',
  id: 'a',
  geometry: { type: 'Point', coordinates: [1, 2] },
  bbox: [1, 2, 1, 2],
  properties: { datetime: '2024-01-01T00:00:00Z' },
  links: [],
  assets: {},
};

describe('createStacAjv', () => {
  it('checks objects against the core schema picked by type and version', () => {
    const ajv = createStacAjv({ schemaDirs: [stacSchemasDir] });
    expect(coreErrors(ajv, item)).toEqual([]);
    expect(coreErrors(ajv, { ...item, properties: {} }).join('\n')).toMatch(/datetime/);
  });
  it('checks objects against an extra schema by URI', () => {
    const extra = { $id: 'https://example.com/demo/schema.json', type: 'object', required: ['demo'] };
    const ajv = createStacAjv({ schemaDirs: [], extra: [extra] });
    expect(schemaErrors(ajv, 'https://example.com/demo/schema.json', {})).toEqual([
      "/ must have required property 'demo'",
    ]);
    expect(() => schemaErrors(ajv, 'https://example.com/none.json', {})).toThrow(/no schema/);
  });
});
