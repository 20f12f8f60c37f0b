import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeGeoParquet } from '../src/index.js';
import { readAll, tempDir } from './helpers/io.js';
import { sampleFiles } from './helpers/samples.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('round trip of every sample item file', () => {
  const files = sampleFiles();
  it('finds the sample files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });
  for (const { name, items } of files) {
    it(`${name} (${items.length} items) reads back deep-equal`, async () => {
      const path = join(tmp.dir, `${name.replaceAll('/', '__')}.parquet`);
      const result = await writeGeoParquet(items, { path });
      expect(result.reported).toEqual([]);
      expect(result.rows).toBe(items.length);
      const back = await readAll(path);
      expect(back).toStrictEqual(items);
    });
  }
});
