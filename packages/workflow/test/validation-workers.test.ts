import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseConfig } from '@scm/config';
import type { StacCollection, StacItem } from '@scm/core';
import { openCollectionsParquet, readGeoParquet } from '@scm/output-parquet';
import { memoryLogger } from '@scm/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { rebuildCatalog, validateFiles } from '../src/index.js';
import { DROPPED_WARNINGS_LOGGED, droppedMembersNote } from '../src/source-warnings.js';
import { repoRoot } from './integration-env.js';

// Validation on worker threads must not change a single byte of what a run reports or writes: the same
// reports, failures, duplicate_id findings and outputs, in the same order, as validation in the main thread.

const temp = mkdtempSync(join(tmpdir(), 'scm-workers-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface SampleItem {
  id: string;
  geometry: { coordinates: number[][][] };
  properties: Record<string, unknown>;
  stac_version: unknown;
}

/** The quickstart's real items, repeated under new ids (more than one batch), with broken ones among them. */
function mixedNdjson(rounds = 25, name = 'mixed.ndjson'): string {
  const items = readFileSync(join(repoRoot, 'examples/quickstart/data/items.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as SampleItem);
  const lines: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [i, original] of items.entries()) {
      const item = structuredClone(original);
      item.id = `${original.id}-${round}`;
      if (i === 3) item.geometry.coordinates[0][0][0] = 200; // outside [-180, 180]
      if (i === 7) delete item.properties.datetime;
      if (i === 11) item.stac_version = 42;
      lines.push(JSON.stringify(item));
      if (i === 5) lines.push(JSON.stringify({ ...item, title: 'the same id again' })); // duplicate_id
      // A forbidden member is dropped on reading, so this line is not sent as text: batches mix texts and objects.
      if (i === 9)
        lines.push(JSON.stringify({ ...item, id: `${item.id}-p` }).replace('{', '{"__proto__":{"x":1},'));
    }
    lines.push('{"type": "Feature", "id": "cut-short"');
    // Lines the threads get as read, unparsed, that must still be reported as the reader reports them.
    lines.push('[1, 2]', '{"hello": "world"}', '   ', ' {"type": "Feature"} trailing');
  }
  const path = join(temp, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const input = mixedNdjson();

/** What a run writes about itself (times, rates), beside the catalog. */
const RUN_RECORDS = ['summary.json', 'report.html', 'report_record.json'];

function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || RUN_RECORDS.includes(entry.name) || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    // The incremental state names its files per run; the catalog is what must not depend on the workers.
    if (path.slice(dir.length).startsWith('/.scm-state/')) continue;
    // A failure records when it happened; everything else must match byte for byte.
    out[path.slice(dir.length)] = readFileSync(path, 'utf8').replace(
      /"timestamp":"[^"]*"/g,
      '"timestamp":"…"',
    );
  }
  return out;
}

/** The records of a run's next state (content hash, extent, id), in the order its collections list them. */
function stateRecords(dir: string): string {
  const state = JSON.parse(readFileSync(join(dir, '.scm-state', 'state.json'), 'utf8')) as {
    collections: { file: string }[];
  };
  return state.collections.map((c) => readFileSync(join(dir, '.scm-state', c.file), 'utf8')).join('');
}

/** What the run report recorded of the items written: the footprints and the counts by collection. */
function reportRecord(dir: string): { footprints: unknown[]; items_by_collection: unknown } {
  const { footprints, items_by_collection } = JSON.parse(
    readFileSync(join(dir, 'report_record.json'), 'utf8'),
  ) as { footprints: unknown[]; items_by_collection: unknown };
  return { footprints, items_by_collection };
}

/** `validate` of `path` with `workers` threads: its result and its report's text. */
async function validated(path: string, workers: number) {
  const reportPath = join(temp, `${basename(path)}-report-${workers}.json`);
  const result = await validateFiles({ inputs: [path], reportPath, workers });
  return { result, report: readFileSync(reportPath, 'utf8') };
}

