import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCliProgress } from '../src/progress.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('createCliProgress', () => {
  it('shows the rate, an ETA from the expected total and the status a harvest sets (periodic lines off a TTY)', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const lines: string[] = [];
    const progress = createCliProgress({ stream: { write: (t: string) => lines.push(t) }, intervalS: 10 });
    progress.start('items', 10_000);
    vi.setSystemTime(new Date('2026-01-01T00:00:20Z'));
    progress.status?.('40 pages, 2 retries');
    progress.tick(4000);
    expect(lines).toEqual(['items: 4000/10000 (200/s, ETA 30s) 40 pages, 2 retries\n']);
  });

  it('has no ETA when the total is unknown', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const lines: string[] = [];
    const progress = createCliProgress({ stream: { write: (t: string) => lines.push(t) }, intervalS: 1 });
    progress.start('items');
    vi.setSystemTime(new Date('2026-01-01T01:00:00Z'));
    progress.tick(7200);
    expect(lines).toEqual(['items: 7200 (2/s)\n']);
  });
});
