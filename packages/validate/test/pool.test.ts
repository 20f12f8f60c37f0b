import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createValidator, createValidatorPool, validateLineBlock, type ValidatorPool } from '../src/index.js';
import { clone, fixture, invalidDir, invalidManifest, readJson } from './helpers.js';

// The pool runs from sources here: src/pool.ts starts dev/worker-source.mjs, which registers a TypeScript
// loader (esbuild) in the worker and then loads src/worker.ts. The built package starts dist/worker.js.

const core = fixture('stac-spec-core-item.json');
const corpus = invalidManifest()
  .filter((c) => c.level === 'strict' && !c.sequence)
  .map((c) => readJson(join(invalidDir, c.file)));
const valid = [
  'stac-spec-core-item.json',
  'dgeo-item.json',
  'easierdata-item-alternate-assets.json',
  'planetary-computer-sentinel-2-l2a-0.json',
  'stac-spec-collection.json',
  'stac-spec-catalog.json',
].map((f) => fixture(f));

describe('createValidatorPool (worker threads)', () => {
  let pool: ValidatorPool;

  beforeAll(() => {
    pool = createValidatorPool({ workers: 2, chunkSize: 7, checkDuplicateIds: false });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('gives the same reports as the single-thread validator, in order, from JSON texts and from objects', async () => {
    const objects = [...valid, ...corpus];
    const single = createValidator({ checkDuplicateIds: false });
    const expected = objects.map((o) => single.validate(o));
    expect(pool.size).toBe(2);
    expect(await pool.validateBatch(objects.map((o) => JSON.stringify(o)))).toEqual(expected);
    expect(await pool.validateBatch(objects)).toEqual(expected);
    expect(await pool.validateBatch([])).toEqual([]);
  });

  it('validates a block of NDJSON lines as the single-thread validator does, line by line', async () => {
    const lines = [
      `\uFEFF${JSON.stringify(valid[0])}`, // a byte-order mark on the first line
      '',
      `${JSON.stringify(corpus[0])}\r`, // a CRLF ending
      '   ',
      '{"type": "Feature", ',
      '[1, 2]',
      JSON.stringify({ ...clone(core), id: 'proto', __proto__x: 1 }).replace('"__proto__x"', '"__proto__"'),
      JSON.stringify(valid[1]),
    ];
    const text = `${lines.join('\n')}\n`;
    // Bytes that are a part of a larger buffer (here past its first byte) are copied for the worker.
    const block = { bytes: Buffer.from(` ${text}`).subarray(1), firstLine: 11 };
    const expected = validateLineBlock(createValidator({ checkDuplicateIds: false }), block);
    const verdicts = await pool.validateLines(block);
    expect(verdicts).toEqual(expected);
    expect(verdicts.map((v) => v.line)).toEqual([11, 13, 15, 16, 17, 18]);
    expect(verdicts.map((v) => v.report.valid)).toEqual([true, false, false, false, true, true]);
    expect(verdicts[2]!.report.errors).toMatchObject([{ kind: 'json' }]);
    // The byte range of each line is its text, terminator left out.
    const third = verdicts[1]!;
    expect(block.bytes.subarray(third.start, third.end).toString()).toBe(JSON.stringify(corpus[0]));
    // The forbidden member is dropped, as the readers drop it: the rest of the item is valid.
    expect(verdicts[4]!.report).toMatchObject({ id: 'proto', valid: true });
    // …and the verdict names it, so the caller can say so.
    expect(verdicts.map((v) => v.dropped)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      ['/__proto__'],
      undefined,
    ]);
    expect(block.bytes.toString()).toBe(text); // the caller's block is left as it was
    expect(verdicts[1]!.text).toBe(JSON.stringify(corpus[0]));
    expect(verdicts[0]!.text).toBeUndefined();
  });

  it('hands over the bytes of a block that owns its buffer, and still gives the text of invalid lines', async () => {
    const text = `${JSON.stringify(valid[0])}\n{"type": "Feature", \n`;
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text);
    const block = { bytes, firstLine: 1 };
    const verdicts = await pool.validateLines(block);
    expect(block.bytes.byteLength).toBe(0); // transferred, not copied
    expect(verdicts.map((v) => [v.line, v.report.valid, v.text])).toEqual([
      [1, true, undefined],
      [2, false, '{"type": "Feature", '],
    ]);
  });

  it('reports text that is not JSON as an issue of kind json', async () => {
    const [report] = await pool.validateBatch(['{"type": "Feature", ']);
    expect(report).toMatchObject({ valid: false, errors: [{ kind: 'json', path: '' }] });
  });
});

