import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isScmError, type StacCollection } from '@scm/core';
import { describe, expect, it } from 'vitest';
import {
  planCollectionWindows,
  resolveShardSpec,
  SHARD_WINDOWS_PER_SHARD,
  shardOfWindow,
} from '../src/index.js';
import { repoRoot } from './integration-env.js';

const collection = JSON.parse(
  readFileSync(join(repoRoot, 'examples/quickstart/data/HLSS30_2.0.collection.json'), 'utf8'),
) as StacCollection;

const usage = (pattern: RegExp) => (e: unknown) =>
  isScmError(e) && e.code === 'SCM_USAGE' && pattern.test(e.message);

describe('resolveShardSpec', () => {
  it('takes --shard, then SCM_SHARD, then JOB_COMPLETION_INDEX with the count', () => {
    const env = { SCM_SHARD: '1/4', JOB_COMPLETION_INDEX: '3', SCM_SHARD_COUNT: '5' };
    expect(resolveShardSpec({ shard: '2/4', env })).toEqual({ index: 2, count: 4 });
    expect(resolveShardSpec({ env })).toEqual({ index: 1, count: 4 });
    expect(resolveShardSpec({ env: { JOB_COMPLETION_INDEX: '3' }, shardCount: '4' })).toEqual({
      index: 3,
      count: 4,
    });
    expect(resolveShardSpec({ env: { JOB_COMPLETION_INDEX: '3', SCM_SHARD_COUNT: '5' } })).toEqual({
      index: 3,
      count: 5,
    });
    expect(resolveShardSpec({ env: { JOB_COMPLETION_INDEX: '3' } })).toBeUndefined();
  });

  it('names the setting at fault', () => {
    expect(() => resolveShardSpec({ shard: '4/4' })).toThrow(
      expect.toSatisfy(usage(/--shard: shard 4 does not exist among 4/)),
    );
    expect(() => resolveShardSpec({ shard: '1' })).toThrow(expect.toSatisfy(usage(/must be K\/N/)));
    expect(() => resolveShardSpec({ env: { SCM_SHARD: 'a/2' } })).toThrow(
      expect.toSatisfy(usage(/SCM_SHARD "a" is not a whole number/)),
    );
    expect(() => resolveShardSpec({ shardCount: '4' })).toThrow(
      expect.toSatisfy(usage(/JOB_COMPLETION_INDEX/)),
    );
    expect(() => resolveShardSpec({ shardCount: '0', env: { JOB_COMPLETION_INDEX: '0' } })).toThrow(
      expect.toSatisfy(usage(/at least 1/)),
    );
  });
});

describe('planCollectionWindows', () => {
  const day = Date.UTC(2026, 0, 1);

  it('tiles the extent in fixed windows that every shard computes alike', () => {
    const windows = planCollectionWindows(collection, undefined, 4, day);
    expect(windows).toHaveLength(4 * SHARD_WINDOWS_PER_SHARD);
    expect(planCollectionWindows(collection, undefined, 4, day)).toEqual(windows);
    expect(windows[0]!.start).toBe(collection.extent.temporal.interval[0]![0]!.replace('.000Z', 'Z'));
    for (let i = 1; i < windows.length; i += 1) expect(windows[i]!.start).toBe(windows[i - 1]!.end);
    expect(windows.filter((w) => w.first)).toHaveLength(1);
    expect(windows.at(-1)!.last).toBe(true);
  });

  it('asks for an open end when the extent is open, so items dated after the plan day still come', () => {
    const open = {
      ...collection,
      extent: { ...collection.extent, temporal: { interval: [['2015-11-28T00:00:00Z', null]] } },
    };
    const windows = planCollectionWindows(open as StacCollection, undefined, 2, day);
    expect(windows.at(-1)!.end).toBe('2026-01-01T00:00:00Z');
    expect(windows.at(-1)!.openEnd).toBe(true);
  });

  it('keeps within the datetime filter', () => {
    const windows = planCollectionWindows(collection, '2020-01-01T00:00:00Z/2020-12-31T23:59:59Z', 2, day);
    expect(windows[0]!.start).toBe('2020-01-01T00:00:00Z');
    expect(windows.at(-1)!.end).toBe('2020-12-31T23:59:59Z');
  });

  it('plans no window when the datetime filter lies outside the extent (issue 10: no reversed datetime)', () => {
    expect(planCollectionWindows(collection, '2010-01-01T00:00:00Z/2011-01-01T00:00:00Z', 2, day)).toEqual(
      [],
    );
    expect(planCollectionWindows(collection, '2030-01-01T00:00:00Z/..', 2, day)).toEqual([]);
  });

  it('spreads consecutive windows over every shard evenly', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 32; i += 1) counts[shardOfWindow('HLSS30_2.0', i, 4)]! += 1;
    expect(counts).toEqual([8, 8, 8, 8]);
  });
});