describe('validation worker threads', () => {
  it('validate: a pool of 2 and the main thread write the same report for a file with invalid items', async () => {
    // Several blocks of lines (1 MiB each) go to the threads, so a duplicate id is found across blocks.
    expect(statSync(input).size).toBeGreaterThan(2 * 1024 * 1024);
    const inThread = await validated(input, 0);
    const pooled = await validated(input, 2);
    // Per round: 3 invalid items, 1 duplicate, 3 unreadable lines and 1 object that is not STAC.
    expect(inThread.result.invalid).toBe(25 * 8);
    expect(inThread.report).toContain('not valid JSON');
    expect(inThread.report).toContain('the line holds an array, expected a JSON object');
    expect(pooled.result).toEqual(inThread.result);
    expect(pooled.report).toBe(inThread.report);
  });

  it('validate: names the forbidden members it did not read (20 records) and counts them, threads or not', async () => {
    const warned = async (workers: number) => {
      const logger = memoryLogger();
      const reportPath = join(temp, `dropped-report-${workers}.json`);
      const result = await validateFiles({ inputs: [input], reportPath, workers, logger });
      const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.context);
      return { result, warnings };
    };
    const inThread = await warned(0);
    const pooled = await warned(2);
    // 25 such lines: the first 20 are named, and the summary counts them all.
    expect(DROPPED_WARNINGS_LOGGED).toBe(20);
    expect(inThread.warnings).toHaveLength(20);
    expect(inThread.warnings[0]).toEqual({ file: input, line: 12, dropped: ['/__proto__'] });
    expect(pooled.warnings).toEqual(inThread.warnings);
    expect(inThread.result.text).toContain(`note: ${droppedMembersNote(25)}`);
    expect(droppedMembersNote(25)).toMatch(/^25 record\(s\) .* \(the first 20 are named in the warnings\)$/);
    expect(pooled.result.text).toContain(`note: ${droppedMembersNote(25)}`);
  });

  it('validate: a file smaller than one block of lines is reported as in the main thread', async () => {
    const path = join(temp, 'small.ndjson');
    const item = readFileSync(input, 'utf8').split('\n')[0]!;
    writeFileSync(path, [item, '{"type": "Feature", "id": "cut', '{"hello": "world"}', ''].join('\n'));
    const inThread = await validated(path, 0);
    const pooled = await validated(path, 2);
    expect(inThread.result).toMatchObject({ total: 3, valid: 1, invalid: 2 });
    expect(inThread.report).toContain('small.ndjson:2: not valid JSON');
    // The summary names the file and line once.
    expect(inThread.result.text).toContain(`\n  ${path}:2: not valid JSON`);
    expect(pooled.report).toBe(inThread.report);
  });

  it('rebuild-catalog: the same failures file, summary counts and NDJSON whatever the number of workers', async () => {
    const run = async (workers: number) => {
      const out = join(temp, `out-${workers}`);
      const config = parseConfig(
        `workflow: { name: w }\nsource: { type: local_files, paths: [${input}] }\noutput: { format: [ndjson], path: ${out} }\n`,
        join(temp, 'config.yaml'),
        { env: {} },
      );
      const result = await rebuildCatalog(config, { mode: 'full', workers });
      const { started_at, finished_at, duration_s, items_per_second, ...counts } = result.summary;
      return { counts, files: filesUnder(out), state: stateRecords(out), report: reportRecord(out) };
    };
    const inThread = await run(0);
    const pooled = await run(2);
    // 5 failures a round as in validate, the 2 lines that are not JSON objects and the one that is not STAC.
    expect(inThread.counts).toMatchObject({ failed: 25 * 8, succeeded: 25 * 24 - 25 * 3 + 25 }); // + the __proto__ lines
    expect(pooled.counts).toEqual(inThread.counts);
    expect(inThread.counts.notes).toContain(droppedMembersNote(25)); // the source's __proto__ members
    expect(Object.keys(pooled.files).sort()).toEqual(Object.keys(inThread.files).sort());
    for (const [name, text] of Object.entries(inThread.files)) expect(pooled.files[name], name).toBe(text);
    // With NDJSON alone, a thread-validated item reaches the state and the report as its outline (id,
    // collection, geometry, bbox, datetimes), not parsed again: they must still read what the item holds.
    expect(inThread.state.split('\n').length).toBe(inThread.counts.succeeded + 1);
    expect(inThread.state).toMatch(/^[0-9a-f]{16}\t\[\[-?\d/);
    expect(pooled.state).toBe(inThread.state);
    expect(inThread.report.footprints).toHaveLength(inThread.counts.succeeded);
    expect(pooled.report).toEqual(inThread.report);
  });

  it('rebuild-catalog: stac-geoparquet checked and observed on its own thread from the lines, as in one thread', async () => {
    // More items than the 1,000 observed in the main thread before the rest go to the observer thread,
    // which gets each valid item's line while the outputs keep only its outline.
    const path = mixedNdjson(50, 'mixed-50.ndjson');
    const out = join(temp, 'out-parquet');
    const config = parseConfig(
      `workflow: { name: w }\nsource: { type: local_files, paths: [${path}] }\noutput: { format: [ndjson, parquet], path: ${out} }\n`,
      join(temp, 'config.yaml'),
      { env: {} },
    );
    const result = await rebuildCatalog(config, { mode: 'full', workers: 1 });
    expect(result.summary.succeeded).toBe(50 * 22);
    const collections = readFileSync(join(out, 'ndjson', 'collections.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StacCollection);
    // The reference: the same stream fed the run's NDJSON lines, every item checked and observed in this thread.
    const reference = await openCollectionsParquet({
      root: join(temp, 'parquet-reference'),
      uncollected: 'items',
      replay: true,
      observerThreadAfter: Number.POSITIVE_INFINITY,
    });
    const items: StacItem[] = [];
    for (const collection of collections) {
      const file = join(out, 'ndjson', collection.id, 'items.ndjson');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      for (const [i, line] of lines.entries()) {
        const item = JSON.parse(line) as StacItem;
        items.push(item);
        await reference.add(item, line, { file, line: i + 1 });
      }
    }
    await reference.finish(collections);
    expect(items).toHaveLength(result.summary.succeeded);
    for (const collection of collections) {
      const name = join(collection.id, 'items.parquet');
      const written = readFileSync(join(out, 'parquet', name));
      expect(written.equals(readFileSync(join(temp, 'parquet-reference', name))), name).toBe(true);
      const read: StacItem[] = [];
      for await (const item of readGeoParquet(join(out, 'parquet', name))) read.push(item);
      expect(read).toEqual(items.filter((item) => item.collection === collection.id));
    }
  });
});
