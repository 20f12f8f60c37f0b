import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { isScmError, type StacItem } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { rebuildCatalog, validateFiles } from '../src/index.js';
import { repoRoot } from './integration-env.js';

const quickstartData = join(repoRoot, 'examples/quickstart/data');
const samples = join(repoRoot, '../shared/samples');

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
  it('passes the self-contained JSON tree written without base_url', async () => {
    const out = await rebuildQuickstart('format: [json]');
    const result = await validateFiles({ inputs: [out] });
    expect(result.text).toMatch(/^29 object\(s\): 29 valid, 0 invalid$/);
  });

  it('passes the published JSON tree written with base_url', async () => {
    const out = await rebuildQuickstart('format: [json], base_url: "https://stac.example.com/quickstart/"');
    const result = await validateFiles({ inputs: [out] });
    expect(result).toMatchObject({ total: 29, invalid: 0 });
  });

  it('reads stac-geoparquet back into Items and finds them valid', async () => {
    const out = await rebuildQuickstart('format: [parquet]');
    const report = join(out, '..', 'report.json');
    const result = await validateFiles({ inputs: [join(out, 'parquet')], reportPath: report });
    expect(result.text).toBe('0 object(s): 0 valid, 0 invalid');
  });
});
