import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { isScmError, type StacItem } from '@scm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rebuildCatalog, validateFiles } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const quickstartData = join(repoRoot, 'examples/quickstart/data');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'scm-validate-'));
}

/** Rebuilds the quickstart's data into a new folder with the given output settings. */
async function rebuildQuickstart(output: string): Promise<string> {
  const out = join(tempDir(), 'out');
  const yaml = `
workflow: { name: validate-own-output }
source: { type: local_files, paths: [${quickstartData}/HLSS30_2.0.collection.json, ${quickstartData}/items.ndjson] }
output: { path: ${out}, ${output} }
`;
  const result = await rebuildCatalog(parseConfig(yaml, join(out, '..', 'config.yaml'), { env: {} }), {
    mode: 'full',
  });
  expect(result.summary).toMatchObject({ succeeded: 24, failed: 0 });
  return out;
}

describe('validate accepts what rebuild-catalog writes', () => {
  // Each output is built once, in a hook (hooks have the longer timeout: a rebuild is the slow part).
  const outputs = { tree: '', published: '', parquet: '' };
  beforeAll(async () => {
    outputs.tree = await rebuildQuickstart('format: [json]');
  });
  beforeAll(async () => {
    outputs.published = await rebuildQuickstart(
      'format: [json], base_url: "https://stac.example.com/quickstart/"',
    );
  });
  beforeAll(async () => {
    outputs.parquet = await rebuildQuickstart('format: [parquet]');
  });

  it('passes the self-contained JSON tree written without base_url', async () => {
    const out = outputs.tree;
    const result = await validateFiles({ inputs: [out] });
    expect(result.text).toMatch(/^29 object\(s\): 29 valid, 0 invalid$/);
  });

  it('passes the published JSON tree written with base_url', async () => {
    const out = outputs.published;
    const result = await validateFiles({ inputs: [out] });
    expect(result).toMatchObject({ total: 29, invalid: 0 });
    const catalog = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8'));
    expect(catalog.links.map((l: { href: string }) => l.href)).toContain(
      'https://stac.example.com/quickstart/naip/collection.json',
    );
  });

  it('reads stac-geoparquet back into Items and finds them valid', async () => {
    const out = outputs.parquet;
    const report = join(out, '..', 'report.json');
    const result = await validateFiles({ inputs: [join(out, 'parquet')], reportPath: report });
    expect(result.text).toBe('28 object(s): 28 valid, 0 invalid');
    const lines = JSON.parse(readFileSync(report, 'utf8')).reports as {
      file: string;
      line?: number;
      type: string;
    }[];
    const naip = lines.filter((l) => l.file === join(out, 'parquet', 'naip', 'items.parquet'));
    expect(naip.map((l) => [l.type, l.line])).toEqual(naip.map((_, index) => ['Feature', index + 1]));
    expect(naip.length).toBeGreaterThan(0);
  });

  it('reads one stac-geoparquet file given on its own', async () => {
    const out = outputs.parquet;
    const result = await validateFiles({ inputs: [join(out, 'parquet', 'HLSS30_2.0', 'items.parquet')] });
    expect(result).toMatchObject({ invalid: 0 });
    expect(result.total).toBeGreaterThan(0);
  });
});

describe('validate refuses CSV', () => {
  it('names the file and says what validate reads, before writing any report', async () => {
    const dir = tempDir();
    const csv = join(dir, 'records.csv');
    writeFileSync(csv, 'id,lon,lat\na,1,2\n');
    const report = join(dir, 'report.json');
    const error = await validateFiles({
      inputs: [join(quickstartData, 'items.ndjson'), csv],
      reportPath: report,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isScmError(error) && error.code).toBe('SCM_USAGE');
    expect((error as Error).message).toContain(csv);
    expect((error as Error).message).toMatch(
      /validate reads JSON or NDJSON files of STAC objects, stac-geoparquet/,
    );
    expect(existsSync(report)).toBe(false);
  });
});

describe('validate refuses CSV in a folder', () => {
  it('finds it before reading anything', async () => {
    const dir = tempDir();
    cpSync(join(quickstartData, 'items.ndjson'), join(dir, 'items.ndjson'));
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'records.csv'), 'id,lon,lat\na,1,2\n');
    await expect(validateFiles({ inputs: [dir] })).rejects.toMatchObject({
      code: 'SCM_USAGE',
      message: expect.stringContaining(join(dir, 'more', 'records.csv')),
    });
  });
});

