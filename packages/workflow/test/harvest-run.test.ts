import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFailure, type Progress, type StacItem } from '@scm/core';
import { type FakeStacApi, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkpointedHarvest,
  createApiClient,
  type HarvestReport,
  harvestStateDir,
} from '../src/harvest-run.js';

const apis: FakeStacApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function run(api: FakeStacApi, dir: string, resume: boolean, stopAfter?: number, progress?: Progress) {
  const client = await createApiClient({ concurrency: 3, rateLimit: 0, maxAttempts: 3, timeoutS: 5 });
  const report: HarvestReport = { items: 0, incomplete: [], notes: [] };
  const items: StacItem[] = [];
  try {
    for await (const entry of checkpointedHarvest(
      {
        client,
        catalogUrl: api.apiUrl(),
        collections: ['c'],
        state: harvestStateDir(dir, 'out'),
        resume,
        limit: 20,
        concurrency: 3,
        ...(progress ? { progress } : {}),
      },
      report,
    )) {
      if (isFailure(entry) || (entry.value as { type?: string }).type !== 'Feature') continue;
      items.push(entry.value as StacItem);
      if (stopAfter !== undefined && items.length >= stopAfter) break;
    }
  } finally {
    await client.close();
  }
  return { items, report };
}

const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();

describe('checkpointedHarvest', () => {
  it('cuts what was appended after the last checkpoint, replays the rest, and continues: each item once', async () => {
    const api = await startFakeStacApi({ style: 'earth-search', collections: [{ id: 'c', count: 500 }] });
    apis.push(api);
    const dir = mkdtempSync(join(tmpdir(), 'scm-harvest-'));
    const state = harvestStateDir(dir, 'out');
    await run(api, dir, false, 130);
    // A kill between a page's append and its checkpoint leaves items (and maybe half a line) past the checkpoint.
    const written = readFileSync(state.items, 'utf8').split('\n').filter(Boolean);
    appendFileSync(state.items, `${written[0]}\n${written[1]!.slice(0, 40)}`);
    const resumed = await run(api, dir, true);
    expect(ids(resumed.items)).toEqual([...api.itemIds('c')].sort());
    const file = readFileSync(state.items, 'utf8').split('\n').filter(Boolean);
    expect(ids(file.map((line) => JSON.parse(line)))).toEqual([...api.itemIds('c')].sort());
  });

  it('without resume it starts afresh, whatever a previous run left', async () => {
    const api = await startFakeStacApi({
      style: 'planetary-computer',
      collections: [{ id: 'c', count: 90 }],
    });
    apis.push(api);
    const dir = mkdtempSync(join(tmpdir(), 'scm-harvest-'));
    await run(api, dir, false, 30);
    const again = await run(api, dir, false);
    expect(ids(again.items)).toEqual([...api.itemIds('c')].sort());
    expect(again.report.items).toBe(90);
  });

  it('tells its progress where it stands: items of numberMatched, or windows ended when the server gives no count', async () => {
    const positions = (style: 'earth-search' | 'planetary-computer') => {
      const seen: [number, number, string | undefined][] = [];
      const progress: Progress = {
        start() {},
        tick() {},
        done() {},
        position: (done, total, unit) => seen.push([done, total, unit]),
      };
      return { seen, progress, style };
    };
    for (const { seen, progress, style } of [positions('earth-search'), positions('planetary-computer')]) {
      const api = await startFakeStacApi({ style, collections: [{ id: 'c', count: 90 }] });
      apis.push(api);
      await run(api, mkdtempSync(join(tmpdir(), 'scm-harvest-')), false, undefined, progress);
      const units = new Set(seen.map(([, , unit]) => unit));
      expect(units, style).toEqual(new Set([style === 'earth-search' ? 'items' : 'windows']));
      expect(
        seen.every(([done, total]) => done <= total),
        style,
      ).toBe(true);
      const [done, total] = seen.at(-1)!;
      expect(done, style).toBe(total);
      if (style === 'earth-search') expect(total).toBe(90);
    }
  });

  it('gives its progress the running totals of pages, requests, retries, 429 and 5xx responses', async () => {
    const api = await startFakeStacApi({
      style: 'earth-search',
      collections: [{ id: 'c', count: 90 }],
      faults: { schedule: { 3: '429', 5: '503', 6: '500' }, retryAfterSeconds: 0 },
    });
    apis.push(api);
    const seen: Record<string, number>[] = [];
    const statuses: string[] = [];
    const progress: Progress = {
      start() {},
      tick() {},
      done() {},
      counters: (values) => seen.push({ ...values }),
      status: (text) => statuses.push(text),
    };
    const { items } = await run(api, mkdtempSync(join(tmpdir(), 'scm-harvest-')), false, undefined, progress);
    expect(items).toHaveLength(90);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ retries: 3, 'HTTP 429': 1, 'HTTP 5xx': 2 });
    expect(last.pages).toBe(seen.length);
    expect(last.requests).toBeGreaterThanOrEqual(last.pages! + 3);
    for (const name of ['pages', 'requests', 'retries']) {
      const totals = seen.map((values) => values[name]!);
      expect(totals, name).toEqual([...totals].sort((a, b) => a - b));
    }
    expect(statuses.at(-1)).toBe(`${last.pages} pages, ${last.requests} requests, 3 retries, 429 ×1, 5xx ×2`);
  });
});
