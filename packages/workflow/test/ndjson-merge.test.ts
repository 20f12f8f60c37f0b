import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineIdOf, mergeItemsFile } from '../src/ndjson-merge.js';

/** An item line of about 4 KB: its id first, then forty assets, each holding an `id` of its own. */
function line(id: string, version = 1): string {
  const assets = Object.fromEntries(
    Array.from({ length: 40 }, (_, k) => [
      `B${k}`,
      { href: `https://data.example.com/${id}/B${k}.tif`, id: `decoy-${k}`, version },
    ]),
  );
  return JSON.stringify({ type: 'Feature', id, properties: { datetime: '2024-01-01T00:00:00Z' }, assets });
}

function file(lines: string[], ending = '\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'scm-merge-'));
  const path = join(dir, 'items.ndjson');
  writeFileSync(path, lines.join('\n') + ending);
  return path;
}

describe('mergeItemsFile', () => {
  it('replaces changed lines in place, drops removed ones, appends new ones, and copies the rest byte for byte', async () => {
    // Enough lines that the 1 MiB reads split some of them.
    const ids = Array.from({ length: 400 }, (_, i) => `item-${i}`);
    const path = file(ids.map((id) => line(id)));
    const changed = new Map([
      ['item-7', line('item-7', 2)],
      ['item-399', line('item-399', 2)],
      ['new-1', line('new-1')],
    ]);
    await mergeItemsFile(path, { changed, removed: new Set(['item-0', 'item-200']) });
    const expected = ids
      .filter((id) => id !== 'item-0' && id !== 'item-200')
      .map((id) => (id === 'item-7' || id === 'item-399' ? line(id, 2) : line(id)));
    expect(readFileSync(path, 'utf8')).toBe(`${[...expected, line('new-1')].join('\n')}\n`);
  });

  it('finishes a last line without a newline, and makes a file that did not exist', async () => {
    const path = file([line('a'), line('b')], '');
    await mergeItemsFile(path, { changed: new Map([['b', line('b', 2)]]), removed: new Set() });
    expect(readFileSync(path, 'utf8')).toBe(`${line('a')}\n${line('b', 2)}\n`);
    const fresh = join(mkdtempSync(join(tmpdir(), 'scm-merge-')), 'items.ndjson');
    await mergeItemsFile(fresh, { changed: new Map([['c', line('c')]]), removed: new Set() });
    expect(readFileSync(fresh, 'utf8')).toBe(`${line('c')}\n`);
  });

  it('writes through a hidden file, and removes what a killed merge left beside the file', async () => {
    const path = file([line('a'), line('b')]);
    const dir = join(path, '..');
    writeFileSync(join(dir, '.items.ndjson.99999.merge.tmp'), line('half'));
    let during: string[] = [];
    const changed = new Map([['b', line('b', 2)]]);
    await mergeItemsFile(path, {
      changed,
      removed: new Set(),
      beforeReplace: async () => {
        during = readdirSync(dir);
      },
    });
    expect(during.sort()).toEqual([`.items.ndjson.${process.pid}.merge.tmp`, 'items.ndjson']);
    expect(readdirSync(dir)).toEqual(['items.ndjson']);
    expect(readFileSync(path, 'utf8')).toBe(`${line('a')}\n${line('b', 2)}\n`);
  });

  it('keeps a line it cannot read as it was', async () => {
    const path = file([line('a'), '{"not": "an item", "id": 5}', 'garbage', line('b')]);
    await mergeItemsFile(path, { changed: new Map(), removed: new Set(['b']) });
    expect(readFileSync(path, 'utf8')).toBe(`${line('a')}\n{"not": "an item", "id": 5}\ngarbage\n`);
  });
});

describe('lineIdOf', () => {
  it('finds an id past the first kilobyte by decoding the whole line', () => {
    const text = JSON.stringify({
      type: 'Feature',
      properties: { note: 'x'.repeat(3000), id: 'inner' },
      id: 'late',
    });
    const bytes = Buffer.from(`${text}\n`);
    expect(lineIdOf(bytes, 0, bytes.length - 1)).toBe('late');
  });
});
