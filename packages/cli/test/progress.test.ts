import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FakeStacApi, startFakeStacApi } from '@scm/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CliIo, runCli } from '../src/index.js';
import { createCliProgress } from '../src/progress.js';
import { repoRoot, tempDir } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A stream that records what is written; `isTTY` makes it pass for a terminal. */
function stream(isTTY = false) {
  const lines: string[] = [];
  return { lines, write: (t: string) => lines.push(t), isTTY, columns: 120 };
}

describe('createCliProgress off a terminal (CI logs)', () => {
  it('shows percentage, rate, ETA from the expected total, failures and the status a harvest sets', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const out = stream();
    const progress = createCliProgress({ stream: out, intervalS: 10 });
    progress.start('items', 10_000);
    vi.setSystemTime(new Date('2026-01-01T00:00:20Z'));
    progress.status?.('40 pages, 2 retries');
    progress.failed?.(3);
    progress.tick(4000);
    expect(out.lines).toEqual(['items: 4000/10000 (40%, 200/s, ETA 30s, 3 failed) 40 pages, 2 retries\n']);
  });

  it('has no percentage or ETA when the total is unknown', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const out = stream();
    const progress = createCliProgress({ stream: out, intervalS: 1 });
    progress.start('items');
    vi.setSystemTime(new Date('2026-01-01T01:00:00Z'));
    progress.tick(7200);
    expect(out.lines).toEqual(['items: 7200 (2/s)\n']);
  });

  it('prints at most one line per stage every 10 s, whatever the tick rate', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const out = stream();
    const progress = createCliProgress({ stream: out });
    progress.start('items', 1000);
    // 35 s of ticks, ten a second.
    for (let ms = 100; ms <= 35_000; ms += 100) {
      vi.setSystemTime(new Date(Date.parse('2026-01-01T00:00:00Z') + ms));
      progress.tick();
    }
    progress.done();
    expect(out.lines.map((l) => l.split(' (')[0])).toEqual([
      'items: 100/1000',
      'items: 200/1000',
      'items: 300/1000',
    ]);
  });
});

describe('createCliProgress with --quiet', () => {
  it('prints nothing, on a terminal or not, even with failures and a status', () => {
    for (const isTTY of [false, true]) {
      const out = stream(isTTY);
      const progress = createCliProgress({ stream: out, quiet: true, intervalS: 0 });
      progress.start('items', 10);
      progress.status?.('1 retry');
      progress.failed?.();
      progress.tick(10);
      progress.done();
      expect(out.lines, `isTTY ${isTTY}`).toEqual([]);
    }
  });
});

describe('createCliProgress on a terminal', () => {
  it('draws a bar per stage with percentage, count, ETA and failures, and leaves it on its own line', () => {
    const out = stream(true);
    const progress = createCliProgress({ stream: out });
    progress.start('items', 200);
    progress.tick(50);
    progress.failed?.(2);
    progress.status?.('3 pages, 1 retry');
    progress.done();
    progress.start('collections');
    progress.tick(4);
    progress.done();
    // Each redraw moves to column 1 (ESC[1G): a line break for reading; other escapes are dropped.
    const text = out.lines
      .join('')
      .replaceAll('\u001b[1G', '\r')
      .replace(new RegExp(`${'\u001b'}(\\[[0-9;?]*[A-Za-z]|[78])`, 'g'), '');
    const drawn = text.split(/[\r\n]/).filter(Boolean);
    const items = drawn.filter((l) => l.startsWith('items ')).pop()!;
    expect(items).toMatch(/^items \[[█░]+\] 25% 50\/200 · \d+\/s · ETA \S+, 2 failed 3 pages, 1 retry$/);
    const collections = drawn.filter((l) => l.startsWith('collections ')).pop()!;
    expect(collections).toMatch(/^collections 4 · \d+\/s$/);
    // One line per stage: the first bar ends with a newline before the second starts.
    expect(text.indexOf('\n')).toBeLessThan(text.indexOf('collections'));
  });

  it('stops a bar whose stage was cut short, so nothing keeps the process alive', () => {
    const out = stream(true);
    const progress = createCliProgress({ stream: out });
    progress.start('items', 10);
    progress.tick();
    progress.close();
    const written = out.lines.length;
    progress.close();
    expect(out.lines.length).toBe(written);
  });
});

