/**
 * Cross-checks the output with the Python tools that consume it: pystac walks
 * the JSON tree (and the core STAC 1.0.0 schemas are checked offline with
 * jsonschema), and pypgstac's own NDJSON reader reads the NDJSON files.
 *
 * Needs a Python virtual environment with pystac, jsonschema and pypgstac:
 * `<repo>/.venv` by default, or the folder in SCM_PYTHON_VENV. Without it the
 * tests are skipped with the reason printed, unless SCM_REQUIRE_INTEGRATION=1,
 * where a missing environment fails the run. Full schema validation
 * (extensions included, which needs the network) is left to stac-validator in CI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StacCollection, StacItem } from '@scm/core';
import { integrationGate } from '@scm/testing/gate';
import { stacSchemasDir } from '@scm/testing/schemas';
import { describe, expect, it } from 'vitest';
import { createJsonTreeWriter, createNdjsonWriter, type OrganizeBy, safePathSegment } from '../src/index.js';
import { goldenInput, sample, tempDir } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const venv = process.env.SCM_PYTHON_VENV ?? join(repoRoot, '.venv');
const python = join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const here = fileURLToPath(new URL('.', import.meta.url));

/** Why the Python tools cannot run here, or undefined when they can. */
function unavailable(modules: string): string | undefined {
  if (!existsSync(python)) return `no Python at ${python} (set SCM_PYTHON_VENV or create <repo>/.venv)`;
  const probe = spawnSync(python, ['-c', `import ${modules}`], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `${python} cannot import ${modules}: ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

function runPython<T>(script: string, args: string[]): T {
  const run = spawnSync(python, [join(here, 'python', script), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONWARNINGS: 'ignore' },
  });
  if (run.status !== 0) throw new Error(`${script} failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

const treeGate = integrationGate('[@scm/output-json] pystac cross-check', () =>
  unavailable('pystac, jsonschema, referencing, jsonschema_specifications'),
);
const pgstacGate = integrationGate('[@scm/output-json] pypgstac cross-check', () =>
  unavailable('pypgstac.load'),
);

interface TreeReport {
  catalog: string;
  children: string[];
  items: {
    id: string;
    self: string;
    self_exists: boolean;
    collection: string | null;
    parent: string | null;
  }[];
  schema_errors: string[];
  schema_checked: number;
}

async function writeTree(organizeBy: OrganizeBy, extra: StacItem[] = [], collections: StacCollection[] = []) {
  const root = join(await tempDir(), 'tree');
  const writer = createJsonTreeWriter({ root, organizeBy });
  const input = goldenInput();
  for (const collection of [...input.collections, ...collections]) await writer.writeCollection(collection);
  for (const item of [...input.items, ...extra]) await writer.writeItem(item);
  const result = await writer.finish();
  return { root, result };
}

describe('Python tools read the output', () => {
  for (const organizeBy of ['collection', 'catalog'] as const) {
    it.skipIf(treeGate.skip)(
      `pystac walks the ${organizeBy} layout and every object passes the core schema offline (needs ${venv} with pystac)`,
      async () => {
        const collectionless = sample<StacItem>('stac-spec-collectionless-item.json');
        const { root, result } = await writeTree(organizeBy, [collectionless]);
        const report = runPython<TreeReport>('check_tree.py', [root, stacSchemasDir]);
        expect(report.schema_errors).toEqual([]);
        expect(report.schema_checked).toBe(result.files.length);
        expect(report.catalog).toBe('catalog');
        expect(report.children).toEqual(['landsat-c2-l2', 'simple-collection']);
        expect(report.items).toHaveLength(5);
        for (const item of report.items) {
          expect(item.self_exists).toBe(true);
          expect(result.files).toContain(item.self);
        }
        const byId = Object.fromEntries(report.items.map((item) => [item.id, item]));
        expect(byId['20201211_223832_CS2']).toMatchObject({
          collection: 'simple-collection',
          parent: organizeBy === 'collection' ? 'simple-collection' : 'catalog',
        });
        expect(byId['CS3-20160503_132131_08']).toMatchObject({ collection: null, parent: 'catalog' });
      },
    );
  }

  it.skipIf(treeGate.skip)(
    `pystac finds items with unsafe ids at the file their self link names (needs ${venv} with pystac)`,
    async () => {
      const ids = ['../../escape', 'a/b', '..', '.', 'con', 'x'.repeat(300), 'é ü', 'ABC', 'abc'];
      const base = sample<StacItem>('stac-spec-core-item.json');
      const evilCollection = { ...sample<StacCollection>('stac-spec-collection.json'), id: '../evil/c' };
      const extra = ids.map((id) => ({ ...base, id, collection: '../evil/c' }));
      const { root } = await writeTree('collection', extra, [evilCollection]);
      const report = runPython<TreeReport>('check_tree.py', [root, stacSchemasDir]);
      expect(report.schema_errors).toEqual([]);
      const evil = report.items.filter((item) => item.collection === '../evil/c');
      expect(evil.map((item) => item.id).sort()).toEqual([...ids].sort());
      for (const item of evil) {
        expect(item.self_exists).toBe(true);
        expect(item.self.startsWith(`${safePathSegment('../evil/c')}/`)).toBe(true);
      }
    },
  );

  it.skipIf(pgstacGate.skip)(
    `pypgstac's reader loads the NDJSON unchanged, one record per id (needs ${venv} with pypgstac)`,
    async () => {
      const root = join(await tempDir(), 'nd');
      const writer = createNdjsonWriter({ root });
      const { collections, items } = goldenInput();
      for (const collection of collections) await writer.writeCollection(collection);
      for (const item of [...items, ...items]) await writer.writeItem(item);
      const tricky = {
        ...items[3]!,
        id: 'back\\slash',
        properties: { ...items[3]!.properties, note: 'C:\\new\\t' },
      };
      await writer.writeItem(tricky);
      const result = await writer.finish();
      expect(result.duplicatesDropped).toBe(4);
      const report = runPython<
        Record<string, { records: number; same_as_json: boolean; unique_ids: boolean }>
      >(
        'check_ndjson.py',
        result.files.map((file) => join(root, file)),
      );
      expect(Object.values(report).map((file) => file.records)).toEqual([2, 3, 2]);
      for (const file of Object.values(report)) {
        expect(file.same_as_json).toBe(true);
        expect(file.unique_ids).toBe(true);
      }
    },
  );
});
