// rebuild-catalog with source.type stac_api, against the in-process fake STAC API.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeStacApi, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';
import { cli, tempDir } from './helpers.js';

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

function config(api: FakeStacApi, extra = ''): string {
  return `workflow: { name: harvest }
source:
  type: stac_api
  catalog_url: ${api.apiUrl('LPCLOUD')}
  collections: [HLSS30_2.0]
  limit: 50
${extra}output:
  format: [json, ndjson]
  path: out
  base_url: https://data.example.com/catalog/
validation: { level: strict }
processing: { concurrency: 4, rate_limit: 1000, retry_max_attempts: 9, timeout_s: 0.5 }
`;
}

function ndjsonIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id)
    .sort();
}

describe('rebuild-catalog with source.type stac_api', () => {
  it('harvests CMR-STAC-style pages at 10% faults into a catalog that validates', async () => {
    const api = await startFakeStacApi({
      style: 'cmr-stac',
      collections: [{ id: 'HLSS30_2.0', count: 400 }],
      faults: { rate: 0.1, seed: 11, retryAfterSeconds: 0, slowMs: 1000 },
    });
    apis.push(api);
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), config(api));
    const run = await cli(['rebuild-catalog', '--config', 'config.yaml'], { cwd: dir });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/processed 400, succeeded 400, failed 0/);
    const out = join(dir, 'out');
    expect(ndjsonIds(join(out, 'ndjson', 'HLSS30_2.0', 'items.ndjson'))).toEqual(
      [...api.itemIds('HLSS30_2.0')].sort(),
    );
    // The collection came from the API, not scaffolded from the items.
    expect(run.stdout).not.toMatch(/was not in the source/);
    expect(JSON.parse(readFileSync(join(out, 'HLSS30_2.0', 'collection.json'), 'utf8')).title).toBeDefined();
    const validate = await cli(['validate', '--input', 'out'], { cwd: dir });
    expect(validate.stdout).toMatch(/402 object\(s\): 402 valid, 0 invalid/);
    expect(validate.code, validate.stdout.slice(0, 3000)).toBe(0);
    expect(existsSync(join(dir, '.out.harvest'))).toBe(false);
  });

  it('source.filters.temporal limits the harvest; a wildcard collection is resolved by discovery', async () => {
    const api = await startFakeStacApi({
      style: 'earth-search',
      collections: [
        { id: 'HLSS30_2.0', count: 365, start: '2022-01-01T00:00:00Z', end: '2023-01-01T00:00:00Z' },
      ],
    });
    apis.push(api);
    const dir = tempDir();
    const text = config(
      api,
      '  filters: { temporal: { start_date: 2022-03-01, end_date: 2022-03-31 } }\n',
    ).replace('collections: [HLSS30_2.0]', "collections: ['HLS*']");
    writeFileSync(join(dir, 'config.yaml'), text);
    const run = await cli(['rebuild-catalog', '--config', 'config.yaml'], { cwd: dir });
    expect(run.code).toBe(0);
    const ids = ndjsonIds(join(dir, 'out', 'ndjson', 'HLSS30_2.0', 'items.ndjson'));
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.length).toBeLessThan(40);
  });

  it('interrupted during the harvest, --resume finishes the same catalog with every item once', async () => {
    const api = await startFakeStacApi({
      style: 'planetary-computer',
      collections: [{ id: 'HLSS30_2.0', count: 600 }],
      latencyMs: 3,
    });
    apis.push(api);
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), config(api));
    const controller = new AbortController();
    const stopAt = 4 + Math.floor(Math.random() * 10);
    const watcher = setInterval(() => {
      if (api.requests.length >= stopAt) controller.abort(new Error('SIGINT'));
    }, 2);
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
      signal: controller.signal,
    };
    const code = await runCli(['rebuild-catalog', '--config', 'config.yaml'], io).finally(() =>
      clearInterval(watcher),
    );
    expect(code, `stopped after ${stopAt} requests`).toBe(130);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(existsSync(join(dir, '.out.harvest', 'checkpoint.json'))).toBe(true);
    const resumed = await cli(['rebuild-catalog', '--config', 'config.yaml', '--resume'], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/processed 600, succeeded 600, failed 0/);
    expect(ndjsonIds(join(dir, 'out', 'ndjson', 'HLSS30_2.0', 'items.ndjson'))).toEqual(
      [...api.itemIds('HLSS30_2.0')].sort(),
    );
  });

  it('--dry-run harvests and validates but writes nothing beside the config', async () => {
    const api = await startFakeStacApi({
      style: 'earth-search',
      collections: [{ id: 'HLSS30_2.0', count: 80 }],
    });
    apis.push(api);
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), config(api));
    const run = await cli(['--dry-run', 'rebuild-catalog', '--config', 'config.yaml'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/processed 80, succeeded 80/);
    expect(readdirSync(dir)).toEqual(['config.yaml']);
  });
});
