import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isScmError, type StacCollection } from '@scm/core';
import { describe, expect, it } from 'vitest';
import { ndjsonLine, writeStacWithLinksAtomic } from '../src/json-text.js';
import { stringifyStac, writeJsonAtomic } from '../src/index.js';
import { listFiles, sample, tempDir } from './helpers.js';

describe('stringifyStac', () => {
  it('indents by 2 spaces and ends with a newline by default', () => {
    expect(stringifyStac({ a: [1, { b: 2 }] })).toBe(
      '{\n  "a": [\n    1,\n    {\n      "b": 2\n    }\n  ]\n}\n',
    );
  });

  it('writes one line when pretty is false', () => {
    expect(stringifyStac({ a: [1, 'x'] }, false)).toBe('{"a":[1,"x"]}\n');
  });

  it('refuses what JSON cannot hold with SCM_OUTPUT_INVALID', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [undefined, cycle, { n: 1n }]) {
      try {
        stringifyStac(value);
        expect.unreachable();
      } catch (error) {
        expect(isScmError(error) && error.code).toBe('SCM_OUTPUT_INVALID');
      }
    }
  });
});

describe('ndjsonLine', () => {
  it('writes backslashes as \\u005c so pypgstac does not collapse them', () => {
    const value = { path: 'C:\\new\\table', quote: 'say "\\"' };
    const line = ndjsonLine(value);
    expect(line).not.toContain('\\\\');
    expect(line.endsWith('\n')).toBe(true);
    expect(line.trimEnd()).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(value);
    // What pypgstac's read_json does to a line before parsing it:
    expect(JSON.parse(line.trim().replaceAll('\\\\', '\\'))).toEqual(value);
  });

  it('escapes U+0085, U+2028 and U+2029', () => {
    const value = { text: 'a\u2028b\u2029c\u0085d\ne' };
    const line = ndjsonLine(value);
    expect(line).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual(value);
  });
});

describe('writeJsonAtomic', () => {
  it('creates folders, writes the text and leaves no temporary file', async () => {
    const root = await tempDir();
    const target = join(root, 'a', 'b', 'c.json');
    await writeJsonAtomic(target, { x: 1 });
    await writeJsonAtomic(target, { x: 2 }, { pretty: false, fsync: true });
    expect(readFileSync(target, 'utf8')).toBe('{"x":2}\n');
    expect(listFiles(root)).toEqual(['a/b/c.json']);
  });

  it('throws SCM_OUTPUT_WRITE and removes its temporary file when the rename fails', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'taken.json')); // a folder where the file should go
    try {
      await writeJsonAtomic(join(root, 'taken.json'), { x: 1 });
      expect.unreachable();
    } catch (error) {
      expect(isScmError(error) && error.code).toBe('SCM_OUTPUT_WRITE');
    }
    expect(listFiles(root)).toEqual([]);
  });
});

describe('writeStacWithLinksAtomic', () => {
  const collection = sample<StacCollection>('collection-landsat-c2-l2.json');
  const links = Array.from({ length: 25 }, (_, i) => ({
    rel: 'item',
    href: `./i${i}/i${i}.json`,
    type: 'x',
  }));

  for (const pretty of [true, false]) {
    it(`writes exactly what stringifyStac gives (pretty: ${pretty})`, async () => {
      const root = await tempDir();
      const target = join(root, 'collection.json');
      await writeStacWithLinksAtomic(target, collection, links, { pretty });
      expect(readFileSync(target, 'utf8')).toBe(stringifyStac({ ...collection, links }, pretty));
      await writeStacWithLinksAtomic(target, collection, [], { pretty, fsync: true });
      expect(readFileSync(target, 'utf8')).toBe(stringifyStac({ ...collection, links: [] }, pretty));
      expect(listFiles(root)).toEqual(['collection.json']);
    });
  }

  it('takes the links from a generator, one at a time', async () => {
    const root = await tempDir();
    const target = join(root, 'catalog.json');
    function* many() {
      for (let i = 0; i < 20_000; i += 1) yield { rel: 'item', href: `./${i}/${i}.json` };
    }
    await writeStacWithLinksAtomic(target, { type: 'Catalog', id: 'c', links: [] }, many());
    const parsed = JSON.parse(readFileSync(target, 'utf8')) as { links: unknown[] };
    expect(parsed.links).toHaveLength(20_000);
  });
});
