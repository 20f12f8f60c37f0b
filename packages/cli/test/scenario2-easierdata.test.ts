/**
 * PRD scenario 2 (issue 11): clone a catalog shaped like EasierData's (a stac-fastapi-pgstac API serving
 * CMR-STAC HLS items, whose assets carry IPFS, Filecoin-style and S3 alternates) from the real local server
 * (tools/stac-server/) into a JSON tree organised by collection, with alternate-assets added. The Python
 * stac-validator (offline, the bundled schemas) passes every file and pystac walks the tree from its root;
 * then `update-metadata` changes a field on a selection, in place, and both oracles still accept the tree
 * while the items outside the selection stay byte-identical. Runs the built CLI; without the server or the
 * venv the suite is skipped with its reason (a failure under SCM_REQUIRE_INTEGRATION=1).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrationGate } from '@scm/testing/gate';
import { stacSchemasDir } from '@scm/testing/schemas';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempDir, venvPython } from './helpers.js';
import { BIG, run, serverUrl, stacServerUnavailable } from './shards-helpers.js';

const TIMEOUT_MS = 600_000;
const COLLECTIONS = ['HLSS30_2.0', BIG];
/** Five days around the two real CMR-STAC HLS items of 2022-09-30: a few dozen synthetic items beside them. */
const [START, END] = ['2022-09-28', '2022-10-02'];
const SELECTED_DAY = '2022-09-30';

const gate = integrationGate('EasierData-shaped clone (real STAC API, stac-validator, pystac)', () =>
  stacServerUnavailable(),
);

function writeFiles(dir: string, out: string): { config: string; updates: string } {
  const config = join(dir, 'easierdata.yaml');
  writeFileSync(
    config,
    `workflow: { name: easierdata-clone }
source:
  type: stac_api
  catalog_url: ${serverUrl}
  collections: [${COLLECTIONS.join(', ')}]
  filters: { temporal: { start_date: "${START}", end_date: "${END}" } }
extensions:
  - name: alternate-assets
    config:
      version: "1.2.0"
      roles: [data]
      alternates:
        - key: IPFS
          match: '^https://data\\.lpdaac\\.earthdatacloud\\.nasa\\.gov/(?<path>.*)$'
          href: https://gateway.example.org/ipfs/{collection}/{path}
        - key: s3
          name: S3
          prefix: https://data.lpdaac.earthdatacloud.nasa.gov/
          replace_prefix: "s3://"
output:
  format: [json]
  path: ${out}
  organize_by: collection
  catalog: { id: easierdata-clone, description: HLS items cloned from a STAC API with IPFS and S3 alternates }
processing: { concurrency: 4 }
`,
  );
  const updates = join(dir, 'updates.yaml');
  writeFileSync(
    updates,
    `updates:
  - select: { collection: ${BIG}, datetime: ${SELECTED_DAY}T00:00:00Z/${SELECTED_DAY}T23:59:59Z }
    set:
      properties.ipfs_pinned: true
      properties.ipfs_gateway: "https://gateway.example.org/ipfs/{collection_id}/{item_id}"
`,
  );
  return { config, updates };
}

/** Every item file of the tree (`<collection>/<id>/<id>.json`) and its text. */
function itemFiles(out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const collection of COLLECTIONS) {
    for (const entry of readdirSync(join(out, collection), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(out, collection, entry.name, `${entry.name}.json`);
      files.set(path, readFileSync(path, 'utf8'));
    }
  }
  return files;
}