describe('pool-wide rules and lifecycle', () => {
  const temp: string[] = [];
  afterAll(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it('applies duplicate_id across workers and batches, in submission order', async () => {
    const pool = createValidatorPool({ workers: 2, chunkSize: 1 });
    try {
      const items = ['a', 'b', 'c', 'b'].map((id) => JSON.stringify({ ...clone(core), id }));
      const [first, second] = await Promise.all([
        pool.validateBatch(items),
        pool.validateBatch(items.slice(0, 1)),
      ]);
      expect(first!.map((r) => r.valid)).toEqual([true, true, true, false]);
      expect(first![3]!.errors).toMatchObject([{ kind: 'duplicate_id', path: '/id' }]);
      expect(second![0]!.errors).toMatchObject([{ kind: 'duplicate_id' }]);
      pool.resetDuplicateIds();
      expect((await pool.validateBatch(items.slice(0, 1)))[0]!.valid).toBe(true);
      // Blocks of lines take their turn with batches: 'a' was seen just above, 'c' earlier in this block.
      const block = { bytes: Buffer.from(`${items[2]}\n${items[0]}\n${items[2]}\n`), firstLine: 1 };
      const [fromLines, after] = await Promise.all([
        pool.validateLines(block),
        pool.validateBatch(items.slice(2, 3)),
      ]);
      expect(fromLines.map((v) => v.report.valid)).toEqual([true, false, false]);
      expect(fromLines[2]!.report.errors).toMatchObject([{ kind: 'duplicate_id', path: '/id' }]);
      expect(after[0]!.valid).toBe(false);
    } finally {
      await pool.close();
    }
  });

  it('loads extensions in the workers from extensionModules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scm-pool-ext-'));
    temp.push(dir);
    const module = join(dir, 'flag-extension.mjs');
    writeFileSync(
      module,
      `export default {
        schemaUris: ['https://example.com/flag/v1.0.0/schema.json'],
        schemas: { 'https://example.com/flag/v1.0.0/schema.json': { type: 'object' } },
        checkObject: (o) => o.properties && o.properties['flag:on'] === true ? [] :
          [{ path: '/properties/flag:on', message: 'properties.flag:on must be true', kind: 'flag', severity: 'error' }],
      };\n`,
    );
    const pool = createValidatorPool({ workers: 1, extensionModules: [module], checkDuplicateIds: false });
    try {
      const item: Record<string, unknown> = {
        ...clone(core),
        stac_extensions: ['https://example.com/flag/v1.0.0/schema.json'],
      };
      const [bad, good] = await pool.validateBatch([
        item,
        { ...item, properties: { ...(item.properties as object), 'flag:on': true } },
      ]);
      expect(bad!.errors).toMatchObject([{ kind: 'flag', path: '/properties/flag:on' }]);
      expect(good!.valid).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('rejects with a clear error when a worker cannot start, and after close', async () => {
    const broken = createValidatorPool({
      workers: 1,
      schemaDirs: [join(tmpdir(), 'scm-no-such-schema-dir')],
    });
    await expect(broken.validateBatch([core])).rejects.toMatchObject({ code: 'SCM_SCHEMA_UNRESOLVED' });
    await broken.close();
    await expect(broken.validateBatch([core])).rejects.toMatchObject({ code: 'SCM_ABORTED' });
  });
});
