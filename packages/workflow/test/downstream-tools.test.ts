import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@scm/config';
import { integrationGate } from '@scm/testing/gate';
import { bundledSchemasDir } from '@scm/validate';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertCatalog, rebuildCatalog } from '../src/index.js';
import { missingPrerequisite, pgDsn, python, repoRoot } from './integration-env.js';

const quickstartData = join(repoRoot, 'examples/quickstart/data');

/** Rebuilds the quickstart into a temp folder (once for all downstream checks); `output` adds output settings. */
async function buildQuickstart(output = ''): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'scm-downstream-')), 'catalog');
  const yaml = `
workflow: { name: downstream }
source: { type: local_files, paths: [${quickstartData}/HLSS30_2.0.collection.json, ${quickstartData}/items.ndjson] }
output: { format: [json, ndjson], path: ${out}, catalog: { id: downstream, description: Downstream tool checks }${output} }
`;
  const config = parseConfig(yaml, join(out, '..', 'config.yaml'), { env: {} });
  const result = await rebuildCatalog(config, { mode: 'full' });
  expect(result.summary).toMatchObject({ succeeded: 24, failed: 0 });
  return out;
}

function suite(
  name: string,
  needs: Parameters<typeof missingPrerequisite>[0],
  body: (root: () => string) => void,
) {
  const gate = integrationGate(name, () => missingPrerequisite(needs));
  if (gate.skip) {
    describe(name, () => {
      it.skip(`skipped: ${gate.reason}`, () => {});
    });
    return;
  }
  describe(name, () => {
    let root = '';
    beforeAll(async () => {
      root = await buildQuickstart();
    });
    body(() => root);
  });
}

function stacValidator(folder: string): string {
  return execFileSync(
    python,
    ['-W', 'ignore', join(repoRoot, 'tools/ci/stac_validator_offline.py'), bundledSchemasDir(), folder],
    { encoding: 'utf8' },
  );
}

suite('the Python stac-validator', { python: ['stac_validator'] }, (root) => {
  it('agrees that every item and collection we wrote is valid', () => {
    expect(stacValidator(root())).toMatch(/stac-validator: 2[89] objects, 2[89] valid, 0 invalid/);
  });

  let published = '';
  beforeAll(async () => {
    published = await buildQuickstart(', base_url: "https://stac.example.com/downstream"');
  });

  it('agrees for the published catalog written with output.base_url (absolute links)', () => {
    const catalog = JSON.parse(readFileSync(join(published, 'catalog.json'), 'utf8'));
    expect(catalog.links[0]).toMatchObject({
      rel: 'self',
      href: 'https://stac.example.com/downstream/catalog.json',
    });
    expect(stacValidator(published)).toMatch(/stac-validator: 2[89] objects, 2[89] valid, 0 invalid/);
  });
});

suite('pystac', { python: ['pystac', 'jsonschema'] }, (root) => {
  it('opens the JSON tree and validate_all() passes', () => {
    const output = execFileSync(
      python,
      [
        '-W',
        'ignore',
        join(repoRoot, 'tools/python/pystac_validate_tree.py'),
        bundledSchemasDir(),
        join(root(), 'catalog.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(output).toMatch(/validate_all passed for 4 collections and 24 items/);
  });
});

suite('pypgstac into a real pgstac', { python: ['pypgstac', 'psycopg'], postgres: true }, (root) => {
  // pypgstac migrates a fresh database first: on a loaded 2-core machine that alone can take 30 s.
  it('loads our NDJSON; SQL gives back the same count, ids and items', { timeout: 180_000 }, () => {
    const written = new Map<string, Record<string, unknown>>();
    const ndjson = join(root(), 'ndjson');
    for (const collection of ['HLSS30_2.0', 'naip', 'sentinel-2-l2a', 'landsat-c2-l2']) {
      for (const line of readFileSync(join(ndjson, collection, 'items.ndjson'), 'utf8')
        .trim()
        .split('\n')) {
        const item = JSON.parse(line);
        written.set(item.id, item);
      }
    }
    const samples = [
      'HLS.S30.T13SFC.2022273T174141.v2.0',
      'vt_m_4307308_nw_18_030_20230622_20231113',
      'S2A_13TDE_20231008_0_L2A',
    ];
    const output = execFileSync(
      python,
      ['-W', 'ignore', join(repoRoot, 'tools/python/pgstac_roundtrip.py'), pgDsn, ndjson, ...samples],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const back = JSON.parse(output) as {
      count: number;
      ids: string[];
      collections: string[];
      items: Record<string, Record<string, unknown>>;
    };
    expect(back.count).toBe(written.size);
    expect(back.ids).toEqual([...written.keys()].sort());
    expect(back.collections).toEqual(['HLSS30_2.0', 'landsat-c2-l2', 'naip', 'sentinel-2-l2a']);
    for (const id of samples) {
      const ours = written.get(id)!;
      const theirs = back.items[id]!;
      // pgstac regenerates API links on the way out; everything else must come back as written.
      const { links: _ours, ...oursRest } = ours;
      const { links: _theirs, ...theirsRest } = theirs;
      expect(theirsRest).toEqual(oursRest);
    }
    writeFileSync(join(root(), '..', 'pgstac-readback.json'), output);
  });

  it('loads the collections scaffolded for items-only NDJSON, then every item', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'scm-downstream-')), 'ndjson');
    const result = await convertCatalog({
      input: join(quickstartData, 'items.ndjson'),
      outputFormat: 'ndjson',
      outputPath: target,
    });
    expect(result.scaffoldedCollections.sort()).toEqual([
      'HLSS30_2.0',
      'landsat-c2-l2',
      'naip',
      'sentinel-2-l2a',
    ]);
    const output = execFileSync(
      python,
      ['-W', 'ignore', join(repoRoot, 'tools/python/pgstac_roundtrip.py'), pgDsn, target],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const back = JSON.parse(output) as { count: number; collections: string[] };
    expect(back.count).toBe(24);
    expect(back.collections).toEqual(['HLSS30_2.0', 'landsat-c2-l2', 'naip', 'sentinel-2-l2a']);
  });
});
