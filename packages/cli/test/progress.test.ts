import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCliProgress } from '../src/progress.js';

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
