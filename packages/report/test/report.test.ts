import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunRecorder, digestFailuresFile, writeRunRecord, writeRunReport } from '../src/index.js';

const fixture = new URL('./fixtures/broken-run/', import.meta.url).pathname;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scm-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The text of a table's cells, row by row (the report's tables are plain HTML). */
function tableRows(html: string, id: string): string[][] {
  const table = html.match(new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`))?.[1] ?? '';
  const body = table.split('<tbody>')[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!),
  );
}

describe('digestFailuresFile', () => {
  it('groups a real failures file by error_type and step, with examples naming item, path and file:line', async () => {
    const digest = await digestFailuresFile(join(fixture, 'failed_items.ndjson'));
    const lines = (await readFile(join(fixture, 'failed_items.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(digest.total).toBe(lines.length);
    const validation = digest.groups.find((g) => g.error_type === 'validation_error')!;
    expect(validation.step).toBe('validate');
    expect(validation.count).toBe(lines.filter((l) => l.error_type === 'validation_error').length);
    const first = lines.find((l) => l.error_type === 'validation_error');
    expect(validation.examples[0]).toEqual({
      item_id: first.item_id,
      path: first.error_context.details[0].path,
      message: first.error_message,
      source: `${first.error_context.file}:${first.error_context.line}`,
    });
    const kinds = lines.flatMap((l) => (l.error_context.details ?? []).map((d: { kind: string }) => d.kind));
    for (const kind of new Set(kinds)) {
      expect(digest.issues_by_kind[kind]).toBe(kinds.filter((k) => k === kind).length);
    }
  });

  it('counts a line that is not a failure record instead of stopping', async () => {
    const path = join(dir, 'failed_items.ndjson');
    const real = await readFile(join(fixture, 'failed_items.ndjson'), 'utf8');
    await writeFile(path, `${real}not json\n{"__proto__":{"polluted":1}}\n`);
    const digest = await digestFailuresFile(path);
    expect(digest.unreadable_lines).toBe(2);
    expect(digest.total).toBe(real.trim().split('\n').length);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('writeRunReport', () => {
  it('writes one self-contained report.html whose tables hold the summary numbers', async () => {
    await cp(fixture, dir, { recursive: true });
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    const { path, bytes } = await writeRunReport(dir);
    expect(path).toBe(join(dir, 'report.html'));
    const html = await readFile(path, 'utf8');
    expect(Buffer.byteLength(html)).toBe(bytes);
    const totals = Object.fromEntries(tableRows(html, 'totals').map(([k, v]) => [k, v]));
    for (const key of ['processed', 'succeeded', 'failed', 'collections'])
      expect(totals[key]).toBe(String(summary[key]));
    const failures = tableRows(html, 'failures');
    for (const [type, count] of Object.entries(summary.failures_by_type)) {
      expect(failures.filter((r) => r[0] === type).reduce((n, r) => n + Number(r[2]), 0)).toBe(count);
    }
    // Nothing is fetched when the page opens: no src/href to another resource, and a CSP that forbids it.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain("default-src 'none'");
    expect(tableRows(html, 'collections').map((r) => r[0])).toEqual(['naip']);
  });

  it('draws what a run record holds: sampled footprints and stage rates', async () => {
    await cp(fixture, dir, { recursive: true });
    const recorder = createRunRecorder();
    const items = (await readFile(join(dir, 'ndjson/naip/items.ndjson'), 'utf8')).trim().split('\n');
    const progress = recorder.wrapProgress({ start() {}, tick() {}, done() {} });
    progress.start('items', items.length);
    for (const line of items) {
      recorder.observeItem(JSON.parse(line));
      progress.tick();
    }
    progress.done();
    await writeRunRecord(join(dir, 'report_record.json'), recorder);
    const html = await readFile((await writeRunReport(dir)).path, 'utf8');
    const data = JSON.parse(
      html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]!,
    );
    expect(data.footprints).toHaveLength(items.length);
    expect(tableRows(html, 'stages')[0]!.slice(0, 3)).toEqual([
      'items',
      String(items.length),
      String(items.length),
    ]);
    const failed = (await readFile(join(dir, 'failed_items.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .filter((l) => JSON.parse(l).error_context.source_data?.collection === 'naip').length;
    expect(failed).toBeGreaterThan(0);
    expect(tableRows(html, 'collections')[0]!.slice(0, 4)).toEqual([
      'naip',
      '',
      String(items.length),
      String(failed),
    ]);
  });

  it("shows a harvest's requests, retries, 429 and 5xx responses over the run's time, chart and table", async () => {
    await cp(fixture, dir, { recursive: true });
    let clock = 0;
    const recorder = createRunRecorder({ now: () => clock });
    const progress = recorder.wrapProgress({ start() {}, tick() {}, done() {} });
    progress.start('items');
    // Ten pages a second apart; the server throttles the fourth page's request once and fails the seventh's.
    for (let page = 1; page <= 10; page++) {
      clock += 1000;
      const retries = (page >= 4 ? 1 : 0) + (page >= 7 ? 1 : 0);
      progress.counters?.({
        pages: page,
        requests: page + retries,
        retries,
        'HTTP 429': page >= 4 ? 1 : 0,
        'HTTP 5xx': page >= 7 ? 1 : 0,
      });
      progress.tick(100);
    }
    progress.done();
    await writeRunRecord(join(dir, 'report_record.json'), recorder);
    const html = await readFile((await writeRunReport(dir)).path, 'utf8');
    expect(html).toContain('<svg class="rates" id="requests-chart"');
    for (const name of ['pages', 'requests', 'retries', 'HTTP 429', 'HTTP 5xx'])
      expect(html).toContain(`data-counter="${name}"`);
    const rows = tableRows(html, 'requests');
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.at(-1)).toEqual(['items', '10', '10', '12', '2', '1', '1']);
    expect(rows.find((r) => r[1] === '4')).toEqual(['items', '4', '4', '5', '1', '1', '0']);
  });

  it('draws no requests chart for a run that made no requests', async () => {
    await cp(fixture, dir, { recursive: true });
    const html = await readFile((await writeRunReport(dir)).path, 'utf8');
    expect(html).not.toContain('requests-chart');
  });

  it("shows the rate over the run's time (chart and table) and each collection's items per second", async () => {
    await cp(fixture, dir, { recursive: true });
    // A fake clock: 20 items a second for 10 s, then 5 a second for 10 s.
    let clock = 0;
    const recorder = createRunRecorder({ now: () => clock });
    const progress = recorder.wrapProgress({ start() {}, tick() {}, done() {} });
    progress.start('items');
    for (let i = 0; i < 250; i++) {
      clock += i < 200 ? 50 : 200;
      recorder.observeItem({ id: `i${i}`, collection: i < 200 ? 'fast' : 'slow' });
      progress.tick();
    }
    progress.done();
    await writeRunRecord(join(dir, 'report_record.json'), recorder);
    const html = await readFile((await writeRunReport(dir)).path, 'utf8');
    expect(html).toContain('<svg class="rates" id="rates-chart"');
    const rates = tableRows(html, 'rates');
    expect(rates).toHaveLength(20);
    expect(rates[0]).toEqual(['items', '0', '1', '20', '20']);
    expect(rates.at(-1)).toEqual(['items', '19', '20', '250', '5']);
    const collections = Object.fromEntries(tableRows(html, 'collections').map((r) => [r[0], r]));
    // From the first item of a collection to its last: 199 gaps of 50 ms, 49 of 200 ms.
    expect(collections.fast![4]).toBe(String(Math.round((200 / 9.95) * 10) / 10));
    expect(collections.slow![4]).toBe(String(Math.round((50 / 9.8) * 10) / 10));
  });

  it('tolerates a summary that has only a command, and escapes what it shows', async () => {
    await writeFile(
      join(dir, 'summary.json'),
      JSON.stringify({ command: '<b>odd</b>', notes: ['a </script> note'] }),
    );
    const html = await readFile((await writeRunReport(dir)).path, 'utf8');
    expect(html).toContain('&#60;b&#62;odd&#60;/b&#62;');
    expect(html).not.toContain('a </script> note');
    expect(html).toContain('id="totals-empty"');
  });

  it('reads the side files of a single-file output: <stem>.summary.json gives <stem>.report.html', async () => {
    await cp(join(fixture, 'summary.json'), join(dir, 'items.summary.json'));
    await cp(join(fixture, 'failed_items.ndjson'), join(dir, 'items.failed_items.ndjson'));
    const { path } = await writeRunReport(join(dir, 'items.summary.json'));
    expect(path).toBe(join(dir, 'items.report.html'));
    const html = await readFile(path, 'utf8');
    expect(tableRows(html, 'failures').length).toBeGreaterThan(0);
  });

  it('says which summary is missing (SCM_INPUT_NOT_FOUND)', async () => {
    await expect(writeRunReport(dir)).rejects.toMatchObject({
      code: 'SCM_INPUT_NOT_FOUND',
      message: expect.stringContaining(join(dir, 'summary.json')),
    });
  });

  it('reads a validate report: objects checked, invalid ones by kind, unreadable lines as parse errors', async () => {
    const path = join(dir, 'r.json');
    await cp(new URL('./fixtures/validate-report.json', import.meta.url).pathname, path);
    const body = JSON.parse(await readFile(path, 'utf8'));
    const { path: written } = await writeRunReport(path);
    expect(written).toBe(join(dir, 'r.report.html'));
    const html = await readFile(written, 'utf8');
    const totals = Object.fromEntries(tableRows(html, 'totals').map(([k, v]) => [k, v]));
    expect(totals).toMatchObject({
      processed: String(body.summary.total),
      succeeded: String(body.summary.valid),
      failed: String(body.summary.invalid),
    });
    const { read, ...kinds } = body.summary.byKind;
    expect(Object.fromEntries(tableRows(html, 'issues').map(([k, v]) => [k, Number(v)]))).toEqual(kinds);
    const parse = tableRows(html, 'failures').find((r) => r[0] === 'parse_error');
    expect(parse?.[2]).toBe(String(read));
  });
});