/** The Python stac-validator over the whole tree: its final count line. */
function stacValidator(out: string): string {
  const printed = execFileSync(
    venvPython,
    ['-W', 'ignore', join(repoRoot, 'tools/ci/stac_validator_offline.py'), stacSchemasDir, out],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  return printed.trim().split('\n').at(-1) ?? '';
}

/** pystac opens the root catalog and walks it: the collections, and each item with the collection it links to. */
function pystacWalk(out: string): { collections: string[]; items: string[] } {
  const script = `import json, sys, pystac
root = pystac.Catalog.from_file(sys.argv[1])
collections = sorted(child.id for child in root.get_children())
items = sorted(f"{item.get_collection().id}/{item.id}" for item in root.get_items(recursive=True))
print(json.dumps({"collections": collections, "items": items}))`;
  return JSON.parse(
    execFileSync(venvPython, ['-c', script, join(out, 'catalog.json')], { encoding: 'utf8' }),
  );
}

/** `collection/id` of each item file, as pystac names them. */
function treeItemNames(files: Map<string, string>): string[] {
  return [...files.values()]
    .map((text) => JSON.parse(text) as { id: string; collection: string })
    .map((item) => `${item.collection}/${item.id}`)
    .sort();
}

describe('scenario 2: an EasierData-shaped catalog cloned from a STAC API, then updated', () => {
  it.skipIf(gate.skip)(
    gate.title('stac-validator and pystac accept the JSON tree before and after update-metadata'),
    async () => {
      const dir = tempDir('scm-scenario2-');
      const out = join(dir, 'catalog');
      const { config, updates } = writeFiles(dir, out);

      const rebuilt = await run(['rebuild-catalog', '--config', config, '--mode', 'full'], dir);
      expect(rebuilt.stderr).toBe('');
      expect(rebuilt.code).toBe(0);
      const before = itemFiles(out);
      const items = [...before.values()].map((text) => JSON.parse(text));
      expect(new Set(items.map((item) => item.collection))).toEqual(new Set(COLLECTIONS));
      expect(items.length).toBeGreaterThan(10);
      for (const item of items) {
        expect(item.stac_extensions).toContain(
          'https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json',
        );
        const data = Object.values(
          item.assets as Record<string, { roles?: string[]; href: string; alternate?: object }>,
        ).filter((asset) => asset.roles?.includes('data') && asset.href.startsWith('https://data.lpdaac'));
        expect(data.length).toBeGreaterThan(0);
        for (const asset of data) expect(Object.keys(asset.alternate ?? {}).sort()).toEqual(['IPFS', 's3']);
      }
      const objects = before.size + COLLECTIONS.length + 1;
      expect(stacValidator(out)).toBe(`stac-validator: ${objects} objects, ${objects} valid, 0 invalid`);
      expect(pystacWalk(out)).toEqual({ collections: [...COLLECTIONS].sort(), items: treeItemNames(before) });

      const updateStarted = Math.floor(Date.now() / 1000) * 1000;
      const updated = await run(
        ['update-metadata', '--input', out, '--updates', updates, '--output-path', out],
        dir,
      );
      expect(updated.stderr).toBe('');
      expect(updated.code).toBe(0);
      const after = itemFiles(out);
      const changed = [...after]
        .filter(([path, text]) => before.get(path) !== text)
        .map(([, text]) => JSON.parse(text));
      const selected = items.filter(
        (item) => item.collection === BIG && String(item.properties.datetime).startsWith(SELECTED_DAY),
      );
      expect(selected.length).toBeGreaterThan(0);
      expect(changed.map((item) => item.id).sort()).toEqual(selected.map((item) => item.id).sort());
      for (const item of changed) {
        expect(item.properties.ipfs_pinned).toBe(true);
        expect(item.properties.ipfs_gateway).toBe(`https://gateway.example.org/ipfs/${BIG}/${item.id}`);
        expect(Date.parse(item.properties.updated)).toBeGreaterThanOrEqual(updateStarted);
      }
      expect(stacValidator(out)).toBe(`stac-validator: ${objects} objects, ${objects} valid, 0 invalid`);
      expect(pystacWalk(out)).toEqual({ collections: [...COLLECTIONS].sort(), items: treeItemNames(after) });
    },
    TIMEOUT_MS,
  );
});
