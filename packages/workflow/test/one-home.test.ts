import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { isScmError, type ScmError } from '@scm/core';
import { loadMapping } from '@scm/transform';
import { describe, expect, it } from 'vitest';
import { MAPPING_READERS, readSafeYaml, scaffoldFiles, transformFiles } from '../src/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'scm-one-home-'));
}

function ndjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Item id -> geometry of the records a command wrote, and the ids it failed. */
function outcome(out: string, failures: string): { geometries: Map<string, unknown>; failed: string[] } {
  const geometries = new Map(ndjson(out).map((r) => [String(r.id), r.geometry]));
  let failed: string[] = [];
  try {
    failed = ndjson(failures)
      .map((f) => String(f.item_id))
      .sort();
  } catch {
    // No failures file: nothing failed.
  }
  return { geometries, failed };
}

const WKT_ROWS: [string, string][] = [
  ['plain', 'POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))'],
  ['srid4326', 'SRID=4326;POINT(1 2)'],
  ['srid4979', 'SRID=4979;POINT Z (1 2 3)'],
  ['srid3857', 'SRID=3857;POINT(100000 200000)'],
  ['measure', 'POINT M (1 2 3)'],
  ['leading-dot', 'POINT(.5 1)'],
  ['empty', 'POINT EMPTY'],
  ['broken', 'POLYGON((0 0, 1 0'],
];

describe('scaffold-items and transform read WKT with the one reader', () => {
  it('accept and refuse the same values, SRID 4326 and 4979 included, and give the same geometries', async () => {
    const dir = tempDir();
    const csv = ['id,wkt', ...WKT_ROWS.map(([id, wkt]) => `${id},"${wkt}"`)].join('\n');
    writeFileSync(join(dir, 'records.csv'), `${csv}\n`);
    const rules = (geometry: string): string => `mappings:
  - { source_field: id, target_field: id }
  - { source_field: wkt, target_field: geometry${geometry} }
  - { target_field: properties.datetime, constant: "2024-01-01T00:00:00Z" }
`;
    writeFileSync(join(dir, 'scaffold.yaml'), rules(''));
    writeFileSync(join(dir, 'transform.yaml'), rules(', transform: wkt_geometry'));
    const common = { input: ['records.csv'], cwd: dir, logger: undefined };
    await scaffoldFiles({ ...common, mappingPath: 'scaffold.yaml', outputPath: 'scaffolded.ndjson' });
    await transformFiles({ ...common, mappingPath: 'transform.yaml', outputPath: 'transformed.ndjson' });
    const scaffolded = outcome(join(dir, 'scaffolded.ndjson'), join(dir, 'scaffolded.failed_items.ndjson'));
    const transformed = outcome(
      join(dir, 'transformed.ndjson'),
      join(dir, 'transformed.failed_items.ndjson'),
    );

    expect(transformed.failed).toEqual(['broken', 'empty', 'leading-dot', 'srid3857']);
    expect(scaffolded.failed).toEqual(transformed.failed);
    expect([...scaffolded.geometries.keys()].sort()).toEqual([...transformed.geometries.keys()].sort());
    for (const [id, geometry] of transformed.geometries)
      expect(scaffolded.geometries.get(id), id).toEqual(geometry);
    expect(transformed.geometries.get('srid4979')).toEqual({ type: 'Point', coordinates: [1, 2, 3] });
  });
});

/** How a reader refused a file. */
async function refusal(read: () => Promise<unknown>): Promise<ScmError> {
  try {
    await read();
  } catch (error) {
    if (isScmError(error)) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

const ALIAS_BOMB = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`;

const PROTO_KEY = `workflow:
  name: demo
__proto__:
  polluted: true
`;

describe('config, mapping and record-command files share one safe YAML reader', () => {
  it.each([
    ['an alias bomb', ALIAS_BOMB, 'SCM_CONFIG_PARSE', 1, 'aliases expand to too many nodes (limit 100)'],
    ['a __proto__ key', PROTO_KEY, 'SCM_CONFIG_INVALID', 3, '__proto__: key "__proto__" is not allowed'],
  ])('%s is refused the same way in all three', async (_what, text, code, line, message) => {
    const dir = tempDir();
    const file = join(dir, 'file.yaml');
    writeFileSync(file, text);
    const config = await refusal(async () => parseConfig(text, file, { env: {} }));
    const command = await refusal(() => readSafeYaml(file));
    const mapping = await refusal(() => loadMapping(file, MAPPING_READERS));
    expect(config.code).toBe(code);
    expect(config.message).toContain(`${file}:${line}:1 ${message}`);
    expect(command.code).toBe(config.code);
    expect(command.message).toBe(config.message);
    expect(mapping.code).toBe('SCM_MAPPING_INVALID');
    expect(mapping.message).toBe(`${file}:${line}: cannot parse the mapping: ${message}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
