import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stacSchemasDir } from '@scm/testing/schemas';
import { describe, expect, it } from 'vitest';
import { cli, stacValidatorOracle, tempDir, venvPython } from './helpers.js';

const repo = resolve(new URL('.', import.meta.url).pathname, '../../..');
const example = join(repo, 'examples/scenario4');
const oracle = stacValidatorOracle();

interface Feature {
  id: string;
  geometry: { type: string; coordinates: unknown };
  bbox: number[];
  properties: Record<string, unknown>;
}

async function scaffold(input: string): Promise<{
  code: number;
  items: Feature[];
  failures: Record<string, unknown>[];
  stdout: string;
  dir: string;
}> {
  const dir = tempDir('scm-scenario4-');
  const run = await cli([
    'scaffold-items',
    '--input',
    join(example, input),
    '--mapping-schema',
    join(example, 'mapping.yaml'),
    '--output-path',
    join(dir, 'items.json'),
  ]);
  const items = JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8')).features as Feature[];
  const failuresFile = join(dir, 'items.failed_items.ndjson');
  const failures = existsSync(failuresFile)
    ? readFileSync(failuresFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : [];
  return { code: run.code, items, failures, stdout: run.stdout, dir };
}

describe('PRD scenario 4: CSV records to STAC Items', () => {
  it('turns every good row into an Item and puts bad rows in the failures file with their line', async () => {
    const { code, items, failures, stdout } = await scaffold('data.csv');
    expect(code).toBe(1);
    expect(items.map((i) => i.id)).toEqual([
      'field-survey-2024-ds001',
      'field-survey-2024-ds002',
      'field-survey-2024-ds003',
      'field-survey-2024-ds005',
      'field-survey-2024-ds007',
    ]);
    const byLine = Object.fromEntries(failures.map((f) => [(f.error_context as { line: number }).line, f]));
    expect(Object.keys(byLine).map(Number).sort()).toEqual([5, 7, 9]);
    expect((byLine[5] as { error_type: string }).error_type).toBe('transformation_error');
    expect((byLine[5] as { error_message: string }).error_message).toMatch(/acquisition_date|datetime/);
    expect((byLine[7] as { error_message: string }).error_message).toMatch(/crosses or touches itself/);
    expect((byLine[9] as { error_context: { step: string } }).error_context.step).toBe('read');
    expect(stdout).toMatch(/Transformation audit/);
  });

  it('keeps custom fields in properties and parses the WKT geometry (quoted, with commas)', async () => {
    const { items } = await scaffold('data.csv');
    const first = items[0]!;
    expect(first.properties).toMatchObject({
      datetime: '2024-01-12T10:30:00Z',
      platform: 'sentinel-2a',
      cloud_cover: 12.5,
      notes: 'first pass, clear sky',
      dataset_id: 'DS001',
    });
    expect(first.geometry).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [-105.1, 39.2],
          [-104.9, 39.2],
          [-104.9, 39.4],
          [-105.1, 39.4],
          [-105.1, 39.2],
        ],
      ],
    });
    expect(first.bbox).toEqual([-105.1, 39.2, -104.9, 39.4]);
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));
    expect(byId['field-survey-2024-ds002']!.properties.datetime).toBe('2024-01-13T08:15:00Z');
    expect(byId['field-survey-2024-ds003']!.bbox).toEqual([-76.9426, 38.9869, 12.5, -76.9426, 38.9869, 12.5]);
    expect(byId['field-survey-2024-ds005']!.geometry.type).toBe('MultiPolygon');
    expect(byId['field-survey-2024-ds005']!.bbox).toEqual([170, -10, -170, 10]);
    expect(byId['field-survey-2024-ds005']!.properties.datetime).toBe('2024-01-15T07:00:00Z');
    expect(byId['field-survey-2024-ds007']!.properties.datetime).toBe('2024-01-17T14:00:00Z');
  });

  it('gives identical Items from CSV, JSON, NDJSON and Parquet', async () => {
    const runs = await Promise.all(
      ['data.csv', 'data.json', 'data.ndjson', 'data.parquet'].map((f) => scaffold(f)),
    );
    const [csv, ...others] = runs.map((r) => r.items);
    for (const items of others) expect(items).toEqual(csv);
  });

  it('passes our validator (validate command) on the scaffolded file', async () => {
    const { dir } = await scaffold('data.csv');
    const run = await cli(['validate', '--input', join(dir, 'items.json')]);
    expect(run.stdout).toMatch(/5 object\(s\): 5 valid, 0 invalid/);
    expect(run.code).toBe(0);
  });

  it.skipIf(oracle.skip)(
    'passes the Python stac-validator too (skipped without the .venv oracle)',
    async () => {
      const { dir } = await scaffold('data.csv');
      const run = await cli(['validate', '--engine', 'stac-validator', '--input', join(dir, 'items.json')], {
        env: { SCM_PYTHON_VENV: process.env.SCM_PYTHON_VENV },
      });
      expect(run.stderr).not.toMatch(/error|warn/i);
      expect(run.stdout).toMatch(/5 object\(s\): 5 valid, 0 invalid \(engine: stac-validator\)/);
      const split = execFileSync(
        venvPython,
        [
          '-W',
          'ignore',
          join(repo, 'tools/ci/stac_validator_offline.py'),
          stacSchemasDir,
          join(dir, 'items.json'),
        ],
        { encoding: 'utf8' },
      );
      expect(split).toMatch(/5 objects, 5 valid, 0 invalid/);
    },
  );
});

describe('the Astral example mapping', () => {
  it('scaffolds every sample location record into a valid Item', async () => {
    const dir = tempDir('scm-astral-');
    const run = await cli([
      'scaffold-items',
      '--input',
      join(repo, 'examples/astral/records.json'),
      '--mapping-schema',
      join(repo, 'examples/astral/mapping.yaml'),
      '--output-path',
      join(dir, 'items.ndjson'),
      '--records-key',
      'data',
    ]);
    expect(run.stdout).toMatch(/processed 2, succeeded 2, failed 0/);
    expect(run.code).toBe(0);
    const validate = await cli(['validate', '--input', join(dir, 'items.ndjson')]);
    expect(validate.code).toBe(0);
  });
});

describe('scaffold-items to stac-geoparquet', () => {
  it('writes the scenario 4 Items as one Parquet file that reads back to the same Items', async () => {
    const { items } = await scaffold('data.csv');
    const dir = tempDir('scm-scenario4-pq-');
    const run = await cli([
      'scaffold-items',
      '--input',
      join(example, 'data.csv'),
      '--mapping-schema',
      join(example, 'mapping.yaml'),
      '--output-path',
      join(dir, 'items.parquet'),
    ]);
    expect(run.stdout).toMatch(/succeeded 5, failed 3/);
    const back = await cli([
      'output',
      '--input',
      join(dir, 'items.parquet'),
      '--output-format',
      'ndjson',
      '--output-path',
      join(dir, 'nd'),
    ]);
    expect(back.stderr).not.toMatch(/error|warn/i);
    expect(back.stdout).toMatch(/5 item\(s\)/);
    const lines = readFileSync(join(dir, 'nd', 'field-survey-2024', 'items.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(items);
  });
});
