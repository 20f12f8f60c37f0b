import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadState, nextState, STATE_DIR, type StateRecord, writeState } from '../src/rebuild-state.js';

/** Entries of two collections and items without one, long enough to pass the flush size several times. */
function records(count: number): Array<[string, StateRecord]> {
  const collections = ['HLSS30_2.0', 'HLSL30_2.0', ''];
  return Array.from({ length: count }, (_, i) => [
    i.toString(16).padStart(16, '0'),
    {
      collection: collections[i % 3]!,
      id: `HLS.S30.T13SFC.${i}.v2.0 "quoted"\ttab`,
      extent: JSON.stringify([
        [-105.1, 39.6, -103.9, 40.6],
        `2022-09-30T17:${String(i % 60).padStart(2, '0')}:00Z`,
        null,
        null,
      ]),
    },
  ]);
}

describe('the state a run writes', () => {
  it('streams entries to its files during the run, and reads back as every entry it was given', async () => {
    const out = mkdtempSync(join(tmpdir(), 'scm-state-lines-'));
    const state = nextState('config-digest');
    state.entries.spillTo(join(out, STATE_DIR));
    const given = records(30_000);
    for (const [hash, record] of given.slice(0, 20_000)) state.entries.set(hash, record);
    // Before the end, the first lines are already on disk (the run does not hold them).
    const early = readdirSync(join(out, STATE_DIR)).filter((f) => f.endsWith('.tsv'));
    expect(early).toHaveLength(3);
    expect(early.map((f) => readFileSync(join(out, STATE_DIR, f), 'utf8').length).every((n) => n > 0)).toBe(
      true,
    );
    for (const [hash, record] of given.slice(20_000)) state.entries.set(hash, record);
    state.updatedMax.set('HLSS30_2.0', '2022-10-01T00:00:00Z');
    await writeState(out, state);

    const back = await loadState(out);
    expect(back?.configHash).toBe('config-digest');
    expect(back?.entries.size).toBe(30_000);
    for (const [hash, record] of given) expect(back?.entries.get(hash)).toEqual(record);
    const index = JSON.parse(readFileSync(join(out, STATE_DIR, 'state.json'), 'utf8'));
    expect(index.collections.map((c: { id: string; items: number }) => [c.id, c.items])).toEqual([
      ['HLSS30_2.0', 10_000],
      ['HLSL30_2.0', 10_000],
      ['', 10_000],
    ]);
    expect(index.collections[0].updated_max).toBe('2022-10-01T00:00:00Z');
  });

  it('leaves the previous state readable until the new one is committed, then removes its files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'scm-state-lines-'));
    const first = nextState('first');
    first.entries.spillTo(join(out, STATE_DIR));
    for (const [hash, record] of records(10)) first.entries.set(hash, record);
    await writeState(out, first);
    const firstFiles = readdirSync(join(out, STATE_DIR));

    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = nextState('second');
    second.entries.spillTo(join(out, STATE_DIR));
    for (const [hash, record] of records(40_000).slice(20_000)) second.entries.set(hash, record);
    // A run killed here has appended its own files; the committed state is still the first one.
    expect((await loadState(out))?.entries.size).toBe(10);
    expect((await loadState(out))?.configHash).toBe('first');
    await writeState(out, second);
    const back = await loadState(out);
    expect(back?.configHash).toBe('second');
    expect(back?.entries.size).toBe(20_000);
    const files = readdirSync(join(out, STATE_DIR));
    expect(files.filter((f) => firstFiles.includes(f) && f !== 'state.json')).toEqual([]);
  });

  it('a dry run counts entries and writes no file; a collection with one item still gets its file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'scm-state-lines-'));
    const dry = nextState('dry');
    dry.entries.spillTo(undefined);
    for (const [hash, record] of records(30_000)) dry.entries.set(hash, record);
    expect(readdirSync(out)).toEqual([]);

    const single = nextState('one');
    single.entries.spillTo(join(out, STATE_DIR));
    const [[hash, record]] = records(1);
    single.entries.set(hash, record);
    await writeState(out, single);
    expect((await loadState(out))?.entries.get(hash)).toEqual(record);
  });

  it('reports a state folder it cannot write with SCM_OUTPUT_WRITE and the path', () => {
    const out = mkdtempSync(join(tmpdir(), 'scm-state-lines-'));
    const blocker = join(out, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const state = nextState('x');
    state.entries.spillTo(join(blocker, STATE_DIR));
    const add = () => {
      for (const [hash, record] of records(30_000)) state.entries.set(hash, record);
    };
    expect(add).toThrow(expect.objectContaining({ code: 'SCM_OUTPUT_WRITE' }));
  });
});
