// kill -9 of `rebuild-catalog --mode incremental|targeted` at a random point, then the same command with
// --resume: the catalog equals the one an uninterrupted run of the same command makes.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { StacItem } from '@scm/core';
import { type FakeStacApi, generateHlsItems, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const COLLECTION = 'HLSS30_2.0';
const COUNT = 600;
const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

/** Stamped HLS items, and the source after an edit: 1% changed, three deleted, three added. */
function sourceItems(): { original: StacItem[]; edited: StacItem[] } {
  const original = [...generateHlsItems({ collection: COLLECTION, count: COUNT, seed: 21 })];
  for (const [i, item] of original.entries())
    (item.properties as Record<string, unknown>).updated = new Date(
      Date.UTC(2024, 0, 1, 0, 0, i),
    ).toISOString();
  const edited = original.filter((_, i) => ![7, 300, 500].includes(i)).map((item) => structuredClone(item));
  for (const item of edited.slice(0, 6)) {
    (item.properties as Record<string, unknown>)['eo:cloud_cover'] = 42.5;
    (item.properties as Record<string, unknown>).updated = '2025-02-01T00:00:00.000Z';
  }
  const added = [...generateHlsItems({ collection: COLLECTION, count: 3, seed: 22 })].map((item) => ({
    ...item,
    id: `${item.id}-new`,
    properties: { ...item.properties, updated: '2025-02-01T00:00:00.000Z' },
  }));
  return { original, edited: [...edited, ...added] };
}

function writeConfig(dir: string, api: FakeStacApi, out: string): string {
  const path = join(dir, `${out}.yaml`);
  writeFileSync(
    path,
    `workflow: { name: kill-test }
source: { type: stac_api, catalog_url: ${api.apiUrl()}, collections: [${COLLECTION}], limit: 50 }
output: { format: [json, ndjson, parquet], path: ./${out}, parquet_partition: month }
processing: { concurrency: 2, rate_limit: 1000, retry_max_attempts: 3, timeout_s: 10 }
`,
  );
  return path;
}

/**
 * Every file of a catalog that describes items, as comparable text: item files byte for byte, NDJSON
 * lines as a sorted set, collection links sorted (both follow the order concurrent windows finished in).
 * stac-geoparquet files by name only: their rows are compared through {@link parquetContent}. Run records
 * (summary, report, state, logs) are left out.
 */
function catalogContent(root: string): Map<string, string> {
  const content = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (
        name.startsWith('.') ||
        /summary\.json$|report\.html$|report_record\.json$|\.log$|failed_items/.test(name)
      )
        continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.parquet')) content.set(rel, 'stac-geoparquet');
      else if (name.endsWith('.ndjson'))
        content.set(rel, readFileSync(path, 'utf8').split('\n').sort().join('\n'));
      else if (name === 'collection.json' || name === 'catalog.json') {
        const doc = JSON.parse(readFileSync(path, 'utf8')) as { links: { href: string }[] };
        doc.links.sort((a, b) => a.href.localeCompare(b.href));
        content.set(rel, JSON.stringify(doc));
      } else content.set(rel, readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return content;
}

/** The rows of a catalog's stac-geoparquet files, converted to NDJSON by the CLI and compared as text. */
async function parquetContent(dir: string, out: string): Promise<Map<string, string>> {
  const target = `${out}-parquet-rows`;
  const run = await cli(
    ['output', '--input', `${out}/parquet`, '--output-format', 'ndjson', '--output-path', target],
    {
      cwd: dir,
    },
  );
  expect(run.code, run.stderr).toBe(0);
  return catalogContent(join(dir, target));
}

/** Spawns the CLI, kills it with SIGKILL after a random delay (unless it ended first). */
async function killAtRandom(args: string[], cwd: string): Promise<string> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const delay = 500 + Math.floor(Math.random() * 3000);
  const timer = setTimeout(() => child.kill('SIGKILL'), delay);
  await exited;
  clearTimeout(timer);
  return `${child.signalCode ?? `exit ${child.exitCode}`} after ${delay} ms; ${stderr}`;
}

describe('rebuild-catalog killed with -9 at a random point, then --resume', () => {
  for (const mode of [
    ['incremental'],
    ['targeted', '--collection', COLLECTION, '--datetime', '2022-03-01T00:00:00Z/2022-09-01T00:00:00Z'],
  ]) {
    it(`${mode[0]}: the catalog equals an uninterrupted run's`, async () => {
      expect(existsSync(bin), 'the test target builds dist/ first').toBe(true);
      const { original, edited } = sourceItems();
      const api = await startFakeStacApi({
        collections: [{ id: COLLECTION, items: original }],
        searchExtensions: { filter: true, fields: true },
        latencyMs: 60,
      });
      apis.push(api);
      const dir = tempDir('scm-rebuild-kill-');
      const first = await cli(['rebuild-catalog', '--config', writeConfig(dir, api, 'a'), '--mode', 'full'], {
        cwd: dir,
      });
      expect(first.code, first.stderr).toBe(0);
      cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true });
      api.setItems(COLLECTION, edited);
      const args = (out: string) => [
        'rebuild-catalog',
        '--config',
        writeConfig(dir, api, out),
        '--mode',
        ...mode,
      ];
      const uninterrupted = await cli(args('a'), { cwd: dir });
      expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
      const killed = await killAtRandom(args('b'), dir);
      const resumed = await cli([...args('b'), '--resume'], { cwd: dir });
      expect(resumed.code, `${killed}\n${resumed.stderr}`).toBe(0);
      expect(catalogContent(join(dir, 'b')), killed).toEqual(catalogContent(join(dir, 'a')));
      expect(await parquetContent(dir, 'b'), killed).toEqual(await parquetContent(dir, 'a'));
    }, 600_000);
  }
});
