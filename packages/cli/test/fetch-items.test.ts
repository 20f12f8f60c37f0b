// fetch-items end to end against the in-process fake STAC API of @scm/testing.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeStacApi, type FakeStacApiOptions, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';
import { type CliRun, tempDir } from './helpers.js';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function start(options: FakeStacApiOptions): Promise<FakeStacApi> {
  const api = await startFakeStacApi(options);
  apis.push(api);
  return api;
}

/** Runs the CLI in-process; `signal` plays Ctrl-C. */
async function cli(argv: string[], cwd: string, signal?: AbortSignal): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: {},
    cwd,
    ...(signal ? { signal } : {}),
  };
  return { code: await runCli(argv, io), stdout, stderr };
}

const FAST = ['--timeout', '0.5', '--max-attempts', '10', '--rate-limit', '0', '--concurrency', '4'];

function fetchArgs(api: FakeStacApi, output: string, extra: string[] = []): string[] {
  return [
    'fetch-items',
    '--catalog-url',
    api.apiUrl('LPCLOUD'),
    '--collection-id',
    'HLSS30_2.0',
    '--output-path',
    output,
    '--limit',
    '20',
    ...FAST,
    ...extra,
  ];
}

function ndjsonIds(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id)
    .sort();
}

function checkpointItems(path: string): number {
  try {
    const checkpoint = JSON.parse(readFileSync(path, 'utf8')) as { windows: { items: number }[] };
    return checkpoint.windows.reduce((sum, w) => sum + w.items, 0);
  } catch {
    return 0;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('fetch-items', () => {
  it('writes every item exactly once at 10% injected faults (NDJSON), exit 0, with a summary', async () => {
    const api = await start({
      style: 'cmr-stac',
      collections: [{ id: 'HLSS30_2.0', count: 600 }],
      faults: { rate: 0.1, seed: 3, retryAfterSeconds: 0, slowMs: 1000 },
    });
    const dir = tempDir();
    const run = await cli(fetchArgs(api, 'items.ndjson'), dir);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(ndjsonIds(join(dir, 'items.ndjson'))).toEqual([...api.itemIds('HLSS30_2.0')].sort());
    expect(run.stdout).toMatch(/fetch-items: processed 600, succeeded 600, failed 0/);
    expect(run.stdout).toMatch(/http: \d+ requests, [1-9]\d* retries/);
    expect(existsSync(join(dir, '.items.ndjson.harvest'))).toBe(false);
  });

  it('writes a FeatureCollection (json) and stac-geoparquet (parquet)', async () => {
    const api = await start({ style: 'earth-search', collections: [{ id: 'HLSS30_2.0', count: 120 }] });
    const dir = tempDir();
    expect((await cli(fetchArgs(api, 'items.json'), dir)).code).toBe(0);
    const collection = JSON.parse(readFileSync(join(dir, 'items.json'), 'utf8'));
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features).toHaveLength(120);
    const parquet = await cli(fetchArgs(api, 'items.parquet', ['--max-items', '50']), dir);
    expect(parquet.code).toBe(0);
    expect(readFileSync(join(dir, 'items.parquet')).subarray(0, 4).toString()).toBe('PAR1');
    expect(parquet.stdout).toMatch(/succeeded 50,/);
  });

  it('a page that keeps failing is an api_error in items.failed_items.ndjson; exit 1; --resume then completes it', async () => {
    const api = await start({
      style: 'earth-search',
      collections: [{ id: 'HLSS30_2.0', count: 200 }],
      // The first next-page request of whichever window asks first fails on all 3 attempts, and on all 3
      // of its one more try after the cool-down.
      faults: { rules: [{ match: (r) => r.url.includes('next='), faults: Array(6).fill('500') }] },
    });
    const dir = tempDir();
    const first = await cli(fetchArgs(api, 'items.ndjson', ['--max-attempts', '3']), dir);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/incomplete window: HLSS30_2.0 /);
    const failure = JSON.parse(readFileSync(join(dir, 'items.failed_items.ndjson'), 'utf8').split('\n')[0]!);
    expect(failure).toMatchObject({
      error_type: 'api_error',
      error_context: { step: 'fetch', details: { status: 500, attempts: 3 } },
    });
    expect(failure.error_context.details.url).toContain('http://127.0.0.1');
    const resumed = await cli(fetchArgs(api, 'items.ndjson', ['--resume']), dir);
    expect(resumed.code).toBe(0);
    expect(ndjsonIds(join(dir, 'items.ndjson'))).toEqual([...api.itemIds('HLSS30_2.0')].sort());
    // A fresh run over that output is refused unless the user says --overwrite.
    const again = await cli(fetchArgs(api, 'items.ndjson'), dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('SCM_OUTPUT_EXISTS');
    expect((await cli(fetchArgs(api, 'items.ndjson', ['--overwrite']), dir)).code).toBe(0);
  });

  it('interrupted at a random point (Ctrl-C), --resume gives every item exactly once', async () => {
    const api = await start({
      style: 'planetary-computer',
      collections: [{ id: 'HLSS30_2.0', count: 1500 }],
      latencyMs: 3,
    });
    const dir = tempDir();
    const stopAt = 5 + Math.floor(Math.random() * 40);
    const controller = new AbortController();
    const watcher = setInterval(() => {
      if (api.requests.length >= stopAt) controller.abort(new Error('SIGINT'));
    }, 2);
    const first = await cli(fetchArgs(api, 'items.ndjson'), dir, controller.signal).finally(() =>
      clearInterval(watcher),
    );
    expect(first.code, `stopped after ${stopAt} requests`).toBe(130);
    expect(existsSync(join(dir, 'items.ndjson'))).toBe(false);
    const resumed = await cli(fetchArgs(api, 'items.ndjson', ['--resume']), dir);
    expect(resumed.code).toBe(0);
    expect(ndjsonIds(join(dir, 'items.ndjson'))).toEqual([...api.itemIds('HLSS30_2.0')].sort());
    // A fresh run over that output is refused unless the user says --overwrite.
    const again = await cli(fetchArgs(api, 'items.ndjson'), dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('SCM_OUTPUT_EXISTS');
    expect((await cli(fetchArgs(api, 'items.ndjson', ['--overwrite']), dir)).code).toBe(0);
  });

  it('kill -9 of the CLI process at a random point, then --resume: no item lost, none duplicated', async () => {
    expect(existsSync(bin), 'the test target builds dist/ first').toBe(true);
    const api = await start({
      style: 'cmr-stac',
      collections: [{ id: 'HLSS30_2.0', count: 2000 }],
      latencyMs: 50,
    });
    const dir = tempDir();
    const checkpoint = join(dir, '.items.ndjson.harvest', 'checkpoint.json');
    const killAt = 100 + Math.floor(Math.random() * 900);
    const child = spawn(process.execPath, [bin, ...fetchArgs(api, 'items.ndjson', ['--concurrency', '2'])], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await until(
      () => checkpointItems(checkpoint) >= killAt || child.exitCode !== null,
      `${killAt} checkpointed items`,
    );
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode, `killed after ${killAt} items; ${stderr}`).toBe('SIGKILL');
    const resumed = await cli(fetchArgs(api, 'items.ndjson', ['--resume']), dir);
    expect(resumed.code).toBe(0);
    expect(ndjsonIds(join(dir, 'items.ndjson'))).toEqual([...api.itemIds('HLSS30_2.0')].sort());
    // A fresh run over that output is refused unless the user says --overwrite.
    const again = await cli(fetchArgs(api, 'items.ndjson'), dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('SCM_OUTPUT_EXISTS');
    expect((await cli(fetchArgs(api, 'items.ndjson', ['--overwrite']), dir)).code).toBe(0);
  });

  it('a bad flag is a usage error (exit 2) and nothing is written', async () => {
    const dir = tempDir();
    const run = await cli(
      [
        'fetch-items',
        '--catalog-url',
        'http://127.0.0.1:1/',
        '--collection-id',
        'c',
        '--output-path',
        'x.ndjson',
        '--max-items',
        '0',
      ],
      dir,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--max-items 0: expected a positive integer/);
    expect(existsSync(join(dir, 'x.ndjson'))).toBe(false);
  });
});
