// The writers of this package run through the Sink contract suite of @scm/testing, the same suite a
// third-party sink is held to; what they wrote is read back with this package's own reader.
import { join } from 'node:path';
import type { StacItem } from '@scm/core';
import { testSink } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import { createJsonTreeWriter, createNdjsonWriter, readNdjsonDir } from '../src/index.js';
import { goldenInput, tempDir } from './helpers.js';

/** Every item found under `root`, in file order. */
async function itemsUnder(root: string): Promise<unknown[]> {
  const found: unknown[] = [];
  for await (const entry of readNdjsonDir(root)) {
    if ('kind' in entry && entry.kind === 'item') found.push(entry.value);
  }
  return found;
}

describe('the NDJSON writer follows the Sink contract', () => {
  it('writes every item, reports relative files, stops when aborted', async () => {
    const base = await tempDir();
    const roots: string[] = [];
    const items: StacItem[] = goldenInput().items;
    const problems = await testSink(
      () => {
        roots.push(join(base, `run-${roots.length}`));
        return createNdjsonWriter({ root: roots.at(-1)! });
      },
      { items, readBack: () => itemsUnder(roots[0]!) },
    );
    expect(problems).toEqual([]);
  });
});

describe('the JSON tree writer follows the Sink contract', () => {
  it('writes every item, reports relative files, stops when aborted', async () => {
    const base = await tempDir();
    let runs = 0;
    const problems = await testSink(
      () => createJsonTreeWriter({ root: join(base, `run-${runs++}`), organizeBy: 'catalog' }),
      { items: goldenInput().items },
    );
    expect(problems).toEqual([]);
  });
});
