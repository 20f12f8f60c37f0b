// The sources of this package run through the Source contract suite of @scm/testing, the same suite a
// third-party source is held to.
import { testSource } from '@scm/testing';
import { describe, expect, it } from 'vitest';
import { openSource } from '../src/index.js';
import { fixture } from './helpers.js';

describe('openSource follows the Source contract', () => {
  it('on NDJSON with broken lines: they become failures, reading goes on', async () => {
    const path = fixture('ndjson', 'records.ndjson');
    expect(await testSource(() => openSource({ path }), { records: 4, failures: 2 })).toEqual([]);
  });

  it.each(['records.csv', 'records.json', 'records.ndjson'])('on %s', async (name) => {
    const path = fixture('parity', name);
    expect(await testSource(() => openSource({ path }), { records: 3, failures: 0 })).toEqual([]);
  });

  it('on a static catalog', async () => {
    const path = fixture('catalog', 'catalog.json');
    expect(await testSource(() => openSource({ path, format: 'stac' }))).toEqual([]);
  });
});
