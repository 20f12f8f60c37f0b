/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The run report opened in a real browser: Debian's Chromium, headless, driven by playwright-core
// (no browser download). Screenshots go to test-output/report-browser/ for people and CI artefacts.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { integrationGate } from '@scm/testing/gate';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, fixtures, repoRoot, tempDir } from './helpers.js';

const CHROMIUM = process.env.SCM_CHROMIUM ?? '/usr/bin/chromium';
const gate = integrationGate('headless Chromium', () =>
  existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SCM_CHROMIUM)`,
);
const shots = new URL('../test-output/report-browser/', import.meta.url).pathname;

/** What the page shows once opened: console errors, map shapes, and each table's cells. */
interface Opened {
  errors: string[];
  footprints: number;
  extents: number;
  tables: Record<string, string[][]>;
  /** Widths of the footprints drawn, as a share of the map's width, by item id. */
  widths: Record<string, number>;
  /** Each table's header cells. */
  heads: Record<string, string[]>;
  /** The strategy line of an incremental run ('' when none). */
  strategy: string;
}

let browser: Browser;
beforeAll(async () => {
  if (gate.skip) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(shots, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

async function open(report: string, name: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Any request but the file itself would break "no network at view time".
  page.on('request', (r) => {
    if (r.url() !== `file://${report}`) errors.push(`request: ${r.url()}`);
  });
  await page.goto(`file://${report}`, { waitUntil: 'load' });
  const shown = await page.evaluate(() => {
    const map = document.getElementById('map') as unknown as SVGSVGElement;
    const mapWidth = map.getBBox().width;
    const widths: Record<string, number> = {};
    for (const path of map.querySelectorAll<SVGPathElement>('path.footprint')) {
      const id = (path.querySelector('title')?.textContent ?? '').split(' ')[0]!;
      widths[id] = path.getBBox().width / mapWidth;
    }
    const tables: Record<string, string[][]> = {};
    const heads: Record<string, string[]> = {};
    for (const table of document.querySelectorAll('table')) {
      heads[table.id] = [...table.querySelectorAll('thead th')].map((th) => th.textContent ?? '');
      tables[table.id] = [...table.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      );
    }
    return {
      footprints: map.querySelectorAll('path.footprint').length,
      extents: map.querySelectorAll('path.extent').length,
      tables,
      heads,
      widths,
      strategy: document.querySelector('.strategy')?.textContent ?? '',
    };
  });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  await page.close();
  return { errors, ...shown };
}