// ---------------------------------------------------------------- the commands' progress, end to end

/** The quickstart's 24 items, copied under new ids until the file is `copies` times as large (2.6 MB at 20). */
function bigNdjson(dir: string, copies: number): string {
  const lines = readFileSync(join(repoRoot, 'examples/quickstart/data/items.ndjson'), 'utf8')
    .trim()
    .split('\n');
  const out: string[] = [];
  for (let copy = 0; copy < copies; copy++)
    for (const line of lines) {
      const item = JSON.parse(line) as { id: string };
      out.push(JSON.stringify({ ...item, id: `${item.id}-${copy}` }));
    }
  const path = join(dir, 'items.ndjson');
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

/** Field records of PRD scenario 4 (CSV), `rows` of them with their own ids: about 200 bytes a row. */
function bigCsv(dir: string, rows: number): string {
  const lines = ['dataset_id,collection_name,acquisition_date,geometry_wkt,url,platform,cloud_cover,notes'];
  for (let row = 0; row < rows; row++)
    lines.push(
      `DS${row},field-survey-2024,2024-01-12T10:30:00Z,"POLYGON((-105.1 39.2, -104.9 39.2, -104.9 39.4, -105.1 39.4, -105.1 39.2))",https://data.example.com/survey/DS${row}.tif,sentinel-2a,12.5,"pass ${row}"`,
    );
  const path = join(dir, 'data.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A rebuild config reading `input`, mapped by scenario 4's mapping when it is CSV. */
function rebuildConfig(dir: string, input: string): string {
  const mapping = input.endsWith('.csv')
    ? `transformation:\n  mapping_schema: ${join(repoRoot, 'examples/scenario4/mapping.yaml')}\n`
    : '';
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `workflow: { name: progress }\nsource:\n  type: local_files\n  paths: [${input}]\n${mapping}output:\n  format: [ndjson]\n  path: ${join(dir, 'out')}\n`,
  );
  return path;
}

/** What a run printed on stderr, and the fake time at which each write was made. */
interface WatchedRun {
  code: number;
  stdout: string;
  stderr: string;
  writes: { at: number; text: string }[];
}

/**
 * Runs the CLI in-process on a fake terminal (or a pipe) whose clock moves one second at each reading,
 * so rates and ETAs are numbers and the 10 s between plain lines needs no real waiting.
 */
async function watched(argv: string[], tty: boolean, cwd = process.cwd()): Promise<WatchedRun> {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  let stdout = '';
  const writes: { at: number; text: string }[] = [];
  const stderr = { write: (text: string) => writes.push({ at: clock, text }), isTTY: tty, columns: 160 };
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr,
    env: {},
    cwd,
    now: () => (clock += 1000),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr: writes.map((w) => w.text).join(''), writes };
}

/** The bar's frames as drawn on a terminal: each redraw starts at column 1; other escapes dropped. */
function frames(stderr: string, stage: string): string[] {
  const text = stderr
    .replaceAll('\u001b[1G', '\r')
    .replace(new RegExp(`${'\u001b'}(\\[[0-9;?]*[A-Za-z]|[78])`, 'g'), '');
  return text.split(/[\r\n]/).filter((line) => line.startsWith(`${stage} [`));
}

/** Plain progress lines of a stage, with the fake time each was printed at. */
function plainLines(run: WatchedRun, stage: string): { at: number; text: string }[] {
  return run.writes.filter((w) => w.text.startsWith(`${stage}: `));
}

/** At most one line per stage every 10 s, and at least one (so the check is not empty). */
function expectPaced(lines: { at: number }[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (let i = 1; i < lines.length; i++)
    expect(lines[i]!.at - lines[i - 1]!.at).toBeGreaterThanOrEqual(10_000);
}

/** A mid-run frame: percentage below 100 and an ETA in seconds. */
const MID_RUN = /\] ([1-9]\d?)% .* · ETA \d+(s|m\d\ds)/;

describe('rebuild-catalog, validate and update-metadata from local files: progress by bytes read', () => {
  it('rebuild-catalog of an NDJSON file on a terminal shows the percentage of the file read and an ETA', async () => {
    const dir = tempDir('scm-progress-');
    const config = rebuildConfig(dir, bigNdjson(dir, 20));
    const run = await watched(['rebuild-catalog', '--config', config], true);
    expect(run.code).toBe(0);
    const drawn = frames(run.stderr, 'items');
    expect(drawn.some((line) => MID_RUN.test(line))).toBe(true);
    expect(drawn.at(-1)).toMatch(/^items \[█+\] 100% 480 of 2\.\d MB · \d+\/s · ETA 0s$/);
  });

  it('rebuild-catalog of a CSV file shows the percentage and an ETA too, and counts failed records on the bar', async () => {
    const dir = tempDir('scm-progress-');
    const csv = bigCsv(dir, 1500);
    writeFileSync(csv, `${readFileSync(csv, 'utf8')}DSX,field-survey-2024,not a date,POINT(0 0),u,p,1,bad\n`);
    const run = await watched(['rebuild-catalog', '--config', rebuildConfig(dir, csv)], true);
    expect(run.code).toBe(1);
    const drawn = frames(run.stderr, 'items');
    expect(drawn.some((line) => MID_RUN.test(line))).toBe(true);
    expect(drawn.at(-1)).toMatch(/^items \[█+\] 100% 1501 of \d+\.\d kB · \d+\/s · ETA 0s, 1 failed$/);
  });

  it('validate of an NDJSON file on a terminal shows the percentage and an ETA', async () => {
    const dir = tempDir('scm-progress-');
    const run = await watched(['validate', '--input', bigNdjson(dir, 20)], true);
    expect(run.code).toBe(0);
    const drawn = frames(run.stderr, 'validate');
    expect(drawn.some((line) => MID_RUN.test(line))).toBe(true);
    expect(drawn.at(-1)).toMatch(/^validate \[█+\] 100% 480 of 2\.\d MB · \d+\/s · ETA 0s$/);
  });

  it('update-metadata of an NDJSON file on a terminal shows the percentage and an ETA', async () => {
    const dir = tempDir('scm-progress-');
    const updates = join(dir, 'updates.yaml');
    writeFileSync(
      updates,
      'updates:\n  - select: { collection: sentinel-2-l2a }\n    set: { properties.note: x }\n',
    );
    const argv = ['update-metadata', '--input', bigNdjson(dir, 20), '--updates', updates];
    const run = await watched([...argv, '--output-path', join(dir, 'updated.ndjson')], true);
    expect(run.code).toBe(0);
    const drawn = frames(run.stderr, 'objects');
    expect(drawn.some((line) => MID_RUN.test(line))).toBe(true);
    expect(drawn.at(-1)).toMatch(/^objects \[█+\] 100% 480 of 2\.\d MB · \d+\/s · ETA 0s$/);
  });

  it('off a terminal, each command prints a line per stage at most every 10 s, with percentage and ETA', async () => {
    const dir = tempDir('scm-progress-');
    const input = bigNdjson(dir, 5);
    const updates = join(dir, 'updates.yaml');
    writeFileSync(
      updates,
      'updates:\n  - select: { collection: sentinel-2-l2a }\n    set: { properties.note: x }\n',
    );
    const runs: [string, WatchedRun][] = [
      ['items', await watched(['rebuild-catalog', '--config', rebuildConfig(dir, input)], false)],
      ['validate', await watched(['validate', '--input', input], false)],
      [
        'objects',
        await watched(
          ['update-metadata', '--input', input, '--updates', updates, '--output-path', join(dir, 'u.ndjson')],
          false,
        ),
      ],
    ];
    for (const [stage, run] of runs) {
      expect(run.code, stage).toBe(0);
      const lines = plainLines(run, stage);
      expectPaced(lines);
      expect(lines.at(-1)!.text).toMatch(
        new RegExp(`^${stage}: \\d+ of \\d+\\.\\d kB \\(\\d+%, \\d+/s, ETA \\d+s\\)\\n$`),
      );
      // Nothing else on stderr but log lines (the config's INFO): no escape codes, no bar.
      const others = run.writes.filter((w) => !w.text.startsWith(`${stage}: `) && !w.text.startsWith('{'));
      expect(others).toEqual([]);
    }
  });

  it('with --quiet prints nothing, on a terminal or not, for all three; errors still reach stderr', async () => {
    const dir = tempDir('scm-progress-');
    const input = bigNdjson(dir, 2);
    const updates = join(dir, 'updates.yaml');
    writeFileSync(
      updates,
      'updates:\n  - select: { collection: sentinel-2-l2a }\n    set: { properties.note: x }\n',
    );
    for (const tty of [true, false]) {
      const commands = [
        ['rebuild-catalog', '--config', rebuildConfig(dir, input), '--overwrite'],
        ['validate', '--input', input],
        [
          'update-metadata',
          '--input',
          input,
          '--updates',
          updates,
          '--output-path',
          join(dir, `u-${tty}.ndjson`),
        ],
      ];
      for (const argv of commands) {
        const run = await watched([...argv, '--quiet'], tty);
        expect(run.code, argv[0]).toBe(0);
        expect(run.stdout + run.stderr, `${argv[0]} tty=${tty}`).toBe('');
      }
      const nope = join(dir, 'nope.ndjson');
      const argv = [
        'update-metadata',
        '--input',
        nope,
        '--updates',
        updates,
        '--output-path',
        join(dir, 'n.ndjson'),
      ];
      const missing = await watched([...argv, '--quiet'], tty);
      expect(missing.code).not.toBe(0);
      expect(missing.stdout).toBe('');
      expect(missing.stderr).toContain('nope.ndjson');
    }
  });
});

describe('fetch-items: progress from the server’s numberMatched', () => {
  const apis: FakeStacApi[] = [];
  afterEach(async () => {
    for (const api of apis.splice(0)) await api.close();
  });

  async function fetchArgs(dir: string, name: string): Promise<string[]> {
    // Retries: one request in five answers 429 (Retry-After 0); every one is retried to success.
    const api = await startFakeStacApi({
      style: 'earth-search',
      collections: [{ id: 'HLSS30_2.0', count: 300 }],
      faults: { rate: 0.2, kinds: ['429'], seed: 5, retryAfterSeconds: 0 },
    });
    apis.push(api);
    const output = join(dir, name);
    const http = ['--rate-limit', '0', '--concurrency', '2', '--max-attempts', '20', '--timeout', '5'];
    return [
      'fetch-items',
      '--catalog-url',
      api.url,
      '--collection-id',
      'HLSS30_2.0',
      '--output-path',
      output,
      '--limit',
      '10',
      ...http,
    ];
  }

  it('on a terminal shows the percentage of the items matched, an ETA, the requests, retries and 429s', async () => {
    const dir = tempDir('scm-progress-');
    const run = await watched(await fetchArgs(dir, 'items.ndjson'), true);
    expect(run.code).toBe(0);
    const drawn = frames(run.stderr, 'items');
    expect(drawn.some((line) => MID_RUN.test(line))).toBe(true);
    expect(drawn.at(-1)).toMatch(
      /^items \[█+\] 100% 300\/300 · \d+\/s · ETA 0s \d+ pages, \d+ requests, [1-9]\d* retries, 429 ×[1-9]\d*$/,
    );
  });

  it('off a terminal prints a line at most every 10 s; with --quiet nothing', async () => {
    const dir = tempDir('scm-progress-');
    const plain = await watched(await fetchArgs(dir, 'plain.ndjson'), false);
    expect(plain.code).toBe(0);
    const lines = plainLines(plain, 'items');
    expectPaced(lines);
    expect(lines[0]!.text).toMatch(
      /^items: \d+\/300 \(\d+%, \d+\/s, ETA \d+(s|m\d\ds)\) \d+ pages, \d+ requests, \d+ retries(, 429 ×\d+)?\n$/,
    );
    for (const tty of [true, false]) {
      const quiet = await watched([...(await fetchArgs(dir, `quiet-${tty}.ndjson`)), '--quiet'], tty);
      expect(quiet.code).toBe(0);
      expect(quiet.stdout + quiet.stderr).toBe('');
    }
  });
});