describe('validate runs the checks of the extensions objects declare', () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'dgeo-item.json');

  function writeDgeoItem(change: (item: StacItem) => void): string {
    const item = JSON.parse(readFileSync(fixture, 'utf8')) as StacItem;
    change(item);
    const file = join(tempDir(), 'item.json');
    writeFileSync(file, JSON.stringify(item));
    return file;
  }

  it('accepts the real dgeo item as it is', async () => {
    const result = await validateFiles({ inputs: [fixture] });
    expect(result.text).toBe('1 object(s): 1 valid, 0 invalid');
  });

  it('reports an asset dgeo:cid missing from dgeo:cids at its JSON path', async () => {
    const file = writeDgeoItem((item) => {
      item.assets.red!['dgeo:cid'] = 'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyk2';
    });
    const report = join(tempDir(), 'report.json');
    const result = await validateFiles({ inputs: [file], reportPath: report });
    expect(result.invalid).toBe(1);
    const written = JSON.parse(readFileSync(report, 'utf8'));
    expect(written.reports[0].errors).toContainEqual(
      expect.objectContaining({
        path: '/assets/red/dgeo:cid',
        message: expect.stringContaining('missing from /properties/dgeo:cids'),
        severity: 'error',
      }),
    );
  });
});

describe('validate runs plugin checks', () => {
  it('runs the checkObject of a plugin named in extensions, without needing its config', async () => {
    const extensionsDir = tempDir();
    cpSync(join(repoRoot, 'examples/plugin-extension'), join(extensionsDir, 'demo'), { recursive: true });
    const item = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'dgeo-item.json'), 'utf8'));
    item.stac_extensions = ['https://example.com/stac-extensions/demo/v1.0.0/schema.json'];
    item.properties['demo:label'] = 'checked';
    item.properties['demo:asset_count'] = 99;
    const file = join(tempDir(), 'item.json');
    writeFileSync(file, JSON.stringify(item));
    const report = join(tempDir(), 'report.json');
    const result = await validateFiles({
      inputs: [file],
      reportPath: report,
      extensions: ['demo'],
      extensionsDir,
    });
    expect(result.invalid).toBe(1);
    expect(JSON.parse(readFileSync(report, 'utf8')).reports[0].errors).toEqual([
      {
        path: '/properties/demo:asset_count',
        message: `demo:asset_count is 99 but the Item has ${Object.keys(item.assets).length} assets`,
        kind: 'demo',
        severity: 'error',
      },
    ]);
  });
});

describe('validate checks alternate assets through the extension', () => {
  // A real Item with alternate-assets v1.2.0 (shared/samples/easierdata/synthetic/item-HLSS30_2.0-alternate-assets.json,
  // copied unchanged); @scm/validate has no alternate-assets rule of its own, so these issues come from the
  // extension's checkObject, composed here with the built-in extensions.
  const sample = join(import.meta.dirname, 'fixtures', 'easierdata-item-alternate-assets.json');

  async function issuesOf(item: Record<string, unknown>) {
    const file = join(tempDir(), 'item.json');
    writeFileSync(file, JSON.stringify(item));
    const report = join(tempDir(), 'report.json');
    const result = await validateFiles({ inputs: [file], reportPath: report });
    const errors = JSON.parse(readFileSync(report, 'utf8')).reports[0].errors as {
      kind: string;
      path: string;
    }[];
    return { result, errors: errors.map((e) => `${e.kind} ${e.path}`) };
  }

  it('accepts the sample as published', async () => {
    const { result } = await issuesOf(JSON.parse(readFileSync(sample, 'utf8')));
    expect(result).toMatchObject({ total: 1, invalid: 0 });
  });

  it('reports, once each, an alternate without href, an empty alternate map and an empty alternate:name', async () => {
    const item = JSON.parse(readFileSync(sample, 'utf8'));
    const [first, second, third] = Object.keys(item.assets);
    delete item.assets[first].alternate.IPFS.href;
    item.assets[second].alternate = {};
    item.assets[third]['alternate:name'] = '';
    const { result, errors } = await issuesOf(item);
    expect(result.invalid).toBe(1);
    expect(errors).toEqual([
      `alternate_assets /assets/${first}/alternate/IPFS/href`,
      `alternate_assets /assets/${second}/alternate`,
      `alternate_assets /assets/${third}/alternate:name`,
    ]);
  });

  it('reports a malformed alternate href as an unusable asset href', async () => {
    const item = JSON.parse(readFileSync(sample, 'utf8'));
    const [first] = Object.keys(item.assets);
    item.assets[first].alternate.IPFS.href = 'https://gateway.example.com/ipfs/a file.tif';
    const { errors } = await issuesOf(item);
    expect(errors).toEqual([`asset_href /assets/${first}/alternate/IPFS/href`]);
  });
});