function summaryOf(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Extent boxes of the collections a run wrote, as the summary lists them. */
function extentBoxes(dir: string, summary: Record<string, unknown>): number {
  return (summary.outputs as string[])
    .filter((o) => o.endsWith('collection.json'))
    .map((o) => JSON.parse(readFileSync(join(dir, o), 'utf8')).extent.spatial.bbox.length)
    .reduce((a: number, b: number) => a + b, 0);
}

/** The totals table as numbers by name (the page formats 1234 as "1,234"). */
const totals = (o: Opened) =>
  Object.fromEntries(o.tables.totals!.map(([k, v]) => [k, Number(v!.replace(/,/g, ''))]));

describe.skipIf(gate.skip)('report.html in headless Chromium', () => {
  it(gate.title('the quickstart: a shape per item written, every extent, the summary totals'), async () => {
    // On a copy, so the repository's examples/quickstart/output is left alone.
    const copy = join(tempDir('scm-report-qs-'), 'quickstart');
    cpSync(join(repoRoot, 'examples/quickstart'), copy, {
      recursive: true,
      filter: (path) => !['output', 'output-logs'].includes(basename(path)),
    });
    const run = await cli(['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full'], { cwd: copy });
    expect(run.code, run.stderr).toBe(0);
    const out = join(copy, 'output');
    const summary = summaryOf(join(out, 'summary.json'));
    const opened = await open(join(out, 'report.html'), 'quickstart');
    expect(opened.errors).toEqual([]);
    expect(opened.footprints).toBe(summary.succeeded);
    expect(opened.extents).toBe(extentBoxes(out, summary));
    expect(totals(opened)).toMatchObject({
      processed: summary.processed,
      succeeded: summary.succeeded,
      failed: 0,
      collections: summary.collections,
    });
  });

  it(
    gate.title('a run with failures: failures by type and step, and footprints across the antimeridian'),
    async () => {
      const out = join(tempDir('scm-report-fail-'), 'out');
      const run = await cli(
        ['rebuild-catalog', '--config', join(fixtures, 'report-run/config.yaml'), '--mode', 'full'],
        {
          env: { OUT_DIR: out },
        },
      );
      expect(run.code, run.stderr).toBe(1);
      const summary = summaryOf(join(out, 'summary.json'));
      const opened = await open(join(out, 'report.html'), 'failures');
      expect(opened.errors).toEqual([]);
      expect(opened.footprints).toBe(summary.succeeded);
      expect(opened.extents).toBe(extentBoxes(out, summary));
      expect(totals(opened)).toMatchObject({ processed: summary.processed, failed: summary.failed });
      const byType: Record<string, number> = {};
      for (const [type, , count] of opened.tables.failures!)
        byType[type!] = (byType[type!] ?? 0) + Number(count);
      expect(byType).toEqual(summary.failures_by_type);
      const examples = opened.tables['failure-examples']!;
      expect(examples.map((r) => r[2])).toEqual(expect.arrayContaining(['bad-datetime', 'missing-geometry']));
      expect(examples.find((r) => r[2] === 'bad-datetime')![3]).toBe('/properties/datetime');
      expect(examples.every((r) => /items\.ndjson:\d+$/.test(r[5]!))).toBe(true);
      // A 1°-wide footprint across the antimeridian is a small shape, not a band around the world.
      expect(opened.widths['fiji-across-antimeridian']).toBeLessThan(0.05);
      expect(opened.widths['fiji-split-multipolygon']).toBeLessThan(0.05);
    },
  );

  it(
    gate.title('an incremental run: the strategy, what changed per collection, footprints of the changes'),
    async () => {
      const copy = join(tempDir('scm-report-inc-'), 'quickstart');
      cpSync(join(repoRoot, 'examples/quickstart'), copy, {
        recursive: true,
        filter: (path) => !['output', 'output-logs'].includes(basename(path)),
      });
      const full = await cli(['rebuild-catalog', '--config', 'config.yaml', '--mode', 'full'], { cwd: copy });
      expect(full.code, full.stderr).toBe(0);
      // Overnight at the source: one item edited, one removed, one new (a copy of the first under a new id).
      const itemsFile = join(copy, 'data/items.ndjson');
      const items = readFileSync(itemsFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      items[0].properties['eo:cloud_cover'] = 99;
      const removed = items.splice(1, 1)[0];
      items.push({ ...items[0], id: `${items[0].id}-new` });
      writeFileSync(itemsFile, `${items.map((i) => JSON.stringify(i)).join('\n')}\n`);
      const run = await cli(['rebuild-catalog', '--config', 'config.yaml', '--mode', 'incremental'], {
        cwd: copy,
      });
      expect(run.code, run.stderr).toBe(0);
      const out = join(copy, 'output');
      const summary = summaryOf(join(out, 'summary.json'));
      const perCollection = summary.per_collection as Record<string, Record<string, number>>;
      const changed = Object.values(perCollection).reduce(
        (sum, c) => ({
          added: sum.added + c.added!,
          modified: sum.modified + c.modified!,
          deleted: sum.deleted + c.deleted!,
        }),
        { added: 0, modified: 0, deleted: 0 },
      );
      expect(changed).toEqual({ added: 1, modified: 1, deleted: 1 });
      expect(removed.id).toBeTruthy();
      const opened = await open(join(out, 'report.html'), 'incremental');
      expect(opened.errors).toEqual([]);
      // The strategy the run chose, and why, as the summary says it.
      expect(opened.strategy).toContain(String(summary.strategy));
      // Footprints of what changed (the new and the edited item); every collection's extent still.
      expect(opened.footprints).toBe(2);
      expect(opened.extents).toBe(extentBoxes(out, summary));
      // The per-collection table has the summary's change counts.
      const head = opened.heads.collections!;
      const rows = Object.fromEntries(opened.tables.collections!.map((r) => [r[0], r]));
      for (const [id, counts] of Object.entries(perCollection))
        for (const key of ['added', 'modified', 'deleted', 'unchanged'])
          expect(Number(rows[id]![head.indexOf(key)]), `${id} ${key}`).toBe(counts[key]);
    },
  );

  it(
    gate.title('a validate run: objects checked, invalid ones by kind and on the map, the stage rate'),
    async () => {
      const dir = tempDir('scm-report-val-');
      const run = await cli(
        ['validate', '--input', join(fixtures, 'broken/items.ndjson'), '--output-report', 'r.json'],
        {
          cwd: dir,
        },
      );
      expect(run.code).toBe(1);
      const body = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      const opened = await open(join(dir, 'r.report.html'), 'validate');
      expect(opened.errors).toEqual([]);
      expect(totals(opened)).toMatchObject({
        processed: body.summary.total,
        succeeded: body.summary.valid,
        failed: body.summary.invalid,
      });
      const { read, ...kinds } = body.summary.byKind;
      expect(Object.fromEntries(opened.tables.issues!.map(([k, v]) => [k, Number(v)]))).toEqual(kinds);
      expect(opened.tables.failures!.find((r) => r[0] === 'parse_error')?.[2]).toBe(String(read));
      // validate writes nothing, but the map shows where the invalid Items are (those with a geometry).
      const invalidWithGeometry = readFileSync(join(fixtures, 'broken/items.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as { id: string; geometry?: unknown }];
          } catch {
            return [];
          }
        })
        .filter(
          (item) =>
            item.geometry &&
            body.reports.some((r: { id?: string; valid: boolean }) => r.id === item.id && !r.valid),
        );
      expect(invalidWithGeometry.map((i) => i.id)).toEqual(['bad-datetime']);
      expect(opened.footprints).toBe(1);
      // Its stage and rate, as a rebuild's.
      expect(opened.tables.stages!.map((r) => [r[0], r[1], r[3]])).toEqual([
        ['validate', String(body.summary.total), String(body.summary.invalid)],
      ]);
    },
  );
});
