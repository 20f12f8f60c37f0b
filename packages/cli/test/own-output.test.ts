import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const repo = resolve(new URL('.', import.meta.url).pathname, '../../..');
const quickstart = join(repo, 'examples/quickstart');

/** A copy of examples/quickstart (config and data) in a temp folder, so its output lands there. */
function quickstartCopy(): string {
  const dir = tempDir('scm-quickstart-');
  cpSync(join(quickstart, 'config.yaml'), join(dir, 'config.yaml'));
  cpSync(join(quickstart, 'data'), join(dir, 'data'), { recursive: true });
  return dir;
}

describe('rebuild-catalog on the quickstart, then validate on its output', () => {
  const dir = quickstartCopy();
  let rebuild: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    rebuild = await cli(['rebuild-catalog', '--config', join(dir, 'config.yaml')]);
  });

  it('exits 0: every object rebuild-catalog wrote passes our own validate', async () => {
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('succeeded 24, failed 0');
    const report = join(dir, 'report.json');
    const run = await cli(['validate', '--input', join(dir, 'output'), '--output-report', report]);
    expect(run.stdout).toBe('29 object(s): 29 valid, 0 invalid\n');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(report, 'utf8')).valid).toBe(true);
  });
});

describe('validate input kinds', () => {
  it('refuses a CSV input with exit 2, naming the file and what validate reads', async () => {
    const dir = tempDir();
    const csv = join(dir, 'records.csv');
    writeFileSync(csv, 'id,lon,lat\na,1,2\n');
    const run = await cli(['validate', '--input', csv]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(csv);
    expect(run.stderr).toContain('stac-geoparquet files');
    expect(run.stdout).toBe('');
  });
});

describe('validate on the stac-geoparquet that rebuild-catalog writes', () => {
  const dir = quickstartCopy();
  let rebuilt = -1;
  beforeAll(async () => {
    const config = readFileSync(join(dir, 'config.yaml'), 'utf8').replace(
      'format: [json, ndjson]',
      'format: [parquet]',
    );
    writeFileSync(join(dir, 'config.yaml'), config);
    rebuilt = (await cli(['rebuild-catalog', '--config', join(dir, 'config.yaml')])).code;
  });

  it('validates the stac-geoparquet that rebuild-catalog writes, as Items', async () => {
    expect(rebuilt).toBe(0);
    const run = await cli(['validate', '--input', join(dir, 'output', 'parquet', 'naip', 'items.parquet')]);
    expect(run.stdout).toMatch(/^([1-9]\d*) object\(s\): \1 valid, 0 invalid\n$/);
    expect(run.code).toBe(0);
  });
});

describe('validate runs extension checks', () => {
  const demoItem = (dir: string): string => {
    const item = JSON.parse(
      readFileSync(join(repo, 'packages/workflow/test/fixtures/dgeo-item.json'), 'utf8'),
    );
    item.stac_extensions = ['https://example.com/stac-extensions/demo/v1.0.0/schema.json'];
    item.properties['demo:label'] = 'checked';
    item.properties['demo:asset_count'] = 99;
    const file = join(dir, 'item.json');
    writeFileSync(file, JSON.stringify(item));
    return file;
  };

  it('runs a plugin named with --extension', async () => {
    const dir = tempDir();
    cpSync(join(repo, 'examples/plugin-extension'), join(dir, 'plugins', 'demo'), { recursive: true });
    const run = await cli([
      'validate',
      '--input',
      demoItem(dir),
      '--extension',
      'demo',
      '--extensions-dir',
      join(dir, 'plugins'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('/properties/demo:asset_count: demo:asset_count is 99 but the Item has');
  });

  it('runs the plugins a workflow config names, with --config', async () => {
    const dir = tempDir();
    cpSync(join(repo, 'examples/plugin-extension'), join(dir, 'demo'), { recursive: true });
    writeFileSync(
      join(dir, 'config.yaml'),
      `workflow: { name: check }
source: { type: local_files, paths: [item.json] }
extensions: [{ name: demo, module: ./demo, config: { label: checked } }]
output: { format: [json], path: out }
`,
    );
    const run = await cli(['validate', '--input', demoItem(dir), '--config', join(dir, 'config.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('/properties/demo:asset_count: demo:asset_count is 99');
  });
});
